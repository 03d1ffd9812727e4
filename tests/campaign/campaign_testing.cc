#include "campaign/campaign_testing.h"

#include <fmt/format.h>

#include "core/config.h"
#include "core/context.h"
#include "pipeline/train.h"
#include "synth/synth_test_util.h"

namespace upcamp::campaign::testing {

using upcamp::testing::TempDir;

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

std::string CampaignYaml(const std::string& groups, const std::string& extra) {
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

CampaignRunOptions Fixture::Options(const std::string& yaml, const std::string& run_id,
                                    const std::string& until) const {
  CampaignRunOptions o;
  o.config_path = dir.Write("campaign-" + run_id + ".yaml", yaml);
  o.run_id = run_id;
  o.runs_dir = runs;
  o.until_stage = until;
  return o;
}

Result<CampaignRunResult> Fixture::Run(const std::string& yaml, const std::string& run_id,
                                       int threads, const std::string& until) const {
  Context ctx;
  ctx.threads = threads;
  ctx.quiet = true;
  return RunCampaign(Options(yaml, run_id, until), ctx);
}

}  // namespace upcamp::campaign::testing
