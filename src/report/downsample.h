#pragma once
// Reducing long curves to a drawable number of points. A Qini curve over 400k clients has up to
// 400k points; a browser draws that slowly and a screen shows at most ~1000 of them anyway.

#include <cstddef>
#include <span>
#include <vector>

namespace upcamp::report {

/// Indices (increasing) of the points of y[0..n) to keep so that at most `max_points` remain
/// (max_points is raised to 4 if smaller). All indices when n <= max_points. Otherwise: the first
/// and the last point, and of the points in between, split by index into (max_points − 2)/2
/// equal buckets, the lowest and the highest of every bucket. So the end points and the global
/// maximum and minimum are always kept, and the drawn shape (its envelope) is the original's.
/// NaN values are never chosen as a bucket's extreme (a bucket of only NaNs keeps nothing).
/// Deterministic: ties keep the earliest index.
std::vector<size_t> DownsampleIndices(std::span<const double> y, size_t max_points);

/// x and y reduced together by DownsampleIndices(y, max_points). x and y must have the same
/// length (the shorter length is used otherwise).
void Downsample(std::span<const double> x, std::span<const double> y, size_t max_points,
                std::vector<double>* x_out, std::vector<double>* y_out);

}  // namespace upcamp::report
