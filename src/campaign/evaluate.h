#pragma once
// `upcamp campaign evaluate`: the honest statistics of a frozen campaign, from its assignment
// (result.csv + freeze.json of the run) and the observed responses.
//
// - Sample-ratio mismatch: observed group sizes against the design (exact sizes or fractions),
//   Pearson chi-square; p < 0.001 is flagged loudly.
// - Effects, each a difference in mean outcome per client (a − b) with a Welch 95% CI and
//   p-value, a bootstrap percentile CI, relative (÷ mean of b) and total (× size of a) terms:
//     targeted_offer      targeted clients offered       vs control clients with score > threshold
//     targeted_no_offer   targeted clients not offered   vs control clients with score <= threshold
//     random_target       random target group            vs control
//     targeted            targeted group                 vs control
//     targeted_vs_random  targeted group                 vs random target group
//   Roles come from the groups' treatments: control = a constant no_offer group, random target =
//   a constant offer group, targeted = a group treated by the model (the first of each).
// - The model out of sample on random target + control (randomized, so unbiased): Qini and
//   uplift curves with normalized AUCs, uplift@k and uplift by decile.
//
// The outcome is the config's evaluation.target expression, else the model bundle's target
// definition (its expression or column), evaluated over the response columns.

#include <string>

#include <nlohmann/json.hpp>

#include "core/context.h"
#include "core/status.h"

namespace upcamp::campaign {

struct EvaluateOptions {
  std::string runs_dir = "runs";
  std::string run_id;
  std::string responses_path;
  std::string out_dir;  ///< default: the run folder
  int bootstrap_replicates = 1000;
};

struct EvaluateResult {
  std::string evaluation_path;
  std::string report_path;
  nlohmann::json evaluation;
};

Result<EvaluateResult> EvaluateCampaign(const EvaluateOptions& options, const Context& ctx);

}  // namespace upcamp::campaign
