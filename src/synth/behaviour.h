#pragma once
// The behaviour model: each client's latent traits and how they drive both the purchase history
// and the response to the past campaign's offer. Shared by the generator and `synth respond`.
//
// Everything here is a pure function of (parameters, client index): traits come from
// Rng(MixSeed(key("traits"), index)), so `respond` rebuilds any client's traits without
// regenerating the history, and the results do not depend on threads or on other clients.
//
// Outcome model over the campaign window [treatment_date, treatment_date + post_days):
//   alive     ~ Bernoulli(p_alive)                       (clients may lapse after the history)
//   g         ~ Gamma(kShape) / kShape                   (period-level noise, mean 1)
//   n_use     ~ Poisson(alive * g * c * rho)             (receipts on which campaign points are
//   spent) n_plain   ~ Poisson(alive * g * c * (1 - rho)) count     = n_use + n_plain sum       = v
//   * Gamma(kValueShape * count) / kValueShape       (count > 0; else 0) points    = 10 * (n_use +
//   Poisson(n_use * (u / 10 - 1)))
// with per-arm parameters (p_alive, c, v, rho, u) from the traits. Hence exactly
//   E[count] = p_alive * c,  E[sum] = E[count] * v,  E[points] = E[count] * rho * u,
// which is what truth.csv reports (sums are rounded to kopecks when sampled, an unbiased
// rounding of at most 0.005).

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "synth/ids.h"
#include "synth/params.h"
#include "synth/world.h"

namespace upcamp::synth {

inline constexpr int kMaxRepertoire = 64;
inline constexpr int kMaxOtherStores = 3;

/// A client's latent traits. Some are directly visible in the data (age, gender, issue date);
/// the rest only through behaviour (receipt frequency, recency, express points, stores, hours).
struct ClientTraits {
  uint64_t index = 0;

  // Profile.
  int64_t issue_time = 0;   ///< first_issue_date (the loyalty card was issued at a purchase)
  bool newcomer = false;    ///< card issued inside the history window
  int true_age = 0;         ///< drives behaviour
  int recorded_age = 0;     ///< what client_profile shows: true_age, or an outlier (-7491, 1901...)
  char gender = 'U';        ///< F / M / U
  bool redeemer = false;    ///< ever spends points; non-redeemers have no first_redeem_date
  int64_t redeem_from = 0;  ///< redeemers spend points only at or after this time

  // Activity: receipts per day = rate x weekday x holiday x exp(trend x relative time) x noise.
  double rate = 0;
  double trend = 0;  ///< log change of the rate over the history length (negative: fading)
  double weekday[7] = {};
  bool churned = false;  ///< stops buying at churn_time (inside the history)
  int64_t churn_time = 0;

  // Baskets.
  double mean_lines = 0;   ///< expected product lines per receipt (>= 1)
  double price_taste = 0;  ///< > 0 prefers expensive products
  bool buys_alcohol = false;
  int n_repertoire = 0;  ///< habitual products, chosen for ~60% of lines
  uint32_t repertoire[kMaxRepertoire] = {};
  double repertoire_cdf[kMaxRepertoire] = {};
  double basket_value = 0;  ///< expected receipt value, roubles

  // Points and promotions.
  double promo = 0;               ///< promo sensitivity in [0, 1]
  double regular_spend_rate = 0;  ///< chance to spend regular points on a receipt (if balance)
  double initial_balance = 0;     ///< regular points held at the start of the history

  // Stores and hours.
  uint32_t region = 0;
  uint32_t favourite_store = 0;
  int n_other_stores = 0;
  uint32_t other_stores[kMaxOtherStores] = {};
  double loyalty = 0;    ///< share of receipts at the favourite store
  double pref_hour = 0;  ///< preferred hour of day (e.g. 18.5)
  double hour_sd = 0;
  bool evening = false;  ///< pref_hour >= 17
};

/// The parameters of one arm's outcome distribution (see the header comment).
struct ArmModel {
  double p_alive = 1;         ///< chance the client still shops in the window
  double count = 0;           ///< expected receipts in the window if alive
  double receipt_value = 0;   ///< expected value of one receipt, roubles
  double points_share = 0;    ///< share of receipts on which campaign points are spent
  double points_per_use = 0;  ///< expected points spent per such receipt (a multiple of 10 >= 10)
};

/// Expected outcomes of one arm.
struct ArmExpectation {
  double purchases_sum = 0;
  double purchases_count = 0;
  double points_spent = 0;
  /// P(purchases_count > 0): the chance of at least one receipt in the window (the true mean of
  /// the binary outcome `target_purchases_count > 0`).
  double purchase_prob = 0;
};

/// The four classic uplift segments, assigned from the *expected* effect on the receipt count.
enum class Segment { kPersuadable, kSureThing, kLostCause, kSleepingDog };
const char* SegmentName(Segment s);

struct Expectation {
  ArmExpectation control, treated;
  Segment segment = Segment::kSureThing;

  double UpliftSum() const { return treated.purchases_sum - control.purchases_sum; }
  double UpliftCount() const { return treated.purchases_count - control.purchases_count; }
  /// Uplift of the binary outcome "bought anything" (target_purchases_count > 0).
  double UpliftPurchaseProb() const { return treated.purchase_prob - control.purchase_prob; }
  /// Uplift of profit = 0.2 * purchases_sum - 0.1 * points_spent - 1.5 * treatment.
  double UpliftProfit() const {
    return 0.2 * UpliftSum() - 0.1 * (treated.points_spent - control.points_spent) - 1.5;
  }
};

/// One sampled outcome of the campaign window.
struct Outcome {
  int64_t purchases_sum_cents = 0;
  int64_t purchases_count = 0;
  int64_t points_spent = 0;
};

/// Seed purposes; each gives an independent stream per client.
enum class Purpose { kTraits, kHistory, kCampaignOutcome, kRespond };

class BehaviourModel {
 public:
  explicit BehaviourModel(const SynthParams& params);

  const SynthParams& params() const { return params_; }
  const World& world() const { return world_; }

  /// The per-client seed of a purpose: MixSeed(key(seed, purpose), index).
  uint64_t ClientSeed(Purpose purpose, uint64_t index) const;

  /// The client's id as written in every table (10 hex chars or a decimal integer).
  uint64_t ClientCode(uint64_t index) const { return client_ids_.Encode(index); }
  /// Appends the client id text; returns the end pointer (at most 20 chars).
  char* AppendClientId(uint64_t index, char* out) const;
  /// The client index of an id text, or nullopt if it is not an id of this dataset.
  std::optional<uint64_t> ParseClientId(std::string_view text) const;

  /// The past campaign's 50/50 assignment: KeyedHash(seed, "synth/campaign", client id) < 1/2.
  bool CampaignTreated(uint64_t index) const;

  ClientTraits Traits(uint64_t index) const;

  /// A time of day (seconds since midnight) for a receipt of the client at `store`, inside the
  /// store's opening hours.
  int64_t SampleSecondOfDay(const ClientTraits& t, uint32_t store, Rng& rng) const;

  /// Receipts per day multiplier from the client's trend at time `seconds`.
  double TrendFactor(const ClientTraits& t, double seconds) const;
  /// The trend factor's ratio between consecutive days: TrendFactor(t + 1 day) / TrendFactor(t).
  double TrendDailyStep(const ClientTraits& t) const;
  /// HolidayFactor(day) for days from the history's first day to the end of the campaign
  /// window (a table lookup).
  double DayFactor(int64_t day_index) const {
    return day_factor_[static_cast<size_t>(day_index - first_day_)];
  }

  ArmModel Arm(const ClientTraits& t, bool treated) const;
  Expectation Expected(const ClientTraits& t) const;
  Outcome Sample(const ClientTraits& t, bool treated, Rng& rng) const;

 private:
  SynthParams params_;
  World world_;
  IdCodec client_ids_;
  uint64_t purpose_keys_[4];
  double history_mid_, history_len_;
  int64_t first_day_;
  std::vector<double> day_factor_;
};

}  // namespace upcamp::synth
