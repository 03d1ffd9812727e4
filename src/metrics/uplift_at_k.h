#pragma once
// Uplift at the top k of the ranking (sklift `uplift_at_k`): the difference between the mean
// outcome of treated and of control rows among the best-scored rows. Units: outcome units (for
// a 0/1 outcome, a difference of response rates). Defined for any finite outcome.

#include <cstdint>
#include <span>

#include "core/status.h"
#include "metrics/sample.h"

namespace upcamp::metrics {

/// How many top rows to take: a fraction of the rows (sklift's float k) or a row count (sklift's
/// int k).
struct TopK {
  /// A fraction in the open interval (0, 1).
  static TopK Fraction(double fraction) { return {false, fraction, 0}; }
  /// A number of rows, >= 1 (and < N for the overall strategy).
  static TopK Count(int64_t count) { return {true, 0.0, count}; }

  bool is_count = false;
  double fraction = 0.3;
  int64_t count = 0;

  /// Config error unless 0 < fraction < 1, or count >= 1.
  Status Validate() const;
};

/// Uplift at k:
///  - overall: the top m rows with m = int(N · k) (truncation, as Python's int()) or m = k,
///    then mean(outcome | treated among them) − mean(outcome | control among them);
///  - by_group: mean outcome of the top int(Nt · k) treated rows (or k of them) minus mean
///    outcome of the top int(Nc · k) control rows (or k of them), each in ranking order.
/// Rows tied in score are taken in ranking order (sample.h), as sklift does.
/// Errors: config error for an invalid k; data error if either group is empty, if a count k is
/// not below N (overall) or exceeds a group's size (by_group), and "undefined" (data error) if
/// the selection holds no treated or no control row (sklift returns NaN there).
Result<double> UpliftAtK(const RankedSample& sample, TopK k, Strategy strategy);
Result<double> UpliftAtK(std::span<const double> score, std::span<const uint8_t> treatment,
                         std::span<const double> outcome, TopK k, Strategy strategy);

}  // namespace upcamp::metrics
