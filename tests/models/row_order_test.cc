#include "models/row_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "models_testing.h"

namespace upcamp::models {
namespace {

// The rows of `d` listed in canonical order, as (t, y, x...) tuples compared bitwise.
std::vector<std::vector<double>> CanonicalRows(const testing::SimData& d) {
  std::vector<std::vector<double>> rows;
  for (int64_t r : CanonicalRowOrder(d.view())) {
    std::vector<double> row = {static_cast<double>(d.t[static_cast<size_t>(r)]),
                               d.y[static_cast<size_t>(r)]};
    for (int j = 0; j < d.x.cols(); ++j) row.push_back(d.x.at(r, j));
    rows.push_back(row);
  }
  return rows;
}

bool SameBits(const std::vector<std::vector<double>>& a,
              const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    for (size_t j = 0; j < a[i].size(); ++j) {
      if (std::bit_cast<uint64_t>(a[i][j]) != std::bit_cast<uint64_t>(b[i][j])) return false;
    }
  }
  return true;
}

TEST(CanonicalRowOrder, IsAPermutationIndependentOfInputOrder) {
  const testing::SimData d = testing::Simulate(500, OutcomeKind::kContinuous, 3);
  const auto order = CanonicalRowOrder(d.view());
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], static_cast<int64_t>(i));

  std::vector<int64_t> reversed(500);
  for (int64_t i = 0; i < 500; ++i) reversed[static_cast<size_t>(i)] = 499 - i;
  EXPECT_TRUE(SameBits(CanonicalRows(d), CanonicalRows(d.Permuted(reversed))));
}

TEST(CanonicalRowOrder, TiesAndMissingValues) {
  // Rows equal in features and outcome differ only by treatment: control first. NaN features
  // are ordinary values to the order.
  FeatureMatrix x({"a"}, 4);
  auto col = x.mutable_column(0);
  col[0] = 1;
  col[1] = std::nan("");
  col[2] = 1;
  col[3] = std::nan("");
  const std::vector<uint8_t> t = {1, 0, 0, 1};
  const std::vector<double> y = {0, 0, 0, 0};
  const auto order = CanonicalRowOrder({&x, t, y, OutcomeKind::kBinary});
  ASSERT_EQ(order.size(), 4u);
  // Within each pair of equal rows the control row comes first.
  auto pos = [&](int64_t r) { return std::find(order.begin(), order.end(), r) - order.begin(); };
  EXPECT_LT(pos(2), pos(0));
  EXPECT_LT(pos(1), pos(3));
}

TEST(CanonicalRowOrder, SwappingTreatmentKeepsTheOrderOfDistinctRows) {
  const testing::SimData d = testing::Simulate(300, OutcomeKind::kBinary, 4);
  EXPECT_EQ(CanonicalRowOrder(d.view()), CanonicalRowOrder(d.Swapped().view()));
}

}  // namespace
}  // namespace upcamp::models
