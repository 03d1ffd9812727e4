// The run history database: attempts, stage rows, liveness of runs on other hosts, retention,
// and the text / JSON reports.

#include "flow/history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "testing.h"

namespace upcamp::flow {
namespace {

using ::upcamp::testing::TempDir;

TEST(FlowHistory, AttemptsAndStageRows) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto h, RunHistory::Open(dir.File("runs"), true));
  ASSERT_OK_AND_ASSIGN(int a1, h->BeginAttempt("r", {{"k", 1}}, HostName(), ::getpid()));
  EXPECT_EQ(a1, 1);
  ASSERT_OK(h->AddPendingStages("r", a1, {"a", "b"}));
  ASSERT_OK(h->StageRunning("r", a1, "a", "ff", "no earlier result"));
  ASSERT_OK(h->StageEnded("r", a1, "a", "finished", "ff", 12, 3456, ""));
  ASSERT_OK(h->StageRunning("r", a1, "b", "ee", "no earlier result"));
  ASSERT_OK(h->StageEnded("r", a1, "b", "failed", "ee", 0, 0, "boom"));
  ASSERT_OK(h->EndAttempt("r", a1, "failed", "stage 'b': boom"));

  ASSERT_OK_AND_ASSIGN(auto run, h->GetRun("r"));
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, "failed");
  EXPECT_EQ(run->config["k"], 1);
  EXPECT_EQ(run->stages_total, 2);
  EXPECT_EQ(run->stages_done, 1);
  EXPECT_EQ(run->host, HostName());
  EXPECT_GT(run->finished_at, 0);
  ASSERT_OK_AND_ASSIGN(auto stages, h->GetStages("r"));
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].rows, 12);
  EXPECT_EQ(stages[0].bytes, 3456u);
  EXPECT_EQ(stages[0].reason, "no earlier result");
  EXPECT_GE(stages[0].finished_at, stages[0].started_at);
  EXPECT_EQ(stages[1].error, "boom");

  ASSERT_OK_AND_ASSIGN(int a2, h->BeginAttempt("r", {{"k", 2}}, HostName(), ::getpid()));
  EXPECT_EQ(a2, 2);
  ASSERT_OK_AND_ASSIGN(run, h->GetRun("r"));
  EXPECT_EQ(run->config["k"], 2);
  EXPECT_EQ(run->finished_at, 0);
  EXPECT_EQ(run->error, "");
  ASSERT_OK_AND_ASSIGN(auto old, h->GetStages("r", 1));
  EXPECT_EQ(old.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto none, h->GetStages("unknown"));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto missing, h->GetRun("unknown"));
  EXPECT_FALSE(missing.has_value());
}

TEST(FlowHistory, ARunOnAnotherHostIsCrashedOnceItsHeartbeatIsStale) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto h, RunHistory::Open(dir.File("runs"), true));
  ASSERT_OK_AND_ASSIGN(int a, h->BeginAttempt("remote", {}, "some-other-host", 4242));
  ASSERT_OK(h->AddPendingStages("remote", a, {"s"}));
  ASSERT_OK(h->StageRunning("remote", a, "s", "ff", "no earlier result"));
  ASSERT_OK(h->Heartbeat("remote"));
  h->stale_after_s = 3600;
  ASSERT_OK_AND_ASSIGN(auto run, h->GetRun("remote"));
  EXPECT_EQ(run->status, "running");
  h->stale_after_s = -1;  // every heartbeat is stale
  ASSERT_OK_AND_ASSIGN(run, h->GetRun("remote"));
  EXPECT_EQ(run->status, "crashed");
  ASSERT_OK_AND_ASSIGN(auto stages, h->GetStages("remote"));
  EXPECT_EQ(stages[0].status, "crashed");
}

TEST(FlowHistory, ARunningRunOfADeadLocalProcessWithoutLockFileIsCrashed) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto h, RunHistory::Open(dir.File("runs"), true));
  // pid 0x3fffffff is above Linux's pid_max limit, so no such process exists.
  ASSERT_OK(h->BeginAttempt("gone", {}, HostName(), 0x3fffffff).status());
  ASSERT_OK(h->BeginAttempt("alive", {}, HostName(), ::getpid()).status());
  ASSERT_OK_AND_ASSIGN(auto gone, h->GetRun("gone"));
  EXPECT_EQ(gone->status, "crashed");
  ASSERT_OK_AND_ASSIGN(auto alive, h->GetRun("alive"));
  EXPECT_EQ(alive->status, "running");
}

TEST(FlowHistory, RetentionBoundsRunsAndAttempts) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto h, RunHistory::Open(dir.File("runs"), true));
  for (int i = 0; i < 5; ++i) {
    const std::string id = "run" + std::to_string(i);
    for (int k = 1; k <= 3; ++k) {
      ASSERT_OK_AND_ASSIGN(int a, h->BeginAttempt(id, {}, HostName(), ::getpid()));
      ASSERT_EQ(a, k);
      ASSERT_OK(h->AddPendingStages(id, a, {"s"}));
      ASSERT_OK(h->EndAttempt(id, a, "finished", ""));
    }
  }
  ASSERT_OK(h->ApplyRetention({.max_runs = 3, .max_attempts_per_run = 2}));
  ASSERT_OK_AND_ASSIGN(auto runs, h->ListRuns());
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].run_id, "run4");  // most recently started first
  EXPECT_EQ(runs[2].run_id, "run2");
  ASSERT_OK_AND_ASSIGN(auto first, h->GetStages("run4", 1));
  EXPECT_TRUE(first.empty());
  ASSERT_OK_AND_ASSIGN(auto second, h->GetStages("run4", 2));
  EXPECT_EQ(second.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto pruned, h->GetStages("run0", 3));
  EXPECT_TRUE(pruned.empty());
  ASSERT_OK_AND_ASSIGN(auto limited, h->ListRuns(1));
  EXPECT_EQ(limited.size(), 1u);
}

TEST(FlowHistory, ReportsOnAnEmptyOrMissingHistory) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::string text, FormatRunList(dir.File("runs"), false));
  EXPECT_EQ(text, "no runs in " + dir.File("runs") + "\n");
  ASSERT_OK_AND_ASSIGN(std::string json, FormatRunList(dir.File("runs"), true));
  EXPECT_EQ(json, "[]\n");
  EXPECT_FALSE(RunHistory::HistoryExists(dir.File("runs")));  // reading created nothing
  auto status = FormatRunStatus(dir.File("runs"), "nope", false);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().code(), ErrorCode::kUsage);
  EXPECT_NE(status.status().message().find("no run 'nope'"), std::string::npos);
}

TEST(FlowHistory, ReportsRenderTablesAndJson) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto h, RunHistory::Open(dir.File("runs"), true));
    ASSERT_OK_AND_ASSIGN(int a, h->BeginAttempt("exp", {{"seed", 165}}, HostName(), ::getpid()));
    ASSERT_OK(h->AddPendingStages("exp", a, {"select", "score"}));
    ASSERT_OK(h->StageEnded("exp", a, "select", "restored", "ab", 260000, 2500000, ""));
    ASSERT_OK(h->EndAttempt("exp", a, "partial", ""));
  }
  ASSERT_OK_AND_ASSIGN(std::string list, FormatRunList(dir.File("runs"), false));
  EXPECT_EQ(list.rfind("RUN ID  STATUS   STAGES  ATTEMPTS  STARTED", 0), 0u) << list;
  EXPECT_NE(list.find("\nexp     partial  1/2     1         "), std::string::npos) << list;

  ASSERT_OK_AND_ASSIGN(std::string status, FormatRunStatus(dir.File("runs"), "exp", false));
  EXPECT_NE(status.find("run exp: partial (attempt 1, 1/2 stages done)"), std::string::npos);
  EXPECT_NE(status.find("select  restored  260000  2.5 MB"), std::string::npos) << status;
  EXPECT_NE(status.find("score   pending   -       -"), std::string::npos) << status;

  ASSERT_OK_AND_ASSIGN(std::string json, FormatRunStatus(dir.File("runs"), "exp", true));
  const auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["status"], "partial");
  EXPECT_EQ(j["config"]["seed"], 165);
  ASSERT_EQ(j["stages"].size(), 2u);
  EXPECT_EQ(j["stages"][0]["rows"], 260000);
  EXPECT_EQ(j["stages"][1]["status"], "pending");
}

}  // namespace
}  // namespace upcamp::flow
