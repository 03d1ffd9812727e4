#include "campaign/run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "campaign/evaluate.h"
#include "core/file_util.h"
#include "data/table_io.h"
#include "data/ucol.h"
#include "flow/run.h"
#include "pipeline/train.h"
#include "synth/respond.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::campaign {
namespace {

namespace fs = std::filesystem;
using upcamp::testing::ReadAll;
using upcamp::testing::TempDir;

// One bundle for every test of this file, trained on the shared synthetic dataset.
const std::string& SharedBundle() {
  static const std::string dir = [] {
    static TempDir holder;
    const std::string data = synth::testing::SharedDatasetDir();
    const std::string yaml = fmt::format(
        "seed: 3\n"
        "data:\n"
        "  catalog: {}/catalog.yaml\n"
        "  date_to: 2019-03-19\n"
        "  features: [{{name: receipts_basic, args: {{delta: 30}}}}, {{name: age_gender}}]\n"
        "  target:\n"
        "    calcer: {{name: target_from_campaigns, args: {{date_to: 2019-03-21}}}}\n"
        "    expression: \"target_purchases_count > 0\"\n"
        "model: {{type: t_learner, base: {{type: xgboost, params: {{max_depth: 3, num_rounds: "
        "20}}}}}}\n"
        "validation: {{test_fraction: 0.3}}\n"
        "threshold: {{percentile: 60}}\n",
        data);
    const std::string out = holder.File("bundle");
    auto root = ConfigNode::Parse(yaml, "train.yaml");
    Context ctx;
    ctx.quiet = true;
    auto trained = pipeline::Train(*root, holder.path(), out, {}, ctx);
    EXPECT_TRUE(trained.ok()) << trained.status().ToString();
    return out;
  }();
  return dir;
}

std::string CampaignYaml(const std::string& groups, const std::string& extra = "") {
  return fmt::format(
      "name: test\n"
      "seed: 165\n"
      "catalog: {}/catalog.yaml\n"
      "model: {}\n"
      "date_to: 2019-03-19\n"
      "selection:\n"
      "  features: [{{name: receipts_basic, args: {{delta: 30}}}}, {{name: age_gender}}]\n"
      "  filters: [\"transaction_id_count__30d > 0\", \"age >= 18\"]\n"
      "groups:\n{}"
      "{}",
      synth::testing::SharedDatasetDir(), SharedBundle(), groups, extra);
}

constexpr const char* kSizes =
    "  - {name: control, size: 200, treatment: {type: constant, value: no_offer}}\n"
    "  - {name: random_target, size: 200, treatment: {type: constant, value: offer}}\n"
    "  - {name: targeted, size: 600, treatment: {type: model}}\n";

struct Fixture {
  TempDir dir;
  std::string runs = dir.File("runs");
  Result<CampaignRunResult> Run(const std::string& yaml, const std::string& run_id,
                                int threads = 1, const std::string& until = "") {
    const std::string config = dir.Write("campaign-" + run_id + ".yaml", yaml);
    CampaignRunOptions o;
    o.config_path = config;
    o.run_id = run_id;
    o.runs_dir = runs;
    o.until_stage = until;
    Context ctx;
    ctx.threads = threads;
    ctx.quiet = true;
    return RunCampaign(o, ctx);
  }
};

Table ReadResult(const std::string& path) {
  TableReadOptions read;
  read.schema = {{"client_id", DataType::kString}, {"score", DataType::kFloat64}};
  return ReadTableFile(path, read, Context{}).value();
}

TEST(CampaignRun, GroupsFiltersThresholdAndOrderHold) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(auto run, f.Run(CampaignYaml(kSizes), "r1"));
  ASSERT_TRUE(run.frozen);
  const Table result = ReadResult(run.result_path);
  const auto score = result.FindColumn("score")->float64s();
  const Column& group = *result.FindColumn("group");
  const Column& treatment = *result.FindColumn("treatment");
  const double threshold = run.freeze["threshold"]["value"].get<double>();
  std::map<std::string, int> sizes;
  for (size_t i = 0; i < result.num_rows(); ++i) {
    if (i > 0) {
      EXPECT_GE(score[i - 1], score[i]);  // sorted by score descending
    }
    const std::string g = group.ValueToString(i), t = treatment.ValueToString(i);
    ++sizes[g];
    if (g == "control") {
      EXPECT_EQ(t, "no_offer");
    } else if (g == "random_target") {
      EXPECT_EQ(t, "offer");
    } else if (g == "targeted") {
      EXPECT_EQ(t, score[i] > threshold ? "offer" : "no_offer");
    }
  }
  EXPECT_EQ(sizes["control"], 200);
  EXPECT_EQ(sizes["random_target"], 200);
  EXPECT_EQ(sizes["targeted"], 600);
  EXPECT_EQ(run.freeze["clients"].get<size_t>(), result.num_rows());
  // Every selected client passes the filters, checked on the stage's own features.
  ASSERT_OK_AND_ASSIGN(std::string select_dir,
                       flow::FinishedStageDir(f.runs, "r1", "select"));
  ASSERT_OK_AND_ASSIGN(Table selected, ReadUcol(select_dir + "/selection.ucol"));
  EXPECT_EQ(selected.num_rows(), result.num_rows());
  const Column& count = *selected.FindColumn("transaction_id_count__30d");
  const Column& age = *selected.FindColumn("age");
  for (size_t i = 0; i < selected.num_rows(); ++i) {
    ASSERT_FALSE(count.IsNull(i));
    ASSERT_FALSE(age.IsNull(i));
    EXPECT_GT(count.AsDouble(i), 0);
    EXPECT_GE(age.AsDouble(i), 18);
  }
  const auto& filters = run.freeze["selection"]["filters"];
  ASSERT_EQ(filters.size(), 2u);
  EXPECT_GT(filters[0]["removed_missing"].get<int64_t>(), 0);  // clients without receipts
}

TEST(CampaignRun, DeterministicAcrossThreadsAndRunIds) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(auto a, f.Run(CampaignYaml(kSizes), "a", 1));
  ASSERT_OK_AND_ASSIGN(auto b, f.Run(CampaignYaml(kSizes), "b", 2));
  EXPECT_EQ(ReadAll(a.result_path), ReadAll(b.result_path));
  // Assignment does not depend on the score: control and random target are the same clients
  // whatever the threshold rule.
  ASSERT_OK_AND_ASSIGN(auto c, f.Run(CampaignYaml(kSizes, "threshold: {type: top_fraction, "
                                                          "value: 0.1}\n"),
                                     "c", 2));
  auto members = [](const std::string& path, const std::string& name) {
    const Table t = ReadResult(path);
    std::set<std::string> out;
    for (size_t i = 0; i < t.num_rows(); ++i) {
      if (t.FindColumn("group")->ValueToString(i) == name) {
        out.insert(t.FindColumn("client_id")->ValueToString(i));
      }
    }
    return out;
  };
  EXPECT_EQ(members(a.result_path, "control"), members(c.result_path, "control"));
  EXPECT_EQ(members(a.result_path, "random_target"), members(c.result_path, "random_target"));
}

TEST(CampaignRun, FrozenRunIsImmutable) {
  Fixture f;
  ASSERT_OK(f.Run(CampaignYaml(kSizes), "r").status());
  const std::string before = ReadAll(f.runs + "/r/result.csv");
  ASSERT_OK_AND_ASSIGN(auto again, f.Run(CampaignYaml(kSizes), "r"));
  EXPECT_TRUE(again.already_frozen);
  EXPECT_TRUE(again.stages.empty());
  std::string changed = CampaignYaml(kSizes);
  changed.replace(changed.find("seed: 165"), 9, "seed: 166");
  auto refused = f.Run(changed, "r");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUsage);
  EXPECT_NE(refused.status().message().find("frozen"), std::string::npos);
  EXPECT_NE(refused.status().message().find("seed"), std::string::npos);
  EXPECT_EQ(ReadAll(f.runs + "/r/result.csv"), before);
}

TEST(CampaignRun, ResumingAtEveryStageBoundaryGivesTheSameResult) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(auto full, f.Run(CampaignYaml(kSizes), "full"));
  const std::string expected = ReadAll(full.result_path);
  for (const auto& stage : CampaignStageNames()) {
    const std::string id = "stop-" + stage;
    ASSERT_OK_AND_ASSIGN(auto partial, f.Run(CampaignYaml(kSizes), id, 1, stage));
    EXPECT_EQ(partial.frozen, stage == "freeze") << stage;
    ASSERT_OK_AND_ASSIGN(auto resumed, f.Run(CampaignYaml(kSizes), id, 2));
    ASSERT_TRUE(resumed.frozen);
    EXPECT_EQ(ReadAll(resumed.result_path), expected) << "stopped after " << stage;
    if (stage == "freeze") {
      EXPECT_TRUE(resumed.already_frozen);
      continue;
    }
    int restored = 0;
    for (const auto& s : resumed.stages) restored += s["action"] == "restored";
    EXPECT_GE(restored, 1) << stage;
  }
}

TEST(CampaignRun, ClearErrorsBeforeAnyWork) {
  Fixture f;
  auto too_big = f.Run(CampaignYaml("  - {name: control, size: 100000, treatment: {type: "
                                    "constant, value: no_offer}}\n"),
                       "big");
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("100000"), std::string::npos);

  std::string no_bundle = CampaignYaml(kSizes);
  no_bundle.replace(no_bundle.find(SharedBundle()), SharedBundle().size(), f.dir.File("nope"));
  auto missing = f.Run(no_bundle, "nb");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  EXPECT_FALSE(fs::exists(f.runs + "/nb"));

  auto empty = f.Run(CampaignYaml(kSizes, "").replace(
                         CampaignYaml(kSizes).find("age >= 18"), 9, "age >= 1000"),
                     "empty");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
}

TEST(CampaignEvaluate, SimulatedResponsesGiveDefinedEffectsAndNoSrm) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(auto run, f.Run(CampaignYaml(kSizes), "ev"));
  const std::string responses = f.dir.File("responses.csv");
  Context ctx;
  ctx.quiet = true;
  ASSERT_OK(synth::SimulateResponses(synth::testing::SharedDatasetDir(), run.result_path,
                                     responses, ctx));
  EvaluateOptions o;
  o.runs_dir = f.runs;
  o.run_id = "ev";
  o.responses_path = responses;
  o.bootstrap_replicates = 200;
  ASSERT_OK_AND_ASSIGN(auto ev, EvaluateCampaign(o, ctx));
  const auto& j = ev.evaluation;
  EXPECT_FALSE(j["srm"]["mismatch"].get<bool>());  // exact sizes match the design
  EXPECT_NEAR(j["srm"]["p_value"].get<double>(), 1.0, 1e-9);
  std::set<std::string> names;
  for (const auto& e : j["effects"]) {
    names.insert(e["name"].get<std::string>());
    ASSERT_TRUE(e["defined"].get<bool>()) << e.dump();
    const auto& d = e["difference"];
    EXPECT_LE(d["lower"].get<double>(), d["estimate"].get<double>());
    EXPECT_GE(d["upper"].get<double>(), d["estimate"].get<double>());
    EXPECT_NEAR(e["total"]["estimate"].get<double>(),
                d["estimate"].get<double>() * e["a"]["n"].get<double>(), 1e-6);
  }
  EXPECT_EQ(names, (std::set<std::string>{"targeted_offer", "targeted_no_offer", "targeted",
                                          "random_target", "targeted_vs_random"}));
  EXPECT_EQ(j["model"]["rows"], 400);
  EXPECT_TRUE(fs::exists(ev.evaluation_path));

  // An edited assignment is refused.
  std::string csv = ReadAll(run.result_path);
  csv.back() = csv.back() == '\n' ? ' ' : '\n';
  ASSERT_OK(WriteFileAtomic(run.result_path, csv));
  auto tampered = EvaluateCampaign(o, ctx);
  ASSERT_FALSE(tampered.ok());
  EXPECT_NE(tampered.status().message().find("checksum"), std::string::npos);
}

}  // namespace
}  // namespace upcamp::campaign
