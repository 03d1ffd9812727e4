#include "metrics/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/hash.h"
#include "core/parallel.h"
#include "core/random.h"

namespace upcamp::metrics {
namespace {

// Per-worker buffers, reused across the replicates a worker runs.
struct Scratch {
  std::vector<uint32_t> counts;
  RankedSample resample;
};

}  // namespace

Status BootstrapOptions::Validate() const {
  if (replicates < 2) {
    return Status::Config("bootstrap: replicates={} must be at least 2", replicates);
  }
  if (!(level > 0 && level < 1)) {
    return Status::Config("bootstrap: level={} must be strictly between 0 and 1", level);
  }
  if (!(max_undefined_fraction >= 0 && max_undefined_fraction <= 1)) {
    return Status::Config("bootstrap: max_undefined_fraction={} must be between 0 and 1",
                          max_undefined_fraction);
  }
  return Status::Ok();
}

double Quantile(std::span<const double> sorted, double q) {
  assert(!sorted.empty());
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

namespace detail {

void FinishInterval(BootstrapInterval& iv, size_t replicates,
                    const std::function<std::optional<double>(size_t)>& value,
                    const std::function<std::string(size_t)>& reason,
                    const BootstrapOptions& options) {
  iv.values.clear();
  iv.undefined_replicates = 0;
  std::optional<size_t> first_undefined;
  for (size_t r = 0; r < replicates; ++r) {
    if (const std::optional<double> v = value(r)) {
      iv.values.push_back(*v);
    } else {
      ++iv.undefined_replicates;
      if (!first_undefined) first_undefined = r;
    }
  }
  const double allowed = options.max_undefined_fraction * static_cast<double>(replicates);
  if (static_cast<double>(iv.undefined_replicates) > allowed || iv.values.size() < 2) {
    iv.defined = false;
    iv.reason = fmt::format(
        "{} of {} bootstrap replicates are undefined (first, replicate {}: {}); more than "
        "max_undefined_fraction={} allows",
        iv.undefined_replicates, replicates, first_undefined.value_or(0),
        first_undefined ? reason(*first_undefined) : std::string("-"),
        options.max_undefined_fraction);
    return;
  }
  std::vector<double> sorted = iv.values;
  std::sort(sorted.begin(), sorted.end());
  iv.lower = Quantile(sorted, (1 - options.level) / 2);
  iv.upper = Quantile(sorted, (1 + options.level) / 2);
  double mean = 0;
  for (double v : iv.values) mean += v;
  mean /= static_cast<double>(iv.values.size());
  double ss = 0;
  for (double v : iv.values) ss += (v - mean) * (v - mean);
  iv.std_error = std::sqrt(ss / static_cast<double>(iv.values.size() - 1));
}

}  // namespace detail

Result<std::vector<BootstrapInterval>> BootstrapAll(const RankedSample& sample,
                                                    std::span<const SampleMetric> metrics,
                                                    const BootstrapOptions& options,
                                                    const Context& ctx) {
  UPCAMP_RETURN_IF_ERROR(options.Validate());
  if (sample.size() == 0) return Status::Data("bootstrap: there are no rows to resample");
  const size_t n = sample.size();
  const size_t m = metrics.size();
  const auto reps = static_cast<size_t>(options.replicates);

  std::vector<BootstrapInterval> out(m);
  for (size_t j = 0; j < m; ++j) {
    out[j].replicates = options.replicates;
    auto estimate = metrics[j](sample);
    if (estimate.ok()) {
      out[j].estimate = *estimate;
      out[j].defined = true;
    } else {
      out[j].reason = estimate.status().message();
    }
  }

  if (std::none_of(out.begin(), out.end(), [](const auto& iv) { return iv.defined; })) {
    return out;  // nothing to resample for
  }

  // Ranked positions of each group, for stratified draws.
  std::vector<uint32_t> treated, control;
  if (options.stratified) {
    const auto t = sample.treatment();
    for (size_t i = 0; i < n; ++i) (t[i] ? treated : control).push_back(static_cast<uint32_t>(i));
  }

  // values[r * m + j]: metric j on replicate r; nullopt (with the reason kept) if undefined.
  std::vector<std::optional<double>> values(reps * m);
  std::vector<std::string> reasons(reps * m);
  const int threads = std::max(1, ctx.threads);
  std::vector<Scratch> scratch(static_cast<size_t>(threads));
  ParallelFor(threads, reps, [&](size_t r, int worker) {
    Scratch& s = scratch[static_cast<size_t>(worker)];
    s.counts.assign(n, 0);
    Rng rng(MixSeed(options.seed, r));
    if (options.stratified) {
      for (const auto* group : {&treated, &control}) {
        const size_t size = group->size();
        for (size_t d = 0; d < size; ++d) ++s.counts[(*group)[rng.UniformInt(size)]];
      }
    } else {
      for (size_t d = 0; d < n; ++d) ++s.counts[rng.UniformInt(n)];
    }
    s.resample.AssignResample(sample, s.counts);
    for (size_t j = 0; j < m; ++j) {
      if (!out[j].defined) continue;
      auto v = metrics[j](s.resample);
      if (v.ok()) {
        values[r * m + j] = *v;
      } else {
        reasons[r * m + j] = v.status().message();
      }
    }
  });

  for (size_t j = 0; j < m; ++j) {
    if (!out[j].defined) continue;
    detail::FinishInterval(
        out[j], reps, [&](size_t r) { return values[r * m + j]; },
        [&](size_t r) { return reasons[r * m + j]; }, options);
  }
  return out;
}

Result<BootstrapInterval> Bootstrap(const RankedSample& sample, const SampleMetric& metric,
                                    const BootstrapOptions& options, const Context& ctx) {
  UPCAMP_ASSIGN_OR_RETURN(auto all, BootstrapAll(sample, std::span(&metric, 1), options, ctx));
  if (!all[0].defined) return Status::Data("bootstrap interval is undefined: {}", all[0].reason);
  return std::move(all[0]);
}

}  // namespace upcamp::metrics
