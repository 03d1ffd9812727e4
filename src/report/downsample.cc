#include "report/downsample.h"

#include <algorithm>
#include <cmath>

namespace upcamp::report {

std::vector<size_t> DownsampleIndices(std::span<const double> y, size_t max_points) {
  const size_t n = y.size();
  std::vector<size_t> keep;
  max_points = std::max<size_t>(max_points, 4);
  if (n <= max_points) {
    keep.resize(n);
    for (size_t i = 0; i < n; ++i) keep[i] = i;
    return keep;
  }
  const size_t buckets = (max_points - 2) / 2;
  const size_t inner = n - 2;  // points 1 .. n-2
  keep.reserve(2 + 2 * buckets);
  keep.push_back(0);
  for (size_t b = 0; b < buckets; ++b) {
    // Bucket b holds inner points [begin, end), the sizes differing by at most one.
    const size_t begin = 1 + b * inner / buckets;
    const size_t end = 1 + (b + 1) * inner / buckets;
    size_t lo = end, hi = end;
    for (size_t i = begin; i < end; ++i) {
      if (std::isnan(y[i])) continue;
      if (lo == end || y[i] < y[lo]) lo = i;
      if (hi == end || y[i] > y[hi]) hi = i;
    }
    if (lo == end) continue;  // only NaNs
    keep.push_back(std::min(lo, hi));
    if (hi != lo) keep.push_back(std::max(lo, hi));
  }
  keep.push_back(n - 1);
  return keep;
}

void Downsample(std::span<const double> x, std::span<const double> y, size_t max_points,
                std::vector<double>* x_out, std::vector<double>* y_out) {
  const size_t n = std::min(x.size(), y.size());
  const std::vector<size_t> keep = DownsampleIndices(y.first(n), max_points);
  x_out->resize(keep.size());
  y_out->resize(keep.size());
  for (size_t k = 0; k < keep.size(); ++k) {
    (*x_out)[k] = x[keep[k]];
    (*y_out)[k] = y[keep[k]];
  }
}

}  // namespace upcamp::report
