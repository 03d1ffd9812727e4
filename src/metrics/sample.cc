#include "metrics/sample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "metrics/checks.h"

namespace upcamp::metrics {

std::string_view StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kOverall:
      return "overall";
    case Strategy::kByGroup:
      return "by_group";
  }
  return "?";
}

Result<Strategy> ParseStrategy(std::string_view name) {
  if (name == "overall") return Strategy::kOverall;
  if (name == "by_group") return Strategy::kByGroup;
  return Status::Config("unknown strategy '{}'; expected 'overall' or 'by_group'", name);
}

Result<RankedSample> RankedSample::Make(std::span<const double> score,
                                        std::span<const uint8_t> treatment,
                                        std::span<const double> outcome) {
  const size_t n = score.size();
  if (treatment.size() != n || outcome.size() != n) {
    return Status::Data(
        "metrics input: score has {} values, treatment {} and outcome {}; the three columns "
        "must have one value per row",
        n, treatment.size(), outcome.size());
  }
  if (n == 0) return Status::Data("metrics input: no rows");
  if (n > std::numeric_limits<uint32_t>::max()) {
    return Status::Data("metrics input: {} rows is more than the supported 4294967295", n);
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(score[i])) {
      return Status::Data(
          "metrics input: score at row {} (0-based) is {}; every score must be a finite number "
          "(drop or impute the row first)",
          i, score[i]);
    }
    if (treatment[i] > 1) {
      return Status::Data(
          "metrics input: treatment at row {} (0-based) is {}; expected 0 (control) or 1 "
          "(treated)",
          i, treatment[i]);
    }
    if (!std::isfinite(outcome[i])) {
      return Status::Data(
          "metrics input: outcome at row {} (0-based) is {}; every outcome must be a finite "
          "number",
          i, outcome[i]);
    }
  }

  // Score descending, ties by row index descending: a strict total order, so the result does
  // not depend on the sort algorithm.
  std::vector<std::pair<double, uint32_t>> keyed(n);
  for (size_t i = 0; i < n; ++i) keyed[i] = {score[i], static_cast<uint32_t>(i)};
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second > b.second);
  });

  RankedSample s;
  s.score_.resize(n);
  s.treatment_.resize(n);
  s.outcome_.resize(n);
  for (size_t r = 0; r < n; ++r) {
    const uint32_t i = keyed[r].second;
    s.score_[r] = keyed[r].first;
    s.treatment_[r] = treatment[i];
    s.outcome_[r] = outcome[i];
    s.n_treated_ += treatment[i];
    const double y = outcome[i];
    if (y == 1.0) {
      ++s.n_outcome_one_;
    } else if (y != 0.0) {
      s.binary_outcome_ = false;
    }
  }
  return s;
}

void RankedSample::AssignResample(const RankedSample& base, std::span<const uint32_t> counts) {
  assert(counts.size() == base.size());
  size_t total = 0;
  for (uint32_t c : counts) total += c;
  score_.resize(total);
  treatment_.resize(total);
  outcome_.resize(total);
  n_treated_ = 0;
  n_outcome_one_ = 0;
  binary_outcome_ = true;
  size_t out = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const uint32_t c = counts[i];
    if (c == 0) continue;
    const double s = base.score_[i];
    const uint8_t t = base.treatment_[i];
    const double y = base.outcome_[i];
    for (uint32_t j = 0; j < c; ++j, ++out) {
      score_[out] = s;
      treatment_[out] = t;
      outcome_[out] = y;
    }
    n_treated_ += static_cast<int64_t>(t) * c;
    if (y == 1.0) {
      n_outcome_one_ += c;
    } else if (y != 0.0) {
      binary_outcome_ = false;
    }
  }
}

namespace detail {

Status RequireBothGroups(const RankedSample& sample, std::string_view metric) {
  if (sample.size() == 0) return Status::Data("{} is undefined: there are no rows", metric);
  if (sample.n_control() == 0) {
    return Status::Data(
        "{} is undefined: there are no control rows (all {} rows are treated); uplift compares "
        "treated with control rows",
        metric, sample.size());
  }
  if (sample.n_treated() == 0) {
    return Status::Data(
        "{} is undefined: there are no treated rows (all {} rows are control); uplift compares "
        "treated with control rows",
        metric, sample.size());
  }
  return Status::Ok();
}

Status RequireBinaryOutcome(const RankedSample& sample, std::string_view metric) {
  UPCAMP_RETURN_IF_ERROR(RequireBothGroups(sample, metric));
  if (!sample.binary_outcome()) {
    auto y = sample.outcome();
    const auto bad = std::find_if(y.begin(), y.end(), [](double v) { return v != 0 && v != 1; });
    return Status::Data(
        "{} is undefined: the outcome is not binary (found {}); its perfect curve, and so its "
        "normalization, is only defined for 0/1 outcomes — use the raw curves, uplift_at_k or "
        "weighted_average_uplift for continuous outcomes",
        metric, bad == y.end() ? 0.0 : *bad);
  }
  const int64_t ones = sample.n_outcome_one();
  if (ones == 0 || ones == static_cast<int64_t>(sample.size())) {
    return Status::Data(
        "{} is undefined: the outcome is constant (every row is {}); there is no response to "
        "rank, so the perfect curve is degenerate",
        metric, ones == 0 ? 0 : 1);
  }
  return Status::Ok();
}

}  // namespace detail
}  // namespace upcamp::metrics
