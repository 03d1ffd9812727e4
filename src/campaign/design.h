#pragma once
// The campaign's randomized design as pure functions (no I/O), so each rule is testable on its
// own and the stages in campaign/run.cc only wire them to files:
//   selection  — base filters (expressions; a client missing a filter's input is excluded and
//                counted), then the optional random subset;
//   assignment — clients into groups by exact sizes or by fractions;
//   threshold  — the model groups' offer threshold; recommend — each client's treatment.
// Every random choice is a stable hash of (campaign seed, purpose, client_id): "sample" for the
// subset, "split" for the groups. So the same config assigns the same clients on any machine and
// thread count, and a client's group does not depend on row order (with fractions it does not
// even depend on which other clients are present, so client-hash partitions of a base can be
// assigned independently).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/config.h"
#include "core/status.h"
#include "data/table.h"

namespace upcamp::campaign {

struct FilterCount {
  std::string filter;
  int64_t removed = 0;          ///< false for clients still in the selection
  int64_t removed_missing = 0;  ///< missing input (e.g. no receipts, no age)
};

struct Selection {
  std::vector<int64_t> rows;  ///< rows of the features table that are selected, in table order
  int64_t candidates = 0;     ///< clients before any filter
  std::vector<FilterCount> filters;
  int64_t after_filters = 0;
  int64_t sampled_out = 0;  ///< removed by the random subset
};

/// Applies the filters in config order and then the sample to `features` (client_id + the
/// selection features). An empty result is a data error (nothing to run a campaign on) that
/// shows what each filter removed.
Result<Selection> SelectClients(const CampaignConfig& config, const Table& features);

/// With groups by exact sizes: a data error naming the sizes when they sum to more than the
/// `selected` clients. The select stage checks it at once, so no features are computed and no
/// client is scored for a split that cannot be made; AssignGroups checks it again.
Status CheckGroupSizesFit(const CampaignConfig& config, size_t selected);

/// Group index per client (-1: unassigned — sizes summing to less than the selection, or
/// fractions summing to less than 1). Sizes: clients ordered by H(seed, "split", id) (then id),
/// the first size_0 to group 0, the next size_1 to group 1, ...; a total above the client count
/// is a data error. Fractions: u = H(seed, "split", id) as a uniform in [0, 1) falls into the
/// group whose cumulative share interval contains it.
Result<std::vector<int32_t>> AssignGroups(const CampaignConfig& config,
                                          std::span<const std::string> clients);

/// The offer threshold of model groups. from_model: the bundle's suggested threshold; score: the
/// value; top_fraction f: the (k+1)-th highest score of the model groups' clients with
/// k = round(f * n) (so exactly the top k get an offer when scores are distinct; ties at the
/// boundary all fall below); profit: cost / value (score = predicted uplift in outcome units).
Result<double> ResolveThreshold(const CampaignConfig& config,
                                std::optional<double> bundle_threshold,
                                std::span<const double> model_group_scores);

/// Treatment of one client: the group's constant, or offer/no_offer by score > threshold;
/// unassigned clients get no_offer.
std::string_view TreatmentFor(const CampaignConfig& config, int32_t group, double score,
                              double threshold);

}  // namespace upcamp::campaign
