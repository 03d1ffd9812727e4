#pragma once
// A synthetic four-stage flow for the flow engine's tests (a diamond, with a .ucol table, CSV,
// JSON, a nested folder and an external input file), deterministic given its config:
//
//   generate(n, seed; reads base.txt) ──► square(power) ──► total ──► report
//        └──────────────────────────────────────────────────────────►┘

#include <atomic>
#include <string>
#include <vector>

#include "flow/run.h"
#include "flow/stage.h"

namespace upcamp::flow::testing {

struct ChainConfig {
  int n = 500;
  uint64_t seed = 7;
  int power = 2;
  std::string base_file;  ///< external input: a text file holding an integer offset
  std::string total_code_version = "total-v1";
  std::string report_title = "report";
  /// If set, this stage fails (returns an error) instead of computing.
  std::string fail_stage;
  /// If set, this stage throws instead of computing.
  std::string throw_stage;
  /// Counts calls of every stage's run function (optional).
  std::atomic<int>* calls = nullptr;
};

std::vector<StageSpec> MakeChain(const ChainConfig& config);

inline const std::vector<std::string>& ChainStageNames() {
  static const std::vector<std::string> kNames = {"generate", "square", "total", "report"};
  return kNames;
}

/// Every output file of every stage of a run, as "stage/relative/path" -> bytes.
std::vector<std::pair<std::string, std::string>> ReadAllOutputs(const std::string& runs_dir,
                                                                const std::string& run_id);

}  // namespace upcamp::flow::testing
