// The flow engine in one process: restore vs recompute decisions, invalidation, tampering,
// --force / --until, failures, validation. Crash and concurrency tests are in crash_test.cc.

#include "flow/run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/file_util.h"
#include "flow/flow_testing.h"
#include "flow/history.h"
#include "flow/lock.h"
#include "flow/manifest.h"
#include "testing.h"

namespace upcamp::flow {
namespace {

using Action = StageOutcome::Action;
using ::upcamp::flow::testing::ChainConfig;
using ::upcamp::flow::testing::MakeChain;
using ::upcamp::flow::testing::ReadAllOutputs;
using ::upcamp::testing::ListDir;
using ::upcamp::testing::TempDir;

class FlowRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.base_file = dir_.Write("base.txt", "10\n");
    options_.runs_dir = dir_.File("runs");
    options_.run_id = "r1";
    options_.heartbeat_interval_s = 0;
  }
  Result<RunSummary> Run() { return RunFlow(options_, MakeChain(config_)); }
  // Statuses of the latest attempt's stages, in flow order.
  std::vector<std::string> HistoryStatuses() {
    auto h = RunHistory::Open(options_.runs_dir, false);
    EXPECT_TRUE(h.ok());
    auto stages = (*h)->GetStages(options_.run_id);
    EXPECT_TRUE(stages.ok());
    std::vector<std::string> out;
    for (const auto& s : *stages) out.push_back(s.stage + "=" + s.status);
    return out;
  }
  std::string StagesDir() { return RunDir(options_.runs_dir, options_.run_id) + "/stages"; }

  TempDir dir_;
  ChainConfig config_;
  RunOptions options_;
};

TEST_F(FlowRunTest, FirstRunComputesEverythingAndARerunRestoresEverything) {
  ASSERT_OK_AND_ASSIGN(RunSummary first, Run());
  EXPECT_EQ(first.attempt, 1);
  ASSERT_EQ(first.stages.size(), 4u);
  EXPECT_EQ(first.Count(Action::kComputed), 4);
  EXPECT_EQ(first.Find("generate")->rows, 500);
  EXPECT_EQ(first.Find("square")->rows, 500);
  EXPECT_EQ(first.Find("report")->reason, "no earlier result");
  EXPECT_EQ(ListDir(StagesDir()),
            (std::vector<std::string>{"generate", "generate.manifest.json", "report",
                                      "report.manifest.json", "square", "square.manifest.json",
                                      "total", "total.manifest.json"}));
  const auto outputs = ReadAllOutputs(options_.runs_dir, options_.run_id);
  ASSERT_EQ(outputs.size(), 5u);
  EXPECT_EQ(outputs[2].first, "report/report.txt");
  EXPECT_EQ(outputs[2].second.rfind("report\n{\"sum\": ", 0), 0u) << outputs[2].second;

  std::atomic<int> calls{0};
  config_.calls = &calls;
  ASSERT_OK_AND_ASSIGN(RunSummary second, Run());
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(second.Count(Action::kRestored), 4);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(second.Find("square")->rows, 500);
  EXPECT_EQ(second.Find("total")->output_dir, StagesDir() + "/total");
  EXPECT_EQ(ReadAllOutputs(options_.runs_dir, options_.run_id), outputs);
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=restored", "square=restored",
                                                         "total=restored", "report=restored"}));
  ASSERT_OK_AND_ASSIGN(std::string dir, FinishedStageDir(options_.runs_dir, "r1", "total"));
  EXPECT_EQ(dir, StagesDir() + "/total");
}

TEST_F(FlowRunTest, ParamChangeRecomputesTheStageAndItsDownstreamOnly) {
  ASSERT_OK(Run().status());
  config_.power = 3;  // square's params
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.Find("generate")->action, Action::kRestored);
  EXPECT_EQ(s.Find("square")->action, Action::kComputed);
  EXPECT_EQ(s.Find("square")->reason,
            "fingerprint changed (params, input files or upstream stages)");
  EXPECT_EQ(s.Find("total")->action, Action::kComputed);
  EXPECT_EQ(s.Find("report")->action, Action::kComputed);
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=restored", "square=finished",
                                                         "total=finished", "report=finished"}));

  config_.report_title = "another title";  // the last stage only
  ASSERT_OK_AND_ASSIGN(s, Run());
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=restored", "square=restored",
                                                         "total=restored", "report=finished"}));
  EXPECT_EQ(
      upcamp::testing::ReadAll(StagesDir() + "/report/report.txt").rfind("another title\n", 0), 0u);
}

TEST_F(FlowRunTest, CodeVersionAndInputFileChangesInvalidate) {
  ASSERT_OK(Run().status());
  config_.total_code_version = "total-v2";
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.Find("square")->action, Action::kRestored);
  EXPECT_EQ(s.Find("total")->reason, "code version changed (total-v1 -> total-v2)");
  EXPECT_EQ(s.Find("report")->action, Action::kComputed);

  const std::string before = upcamp::testing::ReadAll(StagesDir() + "/generate/numbers.csv");
  dir_.Write("base.txt", "1000\n");  // the external file of the first stage
  ASSERT_OK_AND_ASSIGN(s, Run());
  EXPECT_EQ(s.Count(Action::kComputed), 4);
  EXPECT_NE(upcamp::testing::ReadAll(StagesDir() + "/generate/numbers.csv"), before);

  std::filesystem::remove(config_.base_file);
  auto missing = Run();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("stage 'generate'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("base.txt"), std::string::npos);
}

TEST_F(FlowRunTest, TamperedTruncatedOrExtraOutputIsDetectedAndRecomputed) {
  ASSERT_OK(Run().status());
  const auto reference = ReadAllOutputs(options_.runs_dir, options_.run_id);
  const std::string ucol = StagesDir() + "/square/squares.ucol";

  {  // same size, one byte changed
    std::fstream f(ucol, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);
    const char c = static_cast<char>(f.get());
    f.seekp(40);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.Find("square")->action, Action::kComputed);
  EXPECT_NE(s.Find("square")->reason.find("checksum"), std::string::npos)
      << s.Find("square")->reason;
  // square's recomputed bytes equal the committed ones, so its readers stay valid.
  EXPECT_EQ(s.Find("total")->action, Action::kRestored);
  EXPECT_EQ(ReadAllOutputs(options_.runs_dir, options_.run_id), reference);

  std::filesystem::resize_file(StagesDir() + "/total/total.json", 3);
  ASSERT_OK_AND_ASSIGN(s, Run());
  EXPECT_EQ(s.Find("total")->action, Action::kComputed);
  EXPECT_NE(s.Find("total")->reason.find("truncated"), std::string::npos)
      << s.Find("total")->reason;

  dir_.Write("runs/r1/stages/report/stray.txt", "x");
  ASSERT_OK_AND_ASSIGN(s, Run());
  EXPECT_EQ(s.Find("report")->action, Action::kComputed);
  EXPECT_NE(s.Find("report")->reason.find("not in the stage manifest"), std::string::npos);

  std::filesystem::remove(StagesDir() + "/generate/numbers.csv");
  dir_.Write("runs/r1/stages/total.manifest.json", "{not json");
  ASSERT_OK_AND_ASSIGN(s, Run());
  EXPECT_EQ(s.Find("generate")->action, Action::kComputed);
  EXPECT_NE(s.Find("generate")->reason.find("missing"), std::string::npos);
  EXPECT_EQ(s.Find("square")->action, Action::kRestored);
  EXPECT_EQ(s.Find("total")->action, Action::kComputed);
  EXPECT_NE(s.Find("total")->reason.find("damaged stage manifest"), std::string::npos);
  EXPECT_EQ(ReadAllOutputs(options_.runs_dir, options_.run_id), reference);

  auto bad = FinishedStageDir(options_.runs_dir, "r1", "nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not finished"), std::string::npos);
}

TEST_F(FlowRunTest, AnUpstreamStageRecomputedWithDifferentBytesInvalidatesItsReaders) {
  ASSERT_OK(Run().status());
  // Simulate a non-deterministic stage: rewrite square's output and manifest consistently, as if
  // it had been recomputed with different bytes. total must not trust its old result.
  const std::string dir = StagesDir() + "/square";
  ASSERT_OK(WriteFileAtomic(dir + "/squares.ucol", "different"));
  ASSERT_OK_AND_ASSIGN(Manifest m, ReadManifest(StagesDir() + "/square.manifest.json"));
  ASSERT_OK_AND_ASSIGN(m.files, ScanOutputs(dir, false));
  m.outputs_digest = OutputsDigest(m.files);
  ASSERT_OK(WriteManifest(StagesDir() + "/square.manifest.json", m));

  auto s = Run();
  ASSERT_FALSE(s.ok());  // total now reads a broken .ucol: proof that it was recomputed
  EXPECT_NE(s.status().message().find("stage 'total'"), std::string::npos) << s.status().ToString();
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=restored", "square=restored",
                                                         "total=failed", "report=pending"}));
}

TEST_F(FlowRunTest, ForceRecomputesAStageAndItsDownstream) {
  ASSERT_OK(Run().status());
  options_.force_stage = "square";
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.Find("generate")->action, Action::kRestored);
  EXPECT_EQ(s.Find("square")->reason, "forced");
  EXPECT_EQ(s.Find("total")->reason, "downstream of a forced stage");
  EXPECT_EQ(s.Find("report")->action, Action::kComputed);

  options_.force_stage = "nope";
  auto bad = Run();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kUsage);
  EXPECT_NE(bad.status().message().find("generate, square, total, report"), std::string::npos);
}

TEST_F(FlowRunTest, UntilRunsOnlyTheStageAndWhatItReads) {
  options_.until_stage = "square";
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.Count(Action::kComputed), 2);
  EXPECT_EQ(s.Find("total")->action, Action::kSkipped);
  EXPECT_EQ(s.Find("report")->action, Action::kSkipped);
  EXPECT_FALSE(std::filesystem::exists(StagesDir() + "/total"));
  ASSERT_OK_AND_ASSIGN(auto history, RunHistory::Open(options_.runs_dir, false));
  ASSERT_OK_AND_ASSIGN(auto run, history->GetRun("r1"));
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, "partial");
  EXPECT_EQ(run->stages_total, 2);

  options_.until_stage.clear();
  ASSERT_OK_AND_ASSIGN(s, Run());
  EXPECT_EQ(s.Count(Action::kRestored), 2);
  EXPECT_EQ(s.Count(Action::kComputed), 2);
  ASSERT_OK_AND_ASSIGN(run, history->GetRun("r1"));
  EXPECT_EQ(run->status, "finished");
}

TEST_F(FlowRunTest, AFailingStageFailsTheRunKeepsFinishedStagesAndLeavesNoTempFolder) {
  config_.fail_stage = "total";
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);  // the stage's own error kind is kept
  EXPECT_EQ(r.status().message(), "stage 'total': synthetic failure in total");
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=finished", "square=finished",
                                                         "total=failed", "report=pending"}));
  ASSERT_OK_AND_ASSIGN(auto history, RunHistory::Open(options_.runs_dir, false));
  ASSERT_OK_AND_ASSIGN(auto run, history->GetRun("r1"));
  EXPECT_EQ(run->status, "failed");
  EXPECT_EQ(run->error, "stage 'total': synthetic failure in total");
  ASSERT_OK_AND_ASSIGN(auto stages, history->GetStages("r1"));
  EXPECT_EQ(stages[2].error, "synthetic failure in total");
  EXPECT_EQ(ListDir(StagesDir()), (std::vector<std::string>{"generate", "generate.manifest.json",
                                                            "square", "square.manifest.json"}));

  config_.fail_stage.clear();
  config_.throw_stage = "report";
  r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "stage 'report': internal error: synthetic exception in report");

  config_.throw_stage.clear();
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.attempt, 3);
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=restored", "square=restored",
                                                         "total=restored", "report=finished"}));
}

TEST_F(FlowRunTest, InvalidFlowsAndNamesAreRejected) {
  auto stages = MakeChain(config_);
  options_.run_id = "a/b";
  auto r = RunFlow(options_, stages);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("run id 'a/b' contains '/'"), std::string::npos)
      << r.status().message();

  options_.run_id = "ok";
  std::swap(stages[0], stages[1]);  // square before generate
  r = RunFlow(options_, stages);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "stage 'square' reads 'generate', which is not a stage listed before it");

  stages = MakeChain(config_);
  stages[2].name = "square";
  r = RunFlow(options_, stages);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "stage 'square' is listed twice");

  stages = MakeChain(config_);
  stages[1].run = [](StageContext& ctx) -> Status {
    return ctx.InputDir("total").status();  // not declared
  };
  r = RunFlow(options_, stages);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "stage 'square': stage 'square' reads stage 'total', which is not among its inputs "
            "[generate]");

  ::setenv("UPCAMP_FAULT", "square:sometime", 1);
  r = RunFlow(options_, MakeChain(config_));
  ::unsetenv("UPCAMP_FAULT");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
  EXPECT_NE(r.status().message().find("before_outputs"), std::string::npos);
}

TEST_F(FlowRunTest, PublishRunsUnderTheLockBeforeTheAttemptEnds) {
  const std::string lock_path = RunDir(options_.runs_dir, options_.run_id) + "/.lock";
  int calls = 0;
  options_.publish = [&](const RunSummary& summary) -> Status {
    ++calls;
    EXPECT_EQ(summary.Count(Action::kComputed), 4);
    // Still locked: another process (an open file description of its own) is refused.
    EXPECT_TRUE(LockIsHeld(lock_path));
    auto second = LockRun(options_.runs_dir, options_.run_id);
    EXPECT_FALSE(second.ok());
    // Not recorded as ended yet.
    auto history = RunHistory::Open(options_.runs_dir, false);
    EXPECT_TRUE(history.ok());
    auto run = (*history)->GetRun(options_.run_id);
    EXPECT_TRUE(run.ok() && run->has_value() && (*run)->status == "running");
    return Status::Ok();
  };
  ASSERT_OK(Run().status());
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(LockIsHeld(lock_path));

  // A failing publish fails the attempt; the stages stay finished.
  options_.publish = [](const RunSummary&) { return Status::Io("disk full while publishing"); };
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "disk full while publishing");
  ASSERT_OK_AND_ASSIGN(auto history, RunHistory::Open(options_.runs_dir, false));
  ASSERT_OK_AND_ASSIGN(auto run, history->GetRun(options_.run_id));
  EXPECT_EQ(run->status, "failed");
  EXPECT_EQ(run->error, "disk full while publishing");
  EXPECT_EQ(HistoryStatuses(), (std::vector<std::string>{"generate=restored", "square=restored",
                                                         "total=restored", "report=restored"}));
  options_.publish = [](const RunSummary&) -> Status { throw std::runtime_error("boom"); };
  r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "internal error: boom");

  // Not called when a stage failed.
  calls = 0;
  options_.publish = [&](const RunSummary&) {
    ++calls;
    return Status::Ok();
  };
  options_.force_stage = "total";
  config_.fail_stage = "total";
  ASSERT_FALSE(Run().ok());
  EXPECT_EQ(calls, 0);
}

TEST_F(FlowRunTest, ACallerHeldLockIsUsedAndMustBeThisRunsLock) {
  ASSERT_OK_AND_ASSIGN(RunLock lock, LockRun(options_.runs_dir, options_.run_id));
  // Without handing it over, the run is refused like any second process.
  auto refused = Run();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("run 'r1' is already running in process"),
            std::string::npos)
      << refused.status().message();
  options_.lock = &lock;
  ASSERT_OK_AND_ASSIGN(RunSummary s, Run());
  EXPECT_EQ(s.Count(Action::kComputed), 4);
  // RunFlow did not release the caller's lock.
  EXPECT_TRUE(LockIsHeld(RunDir(options_.runs_dir, options_.run_id) + "/.lock"));

  ASSERT_OK_AND_ASSIGN(RunLock other, LockRun(options_.runs_dir, "r2"));
  options_.lock = &other;
  auto wrong = Run();
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("was given the lock"), std::string::npos)
      << wrong.status().message();
}

TEST_F(FlowRunTest, FaultSpecsAreChecked) {
  for (const char* bad : {"square", "square:", ":after_outputs", "square:after_outputs:wait",
                          "square:after_outputs:stop:x", "square:sometime"}) {
    SCOPED_TRACE(bad);
    ::setenv("UPCAMP_FAULT", bad, 1);
    auto r = Run();
    ::unsetenv("UPCAMP_FAULT");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
  }
  // A name that is not a stage is a caller's own step: accepted, and never fires in the flow.
  ::setenv("UPCAMP_FAULT", "publish:after_result", 1);
  auto r = Run();
  ::unsetenv("UPCAMP_FAULT");
  EXPECT_OK(r.status());
}

TEST(FlowFingerprint, CoversEveryPartAndIsCanonical) {
  TempDir dir;
  StageSpec s;
  s.name = "a";
  s.code_version = "v1";
  s.inputs = {"in"};
  s.params = nlohmann::json::parse(R"({"x": 1, "y": [1, 2]})");
  s.external_files = {{dir.Write("f.txt", "hello"), false}};
  const std::map<std::string, std::string, std::less<>> inputs = {{"in", "0123"}};
  ASSERT_OK_AND_ASSIGN(const std::string base, StageFingerprint(s, inputs));
  EXPECT_EQ(base.size(), 16u);

  StageSpec reordered = s;
  reordered.params = nlohmann::json::parse(R"({"y": [1, 2], "x": 1})");
  EXPECT_EQ(StageFingerprint(reordered, inputs).value(), base);

  auto differs = [&](auto mutate, const std::map<std::string, std::string, std::less<>>& in) {
    StageSpec t = s;
    mutate(t);
    return StageFingerprint(t, in).value() != base;
  };
  EXPECT_TRUE(differs([](StageSpec& t) { t.name = "b"; }, inputs));
  EXPECT_TRUE(differs([](StageSpec& t) { t.code_version = "v2"; }, inputs));
  EXPECT_TRUE(differs([](StageSpec& t) { t.params["x"] = 2; }, inputs));
  EXPECT_TRUE(differs([](StageSpec&) {}, {{"in", "0124"}}));
  EXPECT_TRUE(differs([](StageSpec& t) { t.external_files[0].hash_content = true; }, inputs));

  // Same size and mtime but other bytes: only a content hash sees it.
  s.external_files[0].hash_content = true;
  ASSERT_OK_AND_ASSIGN(const std::string hashed, StageFingerprint(s, inputs));
  const auto mtime = std::filesystem::last_write_time(s.external_files[0].path);
  dir.Write("f.txt", "HELLO");
  std::filesystem::last_write_time(s.external_files[0].path, mtime);
  EXPECT_NE(StageFingerprint(s, inputs).value(), hashed);
  s.external_files[0].hash_content = false;
  EXPECT_EQ(StageFingerprint(s, inputs).value(), base);

  // The same file named relative to the working folder is the same input.
  StageSpec relative = s;
  relative.external_files[0].path =
      std::filesystem::relative(s.external_files[0].path, std::filesystem::current_path()).string();
  ASSERT_NE(relative.external_files[0].path, s.external_files[0].path);
  EXPECT_EQ(StageFingerprint(relative, inputs).value(), base);

  auto missing_input = StageFingerprint(s, {});
  EXPECT_FALSE(missing_input.ok());
}

TEST(FlowNames, Validation) {
  EXPECT_OK(ValidateName("exp300-march_2.b", "run id"));
  EXPECT_FALSE(ValidateName("", "run id").ok());
  EXPECT_FALSE(ValidateName(".hidden", "run id").ok());
  EXPECT_FALSE(ValidateName("a b", "run id").ok());
  EXPECT_FALSE(ValidateName(std::string(129, 'a'), "run id").ok());
}

}  // namespace
}  // namespace upcamp::flow
