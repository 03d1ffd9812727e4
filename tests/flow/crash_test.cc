// Crashes and concurrency, with real processes: a forked child runs the flow and is SIGKILLed by
// the fault injection (UPCAMP_FAULT) at every point of every stage; the parent resumes and
// compares the outputs byte for byte with an uninterrupted run. A second process on a running
// run id is refused.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "core/file_util.h"
#include "flow/flow_testing.h"
#include "flow/history.h"
#include "flow/run.h"
#include "testing.h"

namespace upcamp::flow {
namespace {

using Action = StageOutcome::Action;
using ::upcamp::flow::testing::ChainConfig;
using ::upcamp::flow::testing::ChainStageNames;
using ::upcamp::flow::testing::MakeChain;
using ::upcamp::flow::testing::ReadAllOutputs;
using ::upcamp::testing::TempDir;

// Runs the flow in a child process (with UPCAMP_FAULT=`fault` if non-empty); returns its wait
// status. The child never returns into the test framework.
int RunInChild(const RunOptions& options, const ChainConfig& config, const std::string& fault) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!fault.empty()) ::setenv("UPCAMP_FAULT", fault.c_str(), 1);
    auto r = RunFlow(options, MakeChain(config));
    ::_exit(r.ok() ? 0 : 3);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool KilledBySigkill(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

RunOptions Options(const TempDir& dir, const std::string& run_id) {
  RunOptions o;
  o.runs_dir = dir.File("runs");
  o.run_id = run_id;
  o.heartbeat_interval_s = 0.05;
  return o;
}

TEST(FlowCrash, KilledAtEveryPointOfEveryStageResumesToIdenticalOutput) {
  TempDir dir;
  ChainConfig config;
  config.n = 2000;
  config.base_file = dir.Write("base.txt", "3\n");
  ASSERT_OK(RunFlow(Options(dir, "reference"), MakeChain(config)).status());
  const auto reference = ReadAllOutputs(dir.File("runs"), "reference");
  ASSERT_EQ(reference.size(), 5u);

  const std::vector<std::string> points = {"before_outputs", "after_outputs", "after_rename",
                                           "after_manifest"};
  const auto& names = ChainStageNames();
  for (size_t si = 0; si < names.size(); ++si) {
    for (const auto& point : points) {
      SCOPED_TRACE(names[si] + ":" + point);
      const std::string run_id = "crash-" + names[si] + "-" + point;
      const RunOptions options = Options(dir, run_id);
      ASSERT_TRUE(KilledBySigkill(RunInChild(options, config, names[si] + ":" + point)));

      // The dead attempt reads as crashed, with the killed stage crashed too.
      {
        ASSERT_OK_AND_ASSIGN(auto history, RunHistory::Open(options.runs_dir, false));
        ASSERT_OK_AND_ASSIGN(auto run, history->GetRun(run_id));
        ASSERT_TRUE(run.has_value());
        EXPECT_EQ(run->status, "crashed");
        ASSERT_OK_AND_ASSIGN(auto stages, history->GetStages(run_id));
        ASSERT_EQ(stages.size(), 4u);
        EXPECT_EQ(stages[si].status, "crashed");
        for (size_t k = 0; k < si; ++k) EXPECT_EQ(stages[k].status, "finished");
        for (size_t k = si + 1; k < 4; ++k) EXPECT_EQ(stages[k].status, "pending");
      }

      ASSERT_OK_AND_ASSIGN(RunSummary s, RunFlow(options, MakeChain(config)));
      EXPECT_EQ(s.attempt, 2);
      for (size_t k = 0; k < si; ++k) EXPECT_EQ(s.stages[k].action, Action::kRestored);
      // Only a committed manifest makes a stage finished.
      EXPECT_EQ(s.stages[si].action,
                point == "after_manifest" ? Action::kRestored : Action::kComputed);
      EXPECT_EQ(ReadAllOutputs(options.runs_dir, run_id), reference);
      for (const auto& f : upcamp::testing::ListDir(RunDir(options.runs_dir, run_id) + "/stages")) {
        EXPECT_NE(f.rfind(".tmp-", 0), 0u) << "left behind: " << f;
      }
      // The resumed attempt persisted "crashed" into the dead attempt's rows.
      ASSERT_OK_AND_ASSIGN(auto history, RunHistory::Open(options.runs_dir, false));
      ASSERT_OK_AND_ASSIGN(auto first, history->GetStages(run_id, 1));
      EXPECT_EQ(first[si].status, "crashed");
      ASSERT_OK_AND_ASSIGN(auto run, history->GetRun(run_id));
      EXPECT_EQ(run->status, "finished");
    }
  }
}

TEST(FlowCrash, CrashedAndFailedRunsAreTellApart) {
  TempDir dir;
  ChainConfig config;
  config.base_file = dir.Write("base.txt", "3\n");
  ASSERT_TRUE(KilledBySigkill(RunInChild(Options(dir, "dies"), config, "total:after_outputs")));
  ChainConfig failing = config;
  failing.fail_stage = "total";
  EXPECT_EQ(WEXITSTATUS(RunInChild(Options(dir, "fails"), failing, "")), 3);

  ASSERT_OK_AND_ASSIGN(std::string json, FormatRunList(dir.File("runs"), true));
  const auto runs = nlohmann::json::parse(json);
  ASSERT_EQ(runs.size(), 2u);
  std::map<std::string, std::string> status;
  for (const auto& r : runs)
    status[r["run_id"].get<std::string>()] = r["status"].get<std::string>();
  EXPECT_EQ(status["dies"], "crashed");
  EXPECT_EQ(status["fails"], "failed");

  ASSERT_OK_AND_ASSIGN(std::string text, FormatRunStatus(dir.File("runs"), "fails", false));
  EXPECT_NE(text.find("run fails: failed (attempt 1, 2/4 stages done)"), std::string::npos) << text;
  EXPECT_NE(text.find("synthetic failure in total"), std::string::npos) << text;
  ASSERT_OK_AND_ASSIGN(text, FormatRunStatus(dir.File("runs"), "dies", false));
  EXPECT_NE(text.find("run dies: crashed"), std::string::npos) << text;
  EXPECT_NE(text.find("total     crashed"), std::string::npos) << text;
}

TEST(FlowConcurrency, ASecondProcessOnTheSameRunIsRefused) {
  TempDir dir;
  ChainConfig config;
  config.base_file = dir.Write("base.txt", "3\n");
  const std::string started = dir.File("started"), release = dir.File("release");
  // The first stage of the child's flow waits for the parent's signal file.
  auto blocking_chain = [&] {
    auto stages = MakeChain(config);
    auto inner = stages[0].run;
    stages[0].run = [inner, started, release](StageContext& ctx) -> Status {
      UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(started, "x"));
      for (int i = 0; i < 3000 && !FileExists(release); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return inner(ctx);
    };
    return stages;
  };
  const RunOptions options = Options(dir, "shared");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(RunFlow(options, blocking_chain()).ok() ? 0 : 3);
  for (int i = 0; i < 3000 && !FileExists(started); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(FileExists(started));

  auto second = RunFlow(options, MakeChain(config));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(fmt::format(
                "run 'shared' is already running in process {} on host {}", child, HostName())),
            std::string::npos)
      << second.status().message();
  // The refused process left the running one alone: it shows as running, not crashed.
  ASSERT_OK_AND_ASSIGN(std::string text, FormatRunStatus(options.runs_dir, "shared", false));
  EXPECT_NE(text.find("run shared: running (attempt 1"), std::string::npos) << text;
  // Another run id is independent.
  EXPECT_OK(RunFlow(Options(dir, "other"), MakeChain(config)).status());

  ASSERT_OK(WriteFileAtomic(release, "x"));
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_OK_AND_ASSIGN(RunSummary s, RunFlow(options, MakeChain(config)));
  EXPECT_EQ(s.attempt, 2);
  EXPECT_EQ(s.Count(Action::kRestored), 4);
  EXPECT_EQ(ReadAllOutputs(options.runs_dir, "shared"), ReadAllOutputs(options.runs_dir, "other"));
}

}  // namespace
}  // namespace upcamp::flow
