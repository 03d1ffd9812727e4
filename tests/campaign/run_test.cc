#include "campaign/run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "campaign/campaign_testing.h"
#include "campaign/evaluate.h"
#include "core/file_util.h"
#include "data/table_io.h"
#include "data/ucol.h"
#include "flow/history.h"
#include "flow/run.h"
#include "synth/respond.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::campaign {
namespace {

namespace fs = std::filesystem;
using testing::CampaignYaml;
using testing::Fixture;
using testing::kSizes;
using testing::SharedBundle;
using upcamp::testing::ReadAll;

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
  ASSERT_OK_AND_ASSIGN(std::string select_dir, flow::FinishedStageDir(f.runs, "r1", "select"));
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
  ASSERT_OK_AND_ASSIGN(auto c, f.Run(CampaignYaml(kSizes,
                                                  "threshold: {type: top_fraction, "
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

std::vector<std::string> Actions(const CampaignRunResult& run) {
  std::vector<std::string> out;
  for (const auto& s : run.stages) out.push_back(s["action"].get<std::string>());
  return out;
}

// The stage rows of one attempt as the history recorded them.
std::vector<flow::StageRecord> HistoryStages(const std::string& runs, const std::string& run_id,
                                             int attempt) {
  auto history = flow::RunHistory::Open(runs, false);
  EXPECT_TRUE(history.ok()) << history.status().ToString();
  if (!history.ok()) return {};
  auto stages = (*history)->GetStages(run_id, attempt);
  EXPECT_TRUE(stages.ok()) << stages.status().ToString();
  return stages.ok() ? *stages : std::vector<flow::StageRecord>{};
}

std::vector<std::string> Statuses(const std::vector<flow::StageRecord>& stages) {
  std::vector<std::string> out;
  for (const auto& s : stages) out.push_back(s.stage + " " + s.status);
  return out;
}

constexpr const char* kUpstreamChanged =
    "fingerprint changed (params, input files or upstream "
    "stages)";

TEST(CampaignRun, EditingTheSplitRestoresSelectFeaturesAndScore) {
  Fixture f;
  // Not frozen yet: stopped after recommend, e.g. to look at the groups.
  ASSERT_OK_AND_ASSIGN(auto first, f.Run(CampaignYaml(kSizes), "r", 1, "recommend"));
  ASSERT_FALSE(first.frozen);
  EXPECT_EQ(Actions(first), (std::vector<std::string>{"computed", "computed", "computed",
                                                      "computed", "computed", "skipped"}));

  // Attempt 2: other group sizes.
  std::string sizes = kSizes;
  sizes.replace(sizes.find("control, size: 200"), 18, "control, size: 150");
  ASSERT_OK_AND_ASSIGN(auto second, f.Run(CampaignYaml(sizes), "r", 1, "recommend"));
  EXPECT_EQ(Actions(second), (std::vector<std::string>{"restored", "restored", "restored",
                                                       "computed", "computed", "skipped"}));
  auto stages = HistoryStages(f.runs, "r", 2);
  EXPECT_EQ(Statuses(stages),
            (std::vector<std::string>{"select restored", "features restored", "score restored",
                                      "split finished", "recommend finished"}));
  ASSERT_EQ(stages.size(), 5u);
  EXPECT_EQ(stages[3].reason, kUpstreamChanged);
  EXPECT_EQ(stages[4].reason, kUpstreamChanged);

  // Attempt 3: another seed (no random subset: the seed only drives the split), run to the end.
  std::string reseeded = CampaignYaml(sizes);
  reseeded.replace(reseeded.find("seed: 165"), 9, "seed: 166");
  ASSERT_OK_AND_ASSIGN(auto third, f.Run(reseeded, "r"));
  ASSERT_TRUE(third.frozen);
  EXPECT_EQ(Actions(third), (std::vector<std::string>{"restored", "restored", "restored",
                                                      "computed", "computed", "computed"}));
  stages = HistoryStages(f.runs, "r", 3);
  EXPECT_EQ(Statuses(stages),
            (std::vector<std::string>{"select restored", "features restored", "score restored",
                                      "split finished", "recommend finished", "freeze finished"}));
  ASSERT_EQ(stages.size(), 6u);
  EXPECT_EQ(stages[3].reason, kUpstreamChanged);
  EXPECT_EQ(stages[5].reason, "no earlier result");
  EXPECT_EQ(third.freeze["config"]["seed"], 166);
  EXPECT_EQ(third.freeze["counts"]["control"]["no_offer"], 150);

  // The edited run gives what a fresh run of the final config gives.
  ASSERT_OK_AND_ASSIGN(auto fresh, f.Run(reseeded, "fresh"));
  EXPECT_EQ(ReadAll(third.result_path), ReadAll(fresh.result_path));
  EXPECT_EQ(ReadAll(third.run_dir + "/freeze.json"), ReadAll(fresh.run_dir + "/freeze.json"));
}

TEST(CampaignRun, TheSeedRecomputesTheSelectionWhenItDrawsARandomSubset) {
  Fixture f;
  std::string sampled = CampaignYaml(kSizes);
  sampled.insert(sampled.find("groups:"), "  sample: {fraction: 0.9}\n");
  ASSERT_OK(f.Run(sampled, "s", 1, "select").status());
  ASSERT_OK_AND_ASSIGN(std::string dir, flow::FinishedStageDir(f.runs, "s", "select"));
  const std::string before = ReadAll(dir + "/selection.ucol");
  sampled.replace(sampled.find("seed: 165"), 9, "seed: 166");
  ASSERT_OK_AND_ASSIGN(auto again, f.Run(sampled, "s", 1, "select"));
  EXPECT_EQ(again.stages[0]["action"], "computed");
  const auto stages = HistoryStages(f.runs, "s", 2);
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].reason, kUpstreamChanged);
  EXPECT_NE(ReadAll(dir + "/selection.ucol"), before);  // another subset
}

TEST(CampaignRun, TamperedStageOutputIsRecomputed) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(auto reference, f.Run(CampaignYaml(kSizes), "reference"));
  ASSERT_OK_AND_ASSIGN(auto partial, f.Run(CampaignYaml(kSizes), "t", 1, "recommend"));
  ASSERT_FALSE(partial.frozen);
  // One byte of the scores changed, same size.
  ASSERT_OK_AND_ASSIGN(std::string score_dir, flow::FinishedStageDir(f.runs, "t", "score"));
  std::string scores = ReadAll(score_dir + "/scores.ucol");
  ASSERT_GT(scores.size(), 100u);
  scores[scores.size() / 2] = static_cast<char>(scores[scores.size() / 2] ^ 0x5a);
  ASSERT_OK(WriteFileAtomic(score_dir + "/scores.ucol", scores));
  EXPECT_FALSE(flow::FinishedStageDir(f.runs, "t", "score").ok());

  ASSERT_OK_AND_ASSIGN(auto resumed, f.Run(CampaignYaml(kSizes), "t"));
  ASSERT_TRUE(resumed.frozen);
  // The recomputed scores are the original bytes again, so recommend (which read them) is still
  // valid and restored.
  EXPECT_EQ(Actions(resumed), (std::vector<std::string>{"restored", "restored", "computed",
                                                        "restored", "restored", "computed"}));
  const auto stages = HistoryStages(f.runs, "t", 2);
  ASSERT_EQ(stages.size(), 6u);
  EXPECT_EQ(stages[2].status, "finished");
  EXPECT_NE(stages[2].reason.find("checksum"), std::string::npos) << stages[2].reason;
  EXPECT_EQ(ReadAll(resumed.result_path), ReadAll(reference.result_path));
  EXPECT_EQ(ReadAll(resumed.run_dir + "/freeze.json"), ReadAll(reference.run_dir + "/freeze.json"));
}

TEST(CampaignRun, ClearErrorsBeforeAnyWork) {
  Fixture f;
  auto too_big = f.Run(CampaignYaml("  - {name: control, size: 100000, treatment: {type: "
                                    "constant, value: no_offer}}\n"),
                       "big");
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("100000"), std::string::npos);
  // Found by the select stage itself: no client's features were computed or scored.
  EXPECT_FALSE(flow::FinishedStageDir(f.runs, "big", "select").ok());
  EXPECT_FALSE(flow::FinishedStageDir(f.runs, "big", "features").ok());
  EXPECT_FALSE(flow::FinishedStageDir(f.runs, "big", "score").ok());

  std::string no_bundle = CampaignYaml(kSizes);
  no_bundle.replace(no_bundle.find(SharedBundle()), SharedBundle().size(), f.dir.File("nope"));
  auto missing = f.Run(no_bundle, "nb");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  EXPECT_FALSE(fs::exists(f.runs + "/nb"));

  auto empty = f.Run(
      CampaignYaml(kSizes, "").replace(CampaignYaml(kSizes).find("age >= 18"), 9, "age >= 1000"),
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
  ASSERT_OK(synth::SimulateResponses(synth::testing::SharedDatasetDir(), run.result_path, responses,
                                     ctx));
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
