#pragma once
// `upcamp synth respond`: the outcomes of a new, frozen campaign on a synthetic dataset, drawn
// from the generator's own behaviour model (rebuilt from DIR/synth.json) with the "respond" seed
// purpose. The outcome window has the same length and calendar as the dataset's past campaign,
// so truth.csv gives each client's exact expected outcomes under either treatment.

#include <cstdint>
#include <string>

#include "core/context.h"
#include "core/status.h"

namespace upcamp::synth {

/// Columns of the responses file, in order.
inline constexpr const char* kResponseColumns[] = {
    "client_id", "target_purchases_sum", "target_purchases_count", "target_campaign_points_spent"};

struct RespondSummary {
  uint64_t clients = 0;  ///< rows of the assignment
  uint64_t offered = 0;  ///< rows with treatment = offer
};

/// Reads `data_dir`/synth.json and the assignment CSV (columns `client_id` and `treatment` in
/// {offer, no_offer}; any others are ignored) and writes one response row per assignment row, in
/// the assignment's order, to `out_path` (atomic; .gz/.zst compressed by extension).
/// Data errors (exit code 3) name the file and line: an unknown client id, a bad or missing
/// treatment, a client listed twice. Deterministic: the same inputs give the same bytes for any
/// thread count.
/// `draw` selects an independent realization of the outcomes (0, the default, is the one the
/// command has always written): the same client and treatment give the same outcome within a
/// draw, and unrelated outcomes across draws, for simulation studies of the evaluation.
Status SimulateResponses(const std::string& data_dir, const std::string& assignment_path,
                         const std::string& out_path, const Context& ctx,
                         RespondSummary* summary = nullptr, uint64_t draw = 0);

}  // namespace upcamp::synth
