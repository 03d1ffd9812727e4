#include "metrics/uplift_at_k.h"

#include <gtest/gtest.h>

#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;
using testing::Near;

// The hand case of curves_test.cc; ranking 6, 0, 3, 2, 1, 5, 4, 7 with (treatment, outcome):
//   6 (c,0)  0 (t,1)  3 (c,0)  2 (c,1)  1 (t,0)  5 (t,0)  4 (c,1)  7 (c,1)
const Data kHand{
    {0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.1}, {1, 1, 0, 0, 0, 1, 0, 0}, {1, 0, 1, 0, 1, 0, 0, 1}};

double At(const Data& d, TopK k, Strategy s) {
  auto r = UpliftAtK(d.Ranked(), k, s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : -999;
}

TEST(UpliftAtK, OverallByHandCuttingThroughTies) {
  // k = 3 rows: 6 (c,0), 0 (t,1), 3 (c,0) → 1/1 − 0/2 = 1. Row 3 comes before rows 2 and 1 of
  // its tie block only because sklift puts the later row first; with the opposite order the top
  // 3 would be 6, 0, 1 and the value 1/2 − 0 = 0.5.
  EXPECT_EQ(At(kHand, TopK::Count(3), Strategy::kOverall), 1.0);
  // k = 0.5: int(8·0.5) = 4 rows: + 2 (c,1) → 1 − 1/3 = 2/3.
  EXPECT_TRUE(Near(At(kHand, TopK::Fraction(0.5), Strategy::kOverall), 2.0 / 3, 1e-15));
  // k = 0.77: int(6.16) = 6 rows: treated 0, 1, 5 → 1/3; control 6, 3, 2 → 1/3 → 0.
  EXPECT_EQ(At(kHand, TopK::Fraction(0.77), Strategy::kOverall), 0.0);
}

TEST(UpliftAtK, ByGroupByHand) {
  // Treated in ranking order: 0 (1), 1 (0), 5 (0); control: 6 (0), 3 (0), 2 (1), 4 (1), 7 (1).
  // k = 0.5: int(3·0.5) = 1 treated → 1; int(5·0.5) = 2 control → 0 → uplift 1.
  EXPECT_EQ(At(kHand, TopK::Fraction(0.5), Strategy::kByGroup), 1.0);
  // k = 0.77: int(2.31) = 2 treated → 1/2; int(3.85) = 3 control → 1/3 → 1/6.
  EXPECT_TRUE(Near(At(kHand, TopK::Fraction(0.77), Strategy::kByGroup), 1.0 / 6, 1e-15));
  // k = 2 rows of each group: (1 + 0)/2 − (0 + 0)/2 = 0.5.
  EXPECT_EQ(At(kHand, TopK::Count(2), Strategy::kByGroup), 0.5);
}

TEST(UpliftAtK, TruncatesLikePythonInt) {
  // 100 rows, k = 0.29: 100 · 0.29 = 28.999999999999996 in doubles → int() = 28 rows, not 29.
  // Rows 0..27 alternate treated/control with outcome 0; row 28 is a treated responder.
  Data d;
  for (int i = 0; i < 100; ++i) {
    d.score.push_back(100 - i);
    d.treatment.push_back(i == 28 ? 1 : static_cast<uint8_t>(i % 2));
    d.outcome.push_back(i == 28 ? 1 : 0);
  }
  EXPECT_EQ(At(d, TopK::Fraction(0.29), Strategy::kOverall), 0.0);
  // With 29 rows the responder would count: 1/15 − 0.
  EXPECT_TRUE(Near(At(d, TopK::Count(29), Strategy::kOverall), 1.0 / 15, 1e-15));
}

TEST(UpliftAtK, SwappingGroupsFlipsTheSign) {
  const Data d = testing::Simulate(3000, 29);
  for (Strategy s : {Strategy::kOverall, Strategy::kByGroup}) {
    for (TopK k : {TopK::Fraction(0.1), TopK::Fraction(0.3), TopK::Count(500)}) {
      EXPECT_EQ(At(d.Swapped(), k, s), -At(d, k, s));
    }
  }
}

TEST(UpliftAtK, InvariantToScalingAndPermutationWithDistinctScores) {
  const Data d = testing::Simulate(2000, 31);
  Data scaled = d, reversed = d;
  for (double& s : scaled.score) s = 0.5 * s;
  std::reverse(reversed.score.begin(), reversed.score.end());
  std::reverse(reversed.treatment.begin(), reversed.treatment.end());
  std::reverse(reversed.outcome.begin(), reversed.outcome.end());
  for (Strategy s : {Strategy::kOverall, Strategy::kByGroup}) {
    EXPECT_EQ(At(scaled, TopK::Fraction(0.3), s), At(d, TopK::Fraction(0.3), s));
    EXPECT_EQ(At(reversed, TopK::Fraction(0.3), s), At(d, TopK::Fraction(0.3), s));
  }
}

TEST(UpliftAtK, GoodScoreBeatsTheAverageEffect) {
  // Effect = 0.2·h with h ~ U(0, 1): 0.1 on average, ~0.17 in the top 30% by h.
  const Data d = testing::Simulate(100000, 37, 0.5, 0.2, 0.2, 0.05);
  const double top = At(d, TopK::Fraction(0.3), Strategy::kOverall);
  EXPECT_GT(top, 0.14);
  EXPECT_LT(top, 0.20);
}

TEST(UpliftAtK, ContinuousOutcome) {
  // Ranking 3 (t, 2.5), 2 (c, 1.0), 1 (t, 0.5), 0 (c, 4.0); k = 3 rows: (2.5 + 0.5)/2 − 1 = 0.5.
  const Data d{{1, 2, 3, 4}, {0, 1, 0, 1}, {4.0, 0.5, 1.0, 2.5}};
  EXPECT_EQ(At(d, TopK::Count(3), Strategy::kOverall), 0.5);
  // by_group, k = 1: 2.5 − 1.0.
  EXPECT_EQ(At(d, TopK::Count(1), Strategy::kByGroup), 1.5);
}

TEST(UpliftAtK, InvalidKIsAConfigError) {
  const RankedSample s = kHand.Ranked();
  for (double k : {0.0, 1.0, -0.5, 1.5, std::nan("")}) {
    auto r = UpliftAtK(s, TopK::Fraction(k), Strategy::kOverall);
    ASSERT_FALSE(r.ok()) << k;
    EXPECT_EQ(r.status().code(), ErrorCode::kConfig) << k;
  }
  EXPECT_EQ(UpliftAtK(s, TopK::Count(0), Strategy::kOverall).status().code(), ErrorCode::kConfig);
  // A count must be below N (overall) and within each group (by_group): data errors.
  auto big = UpliftAtK(s, TopK::Count(8), Strategy::kOverall);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), ErrorCode::kData);
  EXPECT_NE(big.status().message().find("smaller than the 8 rows"), std::string::npos);
  EXPECT_FALSE(UpliftAtK(s, TopK::Count(4), Strategy::kByGroup).ok());  // only 3 treated
}

TEST(UpliftAtK, EmptySelectionsAreUndefinedNotNaN) {
  const RankedSample s = kHand.Ranked();
  // Top 1 row is control only (sklift: mean of an empty array = NaN).
  auto one = UpliftAtK(s, TopK::Count(1), Strategy::kOverall);
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().code(), ErrorCode::kData);
  EXPECT_NE(one.status().message().find("undefined"), std::string::npos);
  EXPECT_NE(one.status().message().find("no treated rows"), std::string::npos);
  // int(8 · 0.1) = 0 rows.
  EXPECT_FALSE(UpliftAtK(s, TopK::Fraction(0.1), Strategy::kOverall).ok());
  // by_group: int(3 · 0.3) = 0 treated rows.
  auto none = UpliftAtK(s, TopK::Fraction(0.3), Strategy::kByGroup);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("selects no treated rows"), std::string::npos);
  // No control group at all.
  const Data treated_only{{1, 2, 3}, {1, 1, 1}, {1, 0, 1}};
  EXPECT_NE(UpliftAtK(treated_only.Ranked(), TopK::Count(1), Strategy::kByGroup)
                .status()
                .message()
                .find("no control rows"),
            std::string::npos);
  // Span overload reports input errors.
  EXPECT_EQ(UpliftAtK(std::vector<double>{1}, std::vector<uint8_t>{1, 0}, std::vector<double>{1, 0},
                      TopK::Fraction(0.5), Strategy::kOverall)
                .status()
                .code(),
            ErrorCode::kData);
}

}  // namespace
}  // namespace upcamp::metrics
