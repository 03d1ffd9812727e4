#include "models/forest/binning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/random.h"

namespace upcamp::models::forest {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The definition in binning.h, written the slow and obvious way: sort everything.
std::vector<double> ReferenceCuts(const std::vector<double>& values, int max_bins) {
  std::vector<double> v;
  for (double x : values) {
    if (!std::isnan(x)) v.push_back(x == 0 ? 0.0 : x);
  }
  std::sort(v.begin(), v.end());
  std::vector<double> distinct = v;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<double> cuts;
  if (distinct.size() <= static_cast<size_t>(max_bins)) {
    cuts.assign(distinct.begin(), distinct.end() - 1);
    return cuts;
  }
  const auto m = static_cast<uint64_t>(v.size());
  const auto b = static_cast<uint64_t>(max_bins);
  for (uint64_t k = 1; k < b; ++k) {
    const double c = v[(k * m + b - 1) / b - 1];
    if (c != v.back() && (cuts.empty() || cuts.back() != c)) cuts.push_back(c);
  }
  return cuts;
}

void ExpectMatchesReference(const std::vector<double>& values, int max_bins) {
  std::vector<uint8_t> codes(values.size());
  BinningScratch scratch;
  const FeatureBins bins = BinColumn(values, max_bins, codes, scratch);
  const std::vector<double> expected = ReferenceCuts(values, max_bins);
  ASSERT_EQ(bins.cuts, expected);
  EXPECT_LE(bins.num_bins(), max_bins);
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = values[i];
    if (std::isnan(x)) {
      ASSERT_EQ(codes[i], kMissingCode) << i;
      continue;
    }
    ASSERT_EQ(codes[i], bins.CodeOf(x)) << "row " << i << " value " << x;
    // code <= k exactly when x <= cuts[k]: what trees rely on to route raw values.
    for (size_t k = 0; k < bins.cuts.size(); ++k) {
      ASSERT_EQ(codes[i] <= k, x <= bins.cuts[k]) << "row " << i << " cut " << k;
    }
  }
}

TEST(ForestBinning, FewDistinctValuesGetOneBinEach) {
  const std::vector<double> values = {3, 1, kNaN, 2, 3, -0.0, 1, 0.0, kNaN, 2};
  std::vector<uint8_t> codes(values.size());
  BinningScratch scratch;
  const FeatureBins bins = BinColumn(values, 255, codes, scratch);
  EXPECT_EQ(bins.cuts, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(bins.num_bins(), 4);
  EXPECT_EQ(codes, (std::vector<uint8_t>{3, 1, kMissingCode, 2, 3, 0, 1, 0, kMissingCode, 2}));
}

TEST(ForestBinning, ConstantAndAllMissingColumns) {
  BinningScratch scratch;
  std::vector<double> constant(50, 7.5);
  std::vector<uint8_t> codes(50);
  FeatureBins bins = BinColumn(constant, 16, codes, scratch);
  EXPECT_EQ(bins.num_bins(), 1);
  EXPECT_TRUE(bins.cuts.empty());
  EXPECT_TRUE(std::all_of(codes.begin(), codes.end(), [](uint8_t c) { return c == 0; }));

  std::vector<double> missing(20, kNaN);
  codes.assign(20, 0);
  bins = BinColumn(missing, 16, codes, scratch);
  EXPECT_EQ(bins.num_bins(), 0);
  EXPECT_TRUE(std::all_of(codes.begin(), codes.end(), [](uint8_t c) { return c == kMissingCode; }));
}

TEST(ForestBinning, QuantileCutsEqualTheSortedDefinition) {
  Rng rng(7);
  std::vector<double> values(20000);
  for (double& x : values) x = rng.Normal();
  ExpectMatchesReference(values, 255);
  ExpectMatchesReference(values, 16);
  ExpectMatchesReference(values, 2);
}

TEST(ForestBinning, HeavyTiesMissingAndSkew) {
  Rng rng(11);
  std::vector<double> values(30000);
  for (double& x : values) {
    const double u = rng.Uniform();
    if (u < 0.4)
      x = 0;  // 40% zeros
    else if (u < 0.5)
      x = kNaN;  // 10% missing
    else if (u < 0.6)
      x = std::round(rng.Uniform(0, 5));
    else
      x = rng.LogNormal(3, 2.5);  // a long tail
  }
  ExpectMatchesReference(values, 255);
  ExpectMatchesReference(values, 32);
}

TEST(ForestBinning, ExtremeRangesAndInfinities) {
  Rng rng(3);
  std::vector<double> values;
  for (int i = 0; i < 5000; ++i) values.push_back(rng.Uniform(1, 2));  // one binade...
  values.push_back(1e300);                                             // ...plus outliers
  values.push_back(-1e-300);
  values.push_back(kInf);
  values.push_back(-kInf);
  values.push_back(5e-324);  // the smallest denormal
  for (int i = 0; i < 300; ++i) values.push_back(-kInf);
  ExpectMatchesReference(values, 255);
  ExpectMatchesReference(values, 7);
}

TEST(ForestBinning, CutsDoNotDependOnRowOrder) {
  Rng rng(5);
  std::vector<double> values(10000);
  for (double& x : values) x = std::round(rng.Normal(0, 100)) / 4;  // many ties
  std::vector<uint8_t> codes(values.size());
  BinningScratch scratch;
  const FeatureBins a = BinColumn(values, 64, codes, scratch);
  std::reverse(values.begin(), values.end());
  std::swap(values[3], values[4000]);
  const FeatureBins b = BinColumn(values, 64, codes, scratch);
  EXPECT_EQ(a.cuts, b.cuts);
}

TEST(ForestBinning, OrderKeyIsMonotone) {
  const std::vector<double> ordered = {-kInf, -1e300, -1, -5e-324, 0, 5e-324, 1, 1e300, kInf};
  for (size_t i = 1; i < ordered.size(); ++i) {
    EXPECT_LT(OrderKey(ordered[i - 1]), OrderKey(ordered[i])) << ordered[i];
  }
  EXPECT_EQ(OrderKey(-0.0), OrderKey(0.0));
}

}  // namespace
}  // namespace upcamp::models::forest
