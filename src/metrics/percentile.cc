#include "metrics/percentile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "metrics/checks.h"

namespace upcamp::metrics {
namespace {

// np.array_split boundaries: bins + 1 offsets; the first (n % bins) pieces are one longer.
std::vector<size_t> SplitPoints(size_t n, int bins) {
  const auto b = static_cast<size_t>(bins);
  const size_t q = n / b, r = n % b;
  std::vector<size_t> bounds(b + 1);
  for (size_t i = 0; i <= b; ++i) bounds[i] = i * q + std::min(i, r);
  return bounds;
}

// One group's outcomes in ranking order, cut into bins: bin b is y[bounds[b], bounds[b+1]).
// With the overall strategy the cuts are where the whole ranking's bins end.
struct GroupSlices {
  std::vector<double> y;
  std::vector<size_t> bounds;
};

GroupSlices Slice(const RankedSample& sample, Group group, Strategy strategy, int bins) {
  const uint8_t want = group == Group::kTreatment ? 1 : 0;
  const auto t = sample.treatment();
  const auto y = sample.outcome();
  GroupSlices out;
  out.y.reserve(static_cast<size_t>(want ? sample.n_treated() : sample.n_control()));
  if (strategy == Strategy::kByGroup) {
    for (size_t i = 0; i < sample.size(); ++i) {
      if (t[i] == want) out.y.push_back(y[i]);
    }
    out.bounds = SplitPoints(out.y.size(), bins);
    return out;
  }
  const std::vector<size_t> overall = SplitPoints(sample.size(), bins);
  out.bounds.assign(overall.size(), 0);
  size_t b = 1;
  for (size_t i = 0; i < sample.size(); ++i) {
    while (b < overall.size() && i >= overall[b]) out.bounds[b++] = out.y.size();
    if (t[i] == want) out.y.push_back(y[i]);
  }
  while (b < overall.size()) out.bounds[b++] = out.y.size();
  return out;
}

struct SliceStats {
  int64_t n = 0;
  std::optional<double> rate, variance;
};

SliceStats Stats(std::span<const double> y, bool binary) {
  SliceStats s;
  s.n = static_cast<int64_t>(y.size());
  if (y.empty()) return s;
  const auto n = static_cast<double>(y.size());
  detail::CompensatedSum sum;
  for (double v : y) sum.Add(v);
  const double rate = sum.Value() / n;
  s.rate = rate;
  if (binary) {
    s.variance = rate * ((1 - rate) / n);  // sklift: rr · ((1 − rr) / n)
  } else {
    detail::CompensatedSum squares;
    for (double v : y) squares.Add((v - rate) * (v - rate));
    s.variance = squares.Value() / n / n;
  }
  return s;
}

Status CheckBins(const RankedSample& sample, int bins, std::string_view metric) {
  if (bins < 1) return Status::Config("{}: bins={} must be a positive integer", metric, bins);
  UPCAMP_RETURN_IF_ERROR(detail::RequireBothGroups(sample, metric));
  if (static_cast<size_t>(bins) >= sample.size()) {
    return Status::Data("{}: bins={} must be smaller than the {} rows", metric, bins,
                        sample.size());
  }
  return Status::Ok();
}

GroupBins Summarize(const RankedSample& sample, Group group, Strategy strategy, int bins) {
  const GroupSlices slices = Slice(sample, group, strategy, bins);
  GroupBins out;
  const std::span<const double> y = slices.y;
  for (int b = 0; b < bins; ++b) {
    const size_t lo = slices.bounds[b], hi = slices.bounds[b + 1];
    const SliceStats s = Stats(y.subspan(lo, hi - lo), sample.binary_outcome());
    out.n.push_back(s.n);
    out.response_rate.push_back(s.rate);
    out.variance.push_back(s.variance);
  }
  return out;
}

std::optional<double> Sqrt(std::optional<double> v) {
  if (!v) return std::nullopt;
  return std::sqrt(*v);
}

PercentileRow MakeRow(std::string label, int64_t n_t, int64_t n_c, std::optional<double> rate_t,
                      std::optional<double> rate_c, std::optional<double> var_t,
                      std::optional<double> var_c) {
  PercentileRow row;
  row.percentile = std::move(label);
  row.n_treatment = n_t;
  row.n_control = n_c;
  row.response_rate_treatment = rate_t;
  row.response_rate_control = rate_c;
  if (rate_t && rate_c) row.uplift = *rate_t - *rate_c;
  row.std_treatment = Sqrt(var_t);
  row.std_control = Sqrt(var_c);
  if (var_t && var_c) row.std_uplift = std::sqrt(*var_t + *var_c);
  return row;
}

}  // namespace

std::vector<std::string> PercentileLabels(int bins) {
  std::vector<std::string> labels;
  long previous = 0;
  for (int b = 1; b <= bins; ++b) {
    // Python: round(b * 100 / bins) — a correctly rounded division, then half-to-even rounding,
    // which std::nearbyint does in the default rounding mode.
    const double p = static_cast<double>(int64_t{b} * 100) / static_cast<double>(bins);
    const long current = std::lrint(std::nearbyint(p));
    labels.push_back(fmt::format("{}-{}", previous, current));
    previous = current;
  }
  return labels;
}

Result<GroupBins> ResponseRateByPercentile(const RankedSample& sample, Group group,
                                           Strategy strategy, int bins) {
  UPCAMP_RETURN_IF_ERROR(CheckBins(sample, bins, "response rate by percentile"));
  return Summarize(sample, group, strategy, bins);
}

Result<PercentileTable> UpliftByPercentile(const RankedSample& sample, Strategy strategy,
                                           int bins) {
  UPCAMP_RETURN_IF_ERROR(CheckBins(sample, bins, "uplift by percentile"));
  const GroupBins t = Summarize(sample, Group::kTreatment, strategy, bins);
  const GroupBins c = Summarize(sample, Group::kControl, strategy, bins);
  const std::vector<std::string> labels = PercentileLabels(bins);
  PercentileTable table;
  table.strategy = strategy;
  table.bins = bins;
  for (int b = 0; b < bins; ++b) {
    table.rows.push_back(MakeRow(labels[b], t.n[b], c.n[b], t.response_rate[b], c.response_rate[b],
                                 t.variance[b], c.variance[b]));
  }
  const GroupBins total_t = Summarize(sample, Group::kTreatment, strategy, 1);
  const GroupBins total_c = Summarize(sample, Group::kControl, strategy, 1);
  table.total = MakeRow("total", total_t.n[0], total_c.n[0], total_t.response_rate[0],
                        total_c.response_rate[0], total_t.variance[0], total_c.variance[0]);
  return table;
}

Result<PercentileTable> UpliftByPercentile(std::span<const double> score,
                                           std::span<const uint8_t> treatment,
                                           std::span<const double> outcome, Strategy strategy,
                                           int bins) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return UpliftByPercentile(sample, strategy, bins);
}

Result<double> WeightedAverageUplift(const RankedSample& sample, Strategy strategy, int bins) {
  const std::string metric =
      fmt::format("weighted_average_uplift ({}, bins={})", StrategyName(strategy), bins);
  UPCAMP_RETURN_IF_ERROR(CheckBins(sample, bins, metric));
  const GroupBins t = Summarize(sample, Group::kTreatment, strategy, bins);
  const GroupBins c = Summarize(sample, Group::kControl, strategy, bins);
  const std::vector<std::string> labels = PercentileLabels(bins);
  double weighted = 0;
  int64_t weights = 0;
  for (int b = 0; b < bins; ++b) {
    if (!t.response_rate[b] || !c.response_rate[b]) {
      return Status::Data("{} is undefined: percentile bin {} has no {} rows", metric, labels[b],
                          t.response_rate[b] ? "control" : "treated");
    }
    weighted += static_cast<double>(t.n[b]) * (*t.response_rate[b] - *c.response_rate[b]);
    weights += t.n[b];
  }
  return weighted / static_cast<double>(weights);
}

Result<double> WeightedAverageUplift(std::span<const double> score,
                                     std::span<const uint8_t> treatment,
                                     std::span<const double> outcome, Strategy strategy, int bins) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return WeightedAverageUplift(sample, strategy, bins);
}

}  // namespace upcamp::metrics
