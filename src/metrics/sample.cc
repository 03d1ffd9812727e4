#include "metrics/sample.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <utility>

#include "metrics/checks.h"

namespace upcamp::metrics {
namespace {

// An unsigned key whose order is the order of the doubles (finite ones; -0.0 is mapped to the
// key of +0.0 so that the two tie, as they compare equal).
uint64_t OrderKey(double x) {
  if (x == 0) x = 0.0;
  const auto bits = std::bit_cast<uint64_t>(x);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

// Row indices in ranking order: score descending, ties by row index descending. This is
// exactly a stable ascending sort reversed (what sklift does with numpy), so that is how it
// is computed for large inputs: an LSD radix sort on OrderKey (stable, O(N) per byte, skipping
// bytes on which all keys agree), then reversed. Small inputs use a comparison sort on the same
// strict total order, which gives the same permutation.
std::vector<uint32_t> RankingOrder(std::span<const double> score) {
  const size_t n = score.size();
  std::vector<uint32_t> order(n);
  if (n < 256) {
    for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return score[a] > score[b] || (score[a] == score[b] && a > b);
    });
    return order;
  }
  struct Item {
    uint64_t key;
    uint32_t row;
  };
  std::vector<Item> a(n), b(n);
  std::array<std::array<uint32_t, 256>, 8> counts{};
  for (size_t i = 0; i < n; ++i) {
    a[i] = {OrderKey(score[i]), static_cast<uint32_t>(i)};
    for (int d = 0; d < 8; ++d) ++counts[d][(a[i].key >> (8 * d)) & 0xFF];
  }
  for (int d = 0; d < 8; ++d) {
    auto& c = counts[d];
    if (std::find(c.begin(), c.end(), n) != c.end()) continue;  // every key has this byte
    uint32_t offset = 0;
    for (auto& v : c) offset += std::exchange(v, offset);
    for (const Item& item : a) b[c[(item.key >> (8 * d)) & 0xFF]++] = item;
    a.swap(b);
  }
  for (size_t i = 0; i < n; ++i) order[i] = a[n - 1 - i].row;
  return order;
}

}  // namespace

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

  const std::vector<uint32_t> order = RankingOrder(score);
  RankedSample s;
  s.score_.resize(n);
  s.treatment_.resize(n);
  s.outcome_.resize(n);
  for (size_t r = 0; r < n; ++r) {
    const uint32_t i = order[r];
    s.score_[r] = score[i];
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
