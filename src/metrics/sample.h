#pragma once
// The input of every uplift metric: rows of (score, treatment, outcome), validated once and put
// in ranking order once (O(N log N)); every metric after that is a linear pass over the ranking.
//
// Ranking order — exactly scikit-uplift's: score descending, and rows with equal scores in
// *descending original row index*. sklift ranks with np.argsort(score, kind="mergesort")[::-1],
// a stable ascending sort that is then reversed, so among tied scores the later row comes first.
// Curves are only evaluated at the last row of each block of tied scores, so curves and AUCs do
// not depend on the order inside a block; uplift@k, percentile bins and the treatment balance
// curve can cut through a block and do, which is why the order is reproduced exactly.
// See docs/metrics.md.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace upcamp::metrics {

/// How rows are grouped for uplift@k and the percentile tables (sklift's `strategy`).
enum class Strategy {
  /// Take the top rows of the whole ranking, then split them by treatment.
  kOverall,
  /// Rank treated and control rows separately and take the top of each group.
  kByGroup,
};

/// "overall" / "by_group".
std::string_view StrategyName(Strategy strategy);
/// Parses "overall" / "by_group"; anything else is a config error listing both.
Result<Strategy> ParseStrategy(std::string_view name);

/// A validated sample in ranking order. Immutable after construction (except by
/// AssignResample, which the bootstrap uses to reuse buffers).
class RankedSample {
 public:
  /// An empty sample (every metric reports it as undefined). Use Make.
  RankedSample() = default;

  /// Validates and ranks. Data errors, each naming the offending 0-based row index:
  ///  - the three spans differ in length, or are empty;
  ///  - a score is NaN or infinite (scores must be finite to be ranked);
  ///  - a treatment value is neither 0 (control) nor 1 (treated);
  ///  - an outcome is NaN or infinite.
  /// More than 2^32 - 1 rows is also a data error. Having only one treatment group, or a
  /// constant outcome, is *not* an error here: each metric decides whether it is defined.
  static Result<RankedSample> Make(std::span<const double> score,
                                   std::span<const uint8_t> treatment,
                                   std::span<const double> outcome);

  /// Number of rows.
  size_t size() const { return score_.size(); }
  /// Scores in ranking order (non-increasing).
  std::span<const double> score() const { return score_; }
  /// Treatment (0/1) in ranking order.
  std::span<const uint8_t> treatment() const { return treatment_; }
  /// Outcomes in ranking order.
  std::span<const double> outcome() const { return outcome_; }

  int64_t n_treated() const { return n_treated_; }
  int64_t n_control() const { return static_cast<int64_t>(size()) - n_treated_; }
  /// Number of rows with outcome exactly 1 (only meaningful when binary_outcome()).
  int64_t n_outcome_one() const { return n_outcome_one_; }
  /// True when every outcome is exactly 0 or 1 (vacuously true for an empty sample).
  bool binary_outcome() const { return binary_outcome_; }

  /// Makes *this the sample made of `counts[i]` copies of ranked row i of `base`
  /// (counts.size() == base.size()). The copies are laid out in `base`'s ranking order, which is
  /// exactly the ranking Make would give the materialized rows listed in reverse ranking order,
  /// so a metric of the result equals the metric of that materialized data set. Reuses this
  /// object's buffers: the bootstrap calls it once per replicate.
  void AssignResample(const RankedSample& base, std::span<const uint32_t> counts);

 private:
  std::vector<double> score_;
  std::vector<uint8_t> treatment_;
  std::vector<double> outcome_;
  int64_t n_treated_ = 0;
  int64_t n_outcome_one_ = 0;
  bool binary_outcome_ = true;
};

}  // namespace upcamp::metrics
