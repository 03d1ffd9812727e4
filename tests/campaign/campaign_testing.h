#pragma once
// Shared by the campaign tests: a small bundle trained once per test binary on the shared
// synthetic dataset (synth/synth_test_util.h), campaign configs on that data, and a folder to run
// campaigns in.

#include <string>

#include "campaign/run.h"
#include "core/status.h"
#include "testing.h"

namespace upcamp::campaign::testing {

/// A t-learner bundle trained once per test binary run (first call trains it: a few seconds).
const std::string& SharedBundle();

/// A campaign config on the shared dataset and bundle: seed 165, selection by receipts and age,
/// the given `groups:` entries (YAML list items, each line indented by two spaces) and `extra`
/// top-level YAML.
std::string CampaignYaml(const std::string& groups, const std::string& extra = "");

/// Groups by size: control 200, random_target 200, targeted 600 (model treatment).
inline constexpr const char* kSizes =
    "  - {name: control, size: 200, treatment: {type: constant, value: no_offer}}\n"
    "  - {name: random_target, size: 200, treatment: {type: constant, value: offer}}\n"
    "  - {name: targeted, size: 600, treatment: {type: model}}\n";

/// A temp folder with a runs folder; Run writes `yaml` next to it and runs the campaign quietly.
struct Fixture {
  upcamp::testing::TempDir dir;
  std::string runs = dir.File("runs");
  CampaignRunOptions Options(const std::string& yaml, const std::string& run_id,
                             const std::string& until = "") const;
  Result<CampaignRunResult> Run(const std::string& yaml, const std::string& run_id, int threads = 1,
                                const std::string& until = "") const;
};

}  // namespace upcamp::campaign::testing
