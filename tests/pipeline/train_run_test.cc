// `upcamp train` as a flow-engine run: a training killed (UPCAMP_FAULT, in a separate `upcamp`
// process) or stopped (--until-stage) at any stage resumes to a byte-identical bundle; an
// unchanged rerun restores every stage; a config change recomputes only the stages it affects.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "flow/stage.h"
#include "pipeline/bundle.h"
#include "pipeline/train.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::pipeline {
namespace {

namespace fs = std::filesystem;
using upcamp::testing::TempDir;

// Catalog mode on the shared synthetic dataset: every stage (features, fit, bundle) exists.
std::string CatalogConfig(int delta = 30, int rounds = 15, int percentile = 75) {
  return fmt::format(
      "seed: 5\n"
      "data:\n"
      "  catalog: {}/catalog.yaml\n"
      "  date_to: 2019-03-19\n"
      "  features:\n"
      "    - {{name: receipts_basic, args: {{delta: {}}}}}\n"
      "    - {{name: age_gender}}\n"
      "  target:\n"
      "    calcer: {{name: target_from_campaigns, args: {{date_to: 2019-03-21}}}}\n"
      "    expression: \"target_purchases_count > 0\"\n"
      "  transforms:\n"
      "    - {{name: one_hot_encode, args: {{cols: [gender]}}}}\n"
      "model: {{type: t_learner, base: {{type: xgboost, params: {{max_depth: 3, num_rounds: "
      "{}}}}}}}\n"
      "validation: {{test_fraction: 0.4}}\n"
      "threshold: {{percentile: {}}}\n",
      synth::testing::SharedDatasetDir(), delta, rounds, percentile);
}

// Every file of a bundle folder: name -> bytes.
std::map<std::string, std::string> BundleFiles(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& name : upcamp::testing::ListDir(dir)) {
    out[name] = upcamp::testing::ReadAll(dir + "/" + name);
  }
  return out;
}

struct Trainer {
  TempDir dir;
  std::string runs = dir.File("runs");

  Result<TrainSummary> Train(const std::string& yaml, const std::string& out,
                             const std::string& run_id, const std::string& until = "",
                             int threads = 2) {
    const std::string config = dir.Write("train.yaml", yaml);
    TrainOptions options;
    options.runs_dir = runs;
    options.run_id = run_id;
    options.until_stage = until;
    Context ctx;
    ctx.threads = threads;
    ctx.quiet = true;
    return TrainFromConfigFile(config, out, options, ctx);
  }

  // `upcamp train` in its own process with UPCAMP_FAULT set; the exit status.
  int TrainInProcess(const std::string& yaml, const std::string& out, const std::string& run_id,
                     const std::string& fault) {
    const std::string config = dir.Write("train.yaml", yaml);
    const std::string cmd = fmt::format(
        "UPCAMP_FAULT={} {} --quiet --threads 2 --runs-dir {} train --config {} --out {} "
        "--run-id {} 2>{}",
        fault, UPCAMP_BINARY, runs, config, out, run_id, dir.File(".stderr"));
    return std::system(cmd.c_str());
  }
};

std::map<std::string, std::string> Actions(const TrainSummary& s) {
  std::map<std::string, std::string> out;
  for (const auto& stage : s.stages) {
    out[stage["name"].get<std::string>()] = stage["action"].get<std::string>();
  }
  return out;
}

// The process died of SIGKILL: directly, or as the shell's exit code 128 + 9.
bool Killed(int status) {
  return (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
         (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL);
}

class TrainRunTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("SOURCE_DATE_EPOCH", "1700000000", 1); }
  void TearDown() override { unsetenv("SOURCE_DATE_EPOCH"); }
};

TEST_F(TrainRunTest, KilledOrStoppedAtEveryStageResumesToAnIdenticalBundle) {
  Trainer t;
  const std::string yaml = CatalogConfig();
  ASSERT_OK_AND_ASSIGN(TrainSummary reference, t.Train(yaml, t.dir.File("reference"), "ref"));
  EXPECT_EQ(Actions(reference),
            (std::map<std::string, std::string>{
                {"features", "computed"}, {"fit", "computed"}, {"bundle", "computed"}}));
  const auto expected = BundleFiles(t.dir.File("reference"));
  ASSERT_EQ(expected.count("report.html"), 1u);
  ASSERT_EQ(expected.count("manifest.json"), 1u);

  const std::vector<std::string> stages = {"features", "fit", "bundle"};
  for (size_t si = 0; si < stages.size(); ++si) {
    const std::string& stage = stages[si];
    // Killed: the stage's outputs were written but not committed.
    {
      SCOPED_TRACE("killed in " + stage);
      const std::string out = t.dir.File("killed-" + stage), run_id = "killed-" + stage;
      ASSERT_TRUE(Killed(t.TrainInProcess(yaml, out, run_id, stage + ":after_outputs")));
      EXPECT_FALSE(fs::exists(out));  // no partial bundle
      ASSERT_OK_AND_ASSIGN(TrainSummary resumed, t.Train(yaml, out, run_id));
      const auto actions = Actions(resumed);
      for (size_t k = 0; k < stages.size(); ++k) {
        EXPECT_EQ(actions.at(stages[k]), k < si ? "restored" : "computed") << stages[k];
      }
      EXPECT_EQ(BundleFiles(out), expected);
      ASSERT_OK(LoadBundle(out).status());
    }
    // Stopped with until_stage: nothing published; the next run continues after the stage.
    // (Until the last stage is the whole training.)
    if (si + 1 < stages.size()) {
      SCOPED_TRACE("until " + stage);
      const std::string out = t.dir.File("until-" + stage), run_id = "until-" + stage;
      ASSERT_OK_AND_ASSIGN(TrainSummary partial, t.Train(yaml, out, run_id, stage));
      EXPECT_FALSE(partial.published);
      EXPECT_FALSE(fs::exists(out));
      // One thread for the rest: the stages' outputs do not depend on the thread count.
      ASSERT_OK_AND_ASSIGN(TrainSummary resumed, t.Train(yaml, out, run_id, "", 1));
      EXPECT_TRUE(resumed.published);
      const auto actions = Actions(resumed);
      for (size_t k = 0; k < stages.size(); ++k) {
        EXPECT_EQ(actions.at(stages[k]), k <= si ? "restored" : "computed") << stages[k];
      }
      EXPECT_EQ(BundleFiles(out), expected);
    }
  }
}

TEST_F(TrainRunTest, RerunRestoresAndAConfigChangeRecomputesOnlyDownstream) {
  Trainer t;
  const std::string out = t.dir.File("bundle");
  ASSERT_OK_AND_ASSIGN(TrainSummary first, t.Train(CatalogConfig(), out, "exp"));
  const auto bundle1 = BundleFiles(out);

  // Unchanged: every stage restored, the same bundle published again.
  ASSERT_OK_AND_ASSIGN(TrainSummary again, t.Train(CatalogConfig(), out, "exp"));
  EXPECT_EQ(Actions(again),
            (std::map<std::string, std::string>{
                {"features", "restored"}, {"fit", "restored"}, {"bundle", "restored"}}));
  EXPECT_EQ(BundleFiles(out), bundle1);
  EXPECT_EQ(again.validation, first.validation);

  // The threshold rule only affects the bundle stage.
  ASSERT_OK_AND_ASSIGN(TrainSummary threshold, t.Train(CatalogConfig(30, 15, 50), out, "exp"));
  EXPECT_EQ(Actions(threshold),
            (std::map<std::string, std::string>{
                {"features", "restored"}, {"fit", "restored"}, {"bundle", "computed"}}));
  ASSERT_OK_AND_ASSIGN(Bundle b2, LoadBundle(out));
  EXPECT_EQ(b2.manifest["threshold"]["rule"], "percentile 50");
  EXPECT_EQ(b2.manifest["model"], nlohmann::json::parse(bundle1.at("manifest.json"))["model"]);

  // The model's parameters: fit and bundle, not the features.
  ASSERT_OK_AND_ASSIGN(TrainSummary model, t.Train(CatalogConfig(30, 10, 50), out, "exp"));
  EXPECT_EQ(Actions(model),
            (std::map<std::string, std::string>{
                {"features", "restored"}, {"fit", "computed"}, {"bundle", "computed"}}));
  ASSERT_OK_AND_ASSIGN(Bundle b3, LoadBundle(out));
  EXPECT_EQ(b3.manifest["model"]["config"]["base"]["params"]["num_rounds"], 10);

  // A feature calcer: everything.
  ASSERT_OK_AND_ASSIGN(TrainSummary features, t.Train(CatalogConfig(20, 10, 50), out, "exp"));
  EXPECT_EQ(Actions(features),
            (std::map<std::string, std::string>{
                {"features", "computed"}, {"fit", "computed"}, {"bundle", "computed"}}));
  ASSERT_OK_AND_ASSIGN(Bundle b4, LoadBundle(out));
  EXPECT_EQ(b4.manifest["features"]["config"][0]["args"]["delta"], 20);
}

TEST(TrainRun, DefaultRunIdComesFromTheOutputFolder) {
  TempDir dir;
  const std::string a = DefaultTrainRunId(dir.File("models/exp 300"));
  EXPECT_EQ(a.rfind("train-exp_300-", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("train-exp_300-").size() + 8);
  ASSERT_OK(flow::ValidateName(a, "run id"));
  // Stable for the same folder however it is spelled; different for another folder.
  EXPECT_EQ(DefaultTrainRunId(dir.File("models/./exp 300")), a);
  EXPECT_NE(DefaultTrainRunId(dir.File("other/exp 300")), a);

  // Used when no run id is given.
  Trainer t;
  const std::string out = t.dir.File("bundle");
  ASSERT_OK_AND_ASSIGN(TrainSummary s, t.Train(CatalogConfig(), out, ""));
  EXPECT_EQ(s.run_id, DefaultTrainRunId(out));
  EXPECT_TRUE(fs::exists(t.runs + "/" + s.run_id + "/stages/bundle.manifest.json"));
  // An unknown stage is a usage error naming the stages.
  auto bad = t.Train(CatalogConfig(), out, "", "score");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kUsage);
  EXPECT_NE(bad.status().message().find("features, fit, bundle"), std::string::npos);
}

}  // namespace
}  // namespace upcamp::pipeline
