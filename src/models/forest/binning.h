#pragma once
// Histogram binning for the uplift forest: every feature's non-missing values are cut into at
// most `max_bins` quantile bins once per forest, and the matrix becomes uint8 bin codes
// (column-major, like FeatureMatrix), so that split search is a pass over bytes.
//
// Bins are defined by their upper bounds ("cuts"), which are values of the column:
//   bin k holds the values x with cuts[k-1] < x <= cuts[k]   (cuts[-1] = -inf, cuts[K-1] = +inf),
// so code(x) = number of cuts < x, and "code <= k" is exactly "x <= cuts[k]". Trees store the cut
// as a double threshold and route raw values at prediction time with the same comparison, so
// the bins never have to be stored with the model.
//
// Cuts depend only on the multiset of values (never on row order):
//  - at most max_bins distinct values: one bin per distinct value (cuts = all but the largest);
//  - otherwise: with the m non-missing values sorted, v[0] <= ... <= v[m-1], the candidate cuts
//    are v[ceil(k*m/max_bins) - 1] for k = 1..max_bins-1, deduplicated, without the maximum.
//    Heavy ties therefore give fewer, never empty, bins.
// -0.0 counts as +0.0; NaN is missing and gets kMissingCode.

#include <cstdint>
#include <span>
#include <vector>

namespace upcamp::models::forest {

/// Code of a missing (NaN) value. Value codes are 0..kMaxBins-1.
inline constexpr uint8_t kMissingCode = 255;
/// The most value bins a feature can have (one code is kept for missing values).
inline constexpr int kMaxBins = 255;

/// The cuts of one feature. num_bins() == 0 for an all-missing column, 1 for a constant one.
struct FeatureBins {
  std::vector<double> cuts;  ///< ascending, strictly; the upper bounds of bins 0..size()-1
  bool has_values = false;   ///< false if every value is missing

  int num_bins() const { return has_values ? static_cast<int>(cuts.size()) + 1 : 0; }
  /// The bin of a non-missing value: the number of cuts < x (binary search; for tests and
  /// one-off use — BinColumn is the fast path).
  uint8_t CodeOf(double x) const;
};

/// Scratch buffers reused across columns by one thread (a few MB at 150k rows).
struct BinningScratch {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> counts;
  std::vector<uint64_t> gathered;
  std::vector<uint8_t> bucket_first, bucket_cuts;
};

/// Computes the cuts of `values` (at most max_bins bins, 2 <= max_bins <= kMaxBins) and writes
/// the code of every value to `codes` (same length). Fast on any distribution: exact order
/// statistics come from a 2^16-bucket histogram of order-preserving keys, and only the
/// buckets that hold a cut are sorted.
FeatureBins BinColumn(std::span<const double> values, int max_bins, std::span<uint8_t> codes,
                      BinningScratch& scratch);

/// The order-preserving key of a non-NaN double (-0.0 maps like +0.0): a < b <=> key(a) < key(b).
uint64_t OrderKey(double x);

}  // namespace upcamp::models::forest
