#pragma once
// The campaign config (INTERFACE.md, campaign.yaml), parsed and validated in full before any work:
// unknown keys, the selection's calcers and filter expressions, sample and group sizes, the
// threshold rule, and that the model bundle loads and verifies.
//
// Paths (catalog, model) are relative to the config file's folder.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace upcamp::campaign {

inline constexpr const char* kNoOffer = "no_offer";
inline constexpr const char* kOffer = "offer";

struct GroupSpec {
  std::string name;
  std::optional<int64_t> size;      ///< exact count, or
  std::optional<double> fraction;   ///< share of the selected clients
  bool model_treatment = false;     ///< {type: model}: offer if score > threshold
  std::string value;                ///< {type: constant, value}: the treatment of every client
  std::string offer = kOffer;       ///< model groups: the treatment above the threshold
  std::string no_offer = kNoOffer;  ///< model groups: the treatment at or below it
};

enum class ThresholdKind { kFromModel, kScore, kTopFraction, kProfit };

struct ThresholdSpec {
  ThresholdKind kind = ThresholdKind::kFromModel;
  double value = 0;         ///< score, top fraction, or profit cost
  double profit_value = 1;  ///< profit: value of one unit of outcome
};

struct CampaignConfig {
  std::string name;
  uint64_t seed = 0;
  std::string catalog_path;
  std::string model_dir;
  int64_t date_to = 0;
  std::string date_to_text;
  /// Selection calcers as a JSON list of {name, args} (rebuilt with MakeCalcers where needed).
  nlohmann::json selection_features = nlohmann::json::array();
  std::vector<std::string> filters;
  std::optional<double> sample_fraction;
  std::optional<int64_t> sample_size;
  std::vector<GroupSpec> groups;
  ThresholdSpec threshold;
  /// The outcome for evaluation (an expression over response columns); empty = the bundle's
  /// target definition.
  std::string evaluation_target;

  /// Everything above with defaults filled in and paths resolved: what the freeze manifest
  /// records and what stage fingerprints hash.
  nlohmann::json ToJson() const;
  /// The slices of ToJson() each stage depends on.
  nlohmann::json SelectionJson() const;
  nlohmann::json GroupsJson() const;
  nlohmann::json ThresholdJson() const;
};

/// Parses and validates. `date_to_override` (from --date-to) replaces `date_to` when non-empty.
Result<CampaignConfig> ParseCampaignConfig(const ConfigNode& root, const std::string& base_dir,
                                           const std::string& date_to_override);

Result<CampaignConfig> LoadCampaignConfig(const std::string& path,
                                          const std::string& date_to_override);

}  // namespace upcamp::campaign
