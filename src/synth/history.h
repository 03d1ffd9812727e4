#pragma once
// Simulation of one client's purchase history: receipts as a point process over the history
// window (base rate x weekday x holiday x trend x weekly bursts, inside store opening hours),
// baskets of products, and the loyalty points of each receipt.

#include <cstdint>
#include <vector>

#include "core/random.h"
#include "synth/behaviour.h"

namespace upcamp::synth {

/// Receipts per client are capped so that (client index, receipt number) packs into an id.
inline constexpr int kReceiptSeqBits = 18;

struct ReceiptRecord {
  int64_t time = 0;  ///< transaction_datetime, seconds since the epoch
  uint32_t store = 0;
  uint32_t first_line = 0;  ///< index into ClientHistory::lines
  uint32_t n_lines = 0;
  int64_t sum_cents = 0;                ///< purchase_sum = trn_sum_from_iss = sum of line amounts
  int64_t regular_received_tenths = 0;  ///< ~1% of purchase_sum, one decimal
  int64_t express_received = 0;         ///< points (>= 0)
  int64_t regular_spent = 0;            ///< points (<= 0)
  int64_t express_spent = 0;            ///< points (<= 0)
  int64_t red_cents = -1;               ///< sum of the lines' trn_sum_from_red; -1 = missing
};

struct LineRecord {
  uint32_t product = 0;
  int64_t quantity_milli = 0;  ///< product_quantity x 1000
  int64_t amount_cents = 0;    ///< trn_sum_from_iss of the line
  int64_t red_cents = -1;      ///< trn_sum_from_red of the line; -1 = missing
};

struct ClientHistory {
  std::vector<ReceiptRecord> receipts;  ///< in time order
  std::vector<LineRecord> lines;
  int64_t first_redeem_time = -1;  ///< first_redeem_date; -1 = never redeemed (empty)

  void Clear() {
    receipts.clear();
    lines.clear();
    first_redeem_time = -1;
  }
};

/// Simulates the client's receipts in [history_from, history_end) (from the card's issue, until
/// churn). `rng` should be Rng(model.ClientSeed(Purpose::kHistory, t.index)).
void SimulateHistory(const BehaviourModel& model, const ClientTraits& t, Rng& rng,
                     ClientHistory* out);

}  // namespace upcamp::synth
