#include "metrics/uplift_at_k.h"

#include <fmt/format.h>

#include <string>

#include "metrics/checks.h"

namespace upcamp::metrics {
namespace {

std::string Describe(TopK k) {
  return k.is_count ? fmt::format("k={} rows", k.count) : fmt::format("k={}", k.fraction);
}

// int(rows · fraction) as Python computes it: one double multiplication, then truncation.
int64_t Truncated(int64_t rows, double fraction) {
  return static_cast<int64_t>(static_cast<double>(rows) * fraction);
}

}  // namespace

Status TopK::Validate() const {
  if (is_count) {
    if (count < 1) return Status::Config("uplift_at_k: k={} rows must be at least 1", count);
  } else if (!(fraction > 0 && fraction < 1)) {
    return Status::Config(
        "uplift_at_k: k={} must be a fraction strictly between 0 and 1 (or a row count)", fraction);
  }
  return Status::Ok();
}

Result<double> UpliftAtK(const RankedSample& sample, TopK k, Strategy strategy) {
  UPCAMP_RETURN_IF_ERROR(k.Validate());
  const std::string metric =
      fmt::format("uplift_at_k ({}, {})", StrategyName(strategy), Describe(k));
  UPCAMP_RETURN_IF_ERROR(detail::RequireBothGroups(sample, metric));
  const auto n = static_cast<int64_t>(sample.size());
  const auto t = sample.treatment();
  const auto y = sample.outcome();

  double sum_t = 0, sum_c = 0;
  int64_t n_t = 0, n_c = 0;
  if (strategy == Strategy::kOverall) {
    if (k.is_count && k.count >= n) {
      return Status::Data("{}: k must be smaller than the {} rows", metric, n);
    }
    const int64_t top = k.is_count ? k.count : Truncated(n, k.fraction);
    for (int64_t i = 0; i < top; ++i) {
      if (t[i]) {
        sum_t += y[i];
        ++n_t;
      } else {
        sum_c += y[i];
        ++n_c;
      }
    }
    if (n_t == 0 || n_c == 0) {
      return Status::Data("{} is undefined: the top {} rows contain no {} rows", metric, top,
                          n_t == 0 ? "treated" : "control");
    }
  } else {
    const int64_t want_t = k.is_count ? k.count : Truncated(sample.n_treated(), k.fraction);
    const int64_t want_c = k.is_count ? k.count : Truncated(sample.n_control(), k.fraction);
    if (want_c > sample.n_control() || want_t > sample.n_treated()) {
      return Status::Data("{}: k exceeds the {} treated or the {} control rows", metric,
                          sample.n_treated(), sample.n_control());
    }
    if (want_t == 0 || want_c == 0) {
      return Status::Data("{} is undefined: k selects no {} rows (int({} · k) = 0)", metric,
                          want_t == 0 ? "treated" : "control",
                          want_t == 0 ? sample.n_treated() : sample.n_control());
    }
    for (int64_t i = 0; i < n && (n_t < want_t || n_c < want_c); ++i) {
      if (t[i]) {
        if (n_t < want_t) {
          sum_t += y[i];
          ++n_t;
        }
      } else if (n_c < want_c) {
        sum_c += y[i];
        ++n_c;
      }
    }
  }
  return sum_t / static_cast<double>(n_t) - sum_c / static_cast<double>(n_c);
}

Result<double> UpliftAtK(std::span<const double> score, std::span<const uint8_t> treatment,
                         std::span<const double> outcome, TopK k, Strategy strategy) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return UpliftAtK(sample, k, strategy);
}

}  // namespace upcamp::metrics
