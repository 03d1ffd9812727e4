// Campaign evaluation against the generator's truth: over several campaign seeds and independent
// response draws, the reported 95% confidence intervals of every effect cover the true effect
// (computed from truth.csv, which holds each client's expected outcome with and without the offer)
// most of the time, and the point estimates are unbiased on average.

#include "campaign/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "campaign/run.h"
#include "core/config.h"
#include "pipeline/train.h"
#include "synth/respond.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::campaign {
namespace {

using synth::testing::ReadSimpleCsv;
using synth::testing::SharedDatasetDir;
using synth::testing::SimpleCsv;
using upcamp::testing::TempDir;

// A bundle whose target is the receipt count, the outcome truth.csv gives exactly.
std::string TrainCountBundle(const TempDir& dir) {
  const std::string yaml = fmt::format(
      "seed: 4\n"
      "data:\n"
      "  catalog: {}/catalog.yaml\n"
      "  date_to: 2019-03-19\n"
      "  features: [{{name: receipts_basic, args: {{delta: 60}}}}, {{name: age_gender}}]\n"
      "  target:\n"
      "    calcer: {{name: target_from_campaigns, args: {{date_to: 2019-03-21}}}}\n"
      "    expression: \"target_purchases_count\"\n"
      "model: {{type: t_learner, base: {{type: xgboost, params: {{max_depth: 2, num_rounds: "
      "15}}}}}}\n"
      "threshold: {{percentile: 50}}\n",
      SharedDatasetDir());
  auto root = ConfigNode::Parse(yaml, "train.yaml");
  EXPECT_TRUE(root.ok());
  Context ctx;
  ctx.quiet = true;
  const std::string out = dir.File("bundle");
  auto trained = pipeline::Train(*root, dir.path(), out, {}, ctx);
  EXPECT_TRUE(trained.ok()) << trained.status().ToString();
  return out;
}

// The true effects of one frozen run: each evaluation effect's expected difference in mean
// receipt count, from the clients' true uplift and the run's scores and threshold.
std::map<std::string, double> TrueEffects(const std::string& result_path, double threshold,
                                          const std::map<std::string, double>& uplift) {
  const SimpleCsv result = ReadSimpleCsv(result_path);
  size_t id_col = 0, score_col = 0;
  for (size_t c = 0; c < result.header.size(); ++c) {
    if (result.header[c] == "client_id") id_col = c;
    if (result.header[c] == "score") score_col = c;
  }
  double all = 0, above = 0, n_above = 0;
  for (const auto& row : result.rows) {
    const double u = uplift.at(row[id_col]);
    all += u;
    if (std::stod(row[score_col]) > threshold) {
      above += u;
      ++n_above;
    }
  }
  const double n = static_cast<double>(result.rows.size());
  return {{"targeted_offer", above / n_above},  // offered targeted vs control above threshold
          {"targeted_no_offer", 0.0},           // neither side is offered anything
          {"random_target", all / n},
          {"targeted", above / n},  // offers exactly where score > threshold
          {"targeted_vs_random", above / n - all / n}};
}

TEST(CampaignEvaluate, ConfidenceIntervalsCoverTheTrueEffectsOverSeeds) {
  TempDir dir;
  const std::string bundle = TrainCountBundle(dir);
  std::map<std::string, double> uplift;
  {
    const SimpleCsv truth = ReadSimpleCsv(SharedDatasetDir() + "/truth.csv");
    size_t col = 0;
    for (size_t c = 0; c < truth.header.size(); ++c) {
      if (truth.header[c] == "uplift_purchases_count") col = c;
    }
    ASSERT_GT(col, 0u);
    for (const auto& row : truth.rows) uplift[row[0]] = std::stod(row[col]);
  }

  constexpr int kReplicates = 12;
  std::map<std::string, int> welch_covered, boot_covered;
  std::map<std::string, double> z_sum;
  int trials = 0;
  Context ctx;
  ctx.quiet = true;
  for (int rep = 0; rep < kReplicates; ++rep) {
    const std::string id = fmt::format("cov{}", rep);
    const std::string config = dir.Write(
        id + ".yaml",
        fmt::format("name: coverage\nseed: {}\ncatalog: {}/catalog.yaml\nmodel: {}\n"
                    "date_to: 2019-03-19\n"
                    "selection: {{features: [{{name: age_gender}}]}}\n"
                    "groups:\n"
                    "  - {{name: control, fraction: 0.3, treatment: {{type: constant, value: "
                    "no_offer}}}}\n"
                    "  - {{name: random_target, fraction: 0.3, treatment: {{type: constant, "
                    "value: offer}}}}\n"
                    "  - {{name: targeted, fraction: 0.4, treatment: {{type: model}}}}\n"
                    "threshold: {{type: from_model}}\n",
                    1000 + rep, SharedDatasetDir(), bundle));
    CampaignRunOptions run_options;
    run_options.config_path = config;
    run_options.run_id = id;
    run_options.runs_dir = dir.File("runs");
    ASSERT_OK_AND_ASSIGN(const CampaignRunResult run, RunCampaign(run_options, ctx));
    const std::string responses = dir.File(id + "-responses.csv");
    ASSERT_OK(synth::SimulateResponses(SharedDatasetDir(), run.result_path, responses, ctx, nullptr,
                                       static_cast<uint64_t>(rep + 1)));
    EvaluateOptions o;
    o.runs_dir = run_options.runs_dir;
    o.run_id = id;
    o.responses_path = responses;
    o.bootstrap_replicates = 300;
    ASSERT_OK_AND_ASSIGN(const EvaluateResult ev, EvaluateCampaign(o, ctx));
    const auto truth =
        TrueEffects(run.result_path, run.freeze["threshold"]["value"].get<double>(), uplift);
    for (const auto& e : ev.evaluation["effects"]) {
      const std::string name = e["name"].get<std::string>();
      ASSERT_TRUE(e["defined"].get<bool>()) << e.dump();
      const double t = truth.at(name);
      const auto& d = e["difference"];
      welch_covered[name] += d["lower"].get<double>() <= t && t <= d["upper"].get<double>();
      const auto& b = e["bootstrap"]["difference"];
      boot_covered[name] += b["lower"].get<double>() <= t && t <= b["upper"].get<double>();
      z_sum[name] += (d["estimate"].get<double>() - t) / d["std_error"].get<double>();
    }
    ++trials;
  }
  ASSERT_EQ(trials, kReplicates);
  int welch_total = 0, boot_total = 0;
  for (const auto& [name, covered] : welch_covered) {
    // Each effect: at most 3 misses in 12 at a nominal 95% (probability < 0.3% if calibrated).
    EXPECT_GE(covered, kReplicates - 3) << name;
    EXPECT_GE(boot_covered[name], kReplicates - 3) << name;
    // Unbiased: the mean standardized error of 12 nearly independent estimates is within
    // 4 / sqrt(12) of zero.
    EXPECT_LT(std::abs(z_sum[name] / kReplicates), 4.0 / std::sqrt(kReplicates)) << name;
    welch_total += covered;
    boot_total += boot_covered[name];
  }
  // Over all 60 intervals: at least 85% cover (nominal 95%).
  EXPECT_GE(welch_total, 51);
  EXPECT_GE(boot_total, 51);
  std::printf("coverage over %d runs x 5 effects: Welch %d/60, bootstrap %d/60\n", kReplicates,
              welch_total, boot_total);
}

}  // namespace
}  // namespace upcamp::campaign
