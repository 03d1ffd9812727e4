#pragma once
// Preconditions shared by the metric implementations (internal to src/metrics). Each returns a
// data error of the form "<metric> is undefined: <why>" so callers can show it as the reason a
// value is missing.

#include <string_view>

#include "core/status.h"
#include "metrics/sample.h"

namespace upcamp::metrics::detail {

/// Non-empty, with at least one treated and one control row.
Status RequireBothGroups(const RankedSample& sample, std::string_view metric);

/// RequireBothGroups, and every outcome is 0 or 1 with both values present (sklift's
/// check_is_binary(y_true)); used by the perfect curves and the normalized AUCs.
Status RequireBinaryOutcome(const RankedSample& sample, std::string_view metric);

/// Two-sided sum with Neumaier compensation (curve areas, means of long columns).
class CompensatedSum {
 public:
  void Add(double x) {
    const double t = sum_ + x;
    if ((sum_ >= 0 ? sum_ : -sum_) >= (x >= 0 ? x : -x)) {
      c_ += (sum_ - t) + x;
    } else {
      c_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double Value() const { return sum_ + c_; }

 private:
  double sum_ = 0;
  double c_ = 0;
};

}  // namespace upcamp::metrics::detail
