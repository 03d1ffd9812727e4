// The campaign run with real processes: a child `upcamp campaign run` is SIGKILLed by the fault
// injection (UPCAMP_FAULT) at every point of every stage and while publishing; the parent resumes
// the run with RunCampaign on the same options and compares result.csv and freeze.json byte for
// byte with an uninterrupted run. A child stopped (SIGSTOP) inside a stage or the publish step
// holds the run's lock: a second run on the id is refused. Killed and failing runs are told apart
// by `upcamp runs list`.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/campaign_testing.h"
#include "campaign/run.h"
#include "core/file_util.h"
#include "flow/history.h"
#include "flow/run.h"
#include "testing.h"

namespace upcamp::campaign {
namespace {

namespace fs = std::filesystem;
using testing::CampaignYaml;
using testing::Fixture;
using testing::kSizes;
using upcamp::testing::ReadAll;

Context Quiet(int threads) {
  Context ctx;
  ctx.threads = threads;
  ctx.quiet = true;
  return ctx;
}

std::string ChildLog(const CampaignRunOptions& options) {
  return (fs::path(options.runs_dir).parent_path() / ("child-" + options.run_id + ".log")).string();
}

// Starts `upcamp campaign run` with the same options in a child process, with
// UPCAMP_FAULT=`fault`; its stderr goes to `<runs>/../child-<run id>.log`. The child execs the
// binary rather than calling RunCampaign after the fork: this process has used OpenMP (XGBoost)
// and libgomp does not survive a fork. Everything is prepared before the fork, so that the child
// only calls async-signal-safe functions before exec.
pid_t StartChild(const CampaignRunOptions& options, const std::string& fault) {
  const std::vector<std::string> args = {
      UPCAMP_BINARY, "--quiet",           "--threads", "1",
      "--runs-dir",  options.runs_dir,    "campaign",  "run",
      "--config",    options.config_path, "--run-id",  options.run_id};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env = {"UPCAMP_FAULT=" + fault};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("UPCAMP_FAULT=", 0) != 0) env.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string log = ChildLog(options);

  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

int Wait(pid_t pid, int flags = 0) {
  int status = 0;
  ::waitpid(pid, &status, flags);
  return status;
}

bool KilledBySigkill(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// Kills and reaps a child left stopped by a failed assertion, so no test leaves a process behind.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      Wait(pid);
    }
  }
};

// result.csv and freeze.json of a published run.
std::pair<std::string, std::string> Published(const std::string& run_dir) {
  return {ReadAll(run_dir + "/result.csv"), ReadAll(run_dir + "/freeze.json")};
}

TEST(CampaignCrash, KilledAtEveryPointOfEveryStageAndWhilePublishingResumesToIdenticalOutput) {
  Fixture f;
  const std::string yaml = CampaignYaml(kSizes);
  // Also trains the shared bundle and generates the data before any fork.
  ASSERT_OK_AND_ASSIGN(auto reference, f.Run(yaml, "reference"));
  ASSERT_TRUE(reference.frozen);
  const auto expected = Published(reference.run_dir);
  ASSERT_FALSE(expected.first.empty());
  ASSERT_FALSE(expected.second.empty());

  struct Kill {
    std::string where, point;
    size_t stage;  // index of the killed stage; kStages while publishing
  };
  const auto& names = CampaignStageNames();
  const size_t kStages = names.size();
  std::vector<Kill> kills;
  for (size_t si = 0; si < kStages; ++si) {
    for (const char* point :
         {"before_outputs", "after_outputs", "after_rename", "after_manifest"}) {
      kills.push_back({names[si], point, si});
    }
  }
  kills.push_back({"publish", "after_result", kStages});
  kills.push_back({"publish", "after_report", kStages});
  ASSERT_EQ(kills.size(), 26u);

  for (const Kill& kill : kills) {
    const std::string fault = kill.where + ":" + kill.point;
    SCOPED_TRACE(fault);
    const std::string run_id = "crash-" + kill.where + "-" + kill.point;
    const CampaignRunOptions options = f.Options(yaml, run_id);
    const std::string run_dir = flow::RunDir(f.runs, run_id);
    ASSERT_TRUE(KilledBySigkill(Wait(StartChild(options, fault)))) << ReadAll(ChildLog(options));

    // Nothing is published before freeze.json; the dead attempt reads as crashed.
    EXPECT_FALSE(fs::exists(run_dir + "/freeze.json"));
    if (kill.where == "publish") {
      EXPECT_EQ(ReadAll(run_dir + "/result.csv"), expected.first);
      EXPECT_EQ(fs::exists(run_dir + "/report.html"), kill.point == "after_report");
    } else {
      EXPECT_FALSE(fs::exists(run_dir + "/result.csv"));
    }
    {
      ASSERT_OK_AND_ASSIGN(auto history, flow::RunHistory::Open(f.runs, false));
      ASSERT_OK_AND_ASSIGN(auto run, history->GetRun(run_id));
      ASSERT_TRUE(run.has_value());
      EXPECT_EQ(run->status, "crashed");
      ASSERT_OK_AND_ASSIGN(auto stages, history->GetStages(run_id));
      ASSERT_EQ(stages.size(), kStages);
      for (size_t k = 0; k < kStages; ++k) {
        const char* want = k < kill.stage ? "finished" : k == kill.stage ? "crashed" : "pending";
        EXPECT_EQ(stages[k].status, want) << stages[k].stage;
      }
    }

    ASSERT_OK_AND_ASSIGN(auto resumed, RunCampaign(options, Quiet(2)));
    ASSERT_TRUE(resumed.frozen);
    EXPECT_FALSE(resumed.already_frozen);
    ASSERT_EQ(resumed.stages.size(), kStages);
    for (size_t k = 0; k < kStages; ++k) {
      // Only a committed manifest makes a stage finished.
      const bool restored = k < kill.stage || (k == kill.stage && kill.point == "after_manifest");
      EXPECT_EQ(resumed.stages[k]["action"], restored ? "restored" : "computed") << names[k];
    }
    EXPECT_EQ(Published(run_dir), expected);
    EXPECT_TRUE(fs::exists(run_dir + "/report.html"));
    for (const auto& file : upcamp::testing::ListDir(run_dir + "/stages")) {
      EXPECT_NE(file.rfind(".tmp-", 0), 0u) << "left behind: " << file;
    }
    ASSERT_OK_AND_ASSIGN(auto history, flow::RunHistory::Open(f.runs, false));
    ASSERT_OK_AND_ASSIGN(auto run, history->GetRun(run_id));
    EXPECT_EQ(run->status, "finished");
    EXPECT_EQ(run->attempts, 2);
  }
}

TEST(CampaignConcurrency, ASecondRunOnTheSameIdIsRefusedWhileTheFirstComputesOrPublishes) {
  Fixture f;
  const std::string yaml = CampaignYaml(kSizes);
  ASSERT_OK_AND_ASSIGN(auto reference, f.Run(yaml, "reference"));
  const auto expected = Published(reference.run_dir);

  for (const std::string fault : {"select:before_outputs:stop", "publish:after_result:stop"}) {
    SCOPED_TRACE(fault);
    const bool publishing = fault.rfind("publish:", 0) == 0;
    const std::string run_id = publishing ? "publishing" : "selecting";
    const CampaignRunOptions options = f.Options(yaml, run_id);
    const std::string run_dir = flow::RunDir(f.runs, run_id);
    ChildGuard child{StartChild(options, fault)};
    // The child stops itself at the fault point, holding the run's lock.
    const int stopped = Wait(child.pid, WUNTRACED);
    ASSERT_TRUE(WIFSTOPPED(stopped)) << "child status " << stopped << ReadAll(ChildLog(options));
    const std::string result_before = publishing ? ReadAll(run_dir + "/result.csv") : std::string();
    if (publishing) {
      EXPECT_EQ(result_before, expected.first);
      EXPECT_FALSE(fs::exists(run_dir + "/freeze.json"));
    }

    auto second = RunCampaign(options, Quiet(1));
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), ErrorCode::kRuntime);
    EXPECT_NE(second.status().message().find(
                  fmt::format("run '{}' is already running in process {} on host {}", run_id,
                              child.pid, flow::HostName())),
              std::string::npos)
        << second.status().message();
    // The refused run touched nothing: no new attempt, nothing published.
    ASSERT_OK_AND_ASSIGN(auto history, flow::RunHistory::Open(f.runs, false));
    ASSERT_OK_AND_ASSIGN(auto run, history->GetRun(run_id));
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, "running");
    EXPECT_EQ(run->attempts, 1);
    EXPECT_FALSE(fs::exists(run_dir + "/freeze.json"));
    if (publishing) {
      EXPECT_EQ(ReadAll(run_dir + "/result.csv"), result_before);
    }

    ASSERT_EQ(::kill(child.pid, SIGCONT), 0);
    const int exited = Wait(child.pid);
    child.pid = -1;
    ASSERT_TRUE(WIFEXITED(exited) && WEXITSTATUS(exited) == 0)
        << "child status " << exited << ReadAll(ChildLog(options));
    EXPECT_EQ(Published(run_dir), expected);
    ASSERT_OK_AND_ASSIGN(run, history->GetRun(run_id));
    EXPECT_EQ(run->status, "finished");
    ASSERT_OK_AND_ASSIGN(auto again, RunCampaign(options, Quiet(1)));
    EXPECT_TRUE(again.already_frozen);
  }
}

using ::upcamp::testing::CliResult;

CliResult RunUpcamp(const Fixture& f, const std::string& args) {
  return ::upcamp::testing::RunUpcamp(f.dir, args);
}

TEST(CampaignCrash, KilledRunShowsCrashedAndFailingRunFailedInRunsList) {
  Fixture f;
  const std::string yaml = CampaignYaml(kSizes);
  ASSERT_TRUE(KilledBySigkill(Wait(StartChild(f.Options(yaml, "dies"), "score:after_outputs"))));
  // Valid config, but the select stage finds nobody: a stage error, recorded by the process.
  std::string nobody = yaml;
  nobody.replace(nobody.find("age >= 18"), 9, "age >= 1000");
  auto failed = f.Run(nobody, "fails");
  ASSERT_FALSE(failed.ok());

  CliResult r = RunUpcamp(f, "runs list --json --runs-dir " + f.runs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto runs = nlohmann::json::parse(r.out);
  ASSERT_EQ(runs.size(), 2u) << r.out;
  std::map<std::string, std::string> status;
  for (const auto& run : runs) {
    status[run["run_id"].get<std::string>()] = run["status"].get<std::string>();
  }
  EXPECT_EQ(status["dies"], "crashed");
  EXPECT_EQ(status["fails"], "failed");

  r = RunUpcamp(f, "runs show --run-id dies --runs-dir " + f.runs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("run dies: crashed (attempt 1, 2/6 stages done)"), std::string::npos)
      << r.out;
  r = RunUpcamp(f, "runs show --run-id fails --runs-dir " + f.runs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("run fails: failed (attempt 1, 0/6 stages done)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("the selection is empty"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace upcamp::campaign
