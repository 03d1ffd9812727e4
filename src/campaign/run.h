#pragma once
// `upcamp campaign run`: the campaign as a flow-engine run (flow/run.h) whose stages persist in
// `<runs_dir>/<run_id>/stages/` and resume after any crash:
//
//   select     selection features as of date_to for the client base (client_profile), base
//              filters, random subset          -> selection.ucol (client_id + features), .json
//   features   the bundle's serving features for the selected clients      -> features.ucol
//   score      the bundle's transforms and model                           -> scores.ucol
//   split      clients into groups (sizes or fractions; hash of seed, "split", client_id)
//                                                                           -> groups.ucol
//   recommend  threshold and each client's treatment    -> assignment.ucol, threshold.json
//   freeze     result.csv sorted by score descending + freeze.json (config, bundle checksum,
//              counts per group x treatment, checksums)
//
// After the freeze stage the run is published, still under the run's lock and before the attempt
// is recorded as finished: `<run>/result.csv`, `<run>/report.html` and `<run>/freeze.json` are
// written atomically (freeze.json last: its presence means frozen). A frozen run is immutable:
// running it again with the same config and bundle is a no-op; with a different config or bundle
// it is refused.
//
// Fault injection (tests, flow/run.h): besides every stage's points, UPCAMP_FAULT=publish:POINT
// with POINT after_result (result.csv written) or after_report (report.html written, freeze.json
// not yet).

#include <string>

#include <nlohmann/json.hpp>

#include "core/context.h"
#include "core/status.h"

namespace upcamp::campaign {

struct CampaignRunOptions {
  std::string config_path;
  std::string run_id;
  std::string runs_dir = "runs";
  std::string date_to;  ///< overrides the config's date_to when set
  std::string out;      ///< also copy result.csv here when set
  std::string force_stage;
  std::string until_stage;
};

struct CampaignRunResult {
  bool already_frozen = false;  ///< the run was frozen before: nothing was done
  bool frozen = false;          ///< the run is frozen now (false with until_stage before freeze)
  std::string run_dir;
  std::string result_path;      ///< <run>/result.csv when frozen
  nlohmann::json freeze;        ///< the freeze manifest when frozen
  nlohmann::json stages = nlohmann::json::array();  ///< per stage: name, action, rows, seconds
};

/// Validates the config and the bundle before any work, then runs or resumes the flow.
Result<CampaignRunResult> RunCampaign(const CampaignRunOptions& options, const Context& ctx);

/// The stage names in order (for --force-stage / --until-stage help and checks).
const std::vector<std::string>& CampaignStageNames();

}  // namespace upcamp::campaign
