#include "metrics/sample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

#include "metrics/curves.h"
#include "metrics/percentile.h"
#include "metrics/uplift_at_k.h"
#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;

Status MakeStatus(const Data& d) {
  return RankedSample::Make(d.score, d.treatment, d.outcome).status();
}

TEST(RankedSample, RejectsMalformedInputNamingTheRow) {
  const Data ok{{0.3, 0.1, 0.2}, {1, 0, 1}, {1, 0, 0}};
  ASSERT_TRUE(MakeStatus(ok).ok());

  Data d = ok;
  d.outcome.pop_back();
  Status st = MakeStatus(d);
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("one value per row"), std::string::npos) << st.message();

  EXPECT_EQ(MakeStatus(Data{}).code(), ErrorCode::kData);
  EXPECT_NE(MakeStatus(Data{}).message().find("no rows"), std::string::npos);

  d = ok;
  d.score[1] = std::nan("");
  st = MakeStatus(d);
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("score at row 1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("nan"), std::string::npos) << st.message();

  d = ok;
  d.score[2] = std::numeric_limits<double>::infinity();
  EXPECT_NE(MakeStatus(d).message().find("score at row 2"), std::string::npos);

  d = ok;
  d.treatment[2] = 2;
  st = MakeStatus(d);
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("treatment at row 2 (0-based) is 2"), std::string::npos)
      << st.message();

  d = ok;
  d.outcome[0] = std::nan("");
  EXPECT_NE(MakeStatus(d).message().find("outcome at row 0"), std::string::npos);
}

TEST(RankedSample, RanksByScoreDescendingThenLaterRowFirst) {
  // sklift: np.argsort(score, kind="mergesort")[::-1]. For scores
  //   row:   0    1    2    3    4    5    6    7
  //   score: 0.9  0.5  0.5  0.5  0.2  0.2  0.9  0.1
  // the stable ascending sort is 7, 4, 5, 1, 2, 3, 0, 6; reversed: 6, 0, 3, 2, 1, 5, 4, 7.
  const std::vector<double> score = {0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.1};
  const std::vector<uint8_t> t = {1, 1, 0, 0, 0, 1, 0, 0};
  const std::vector<double> index = {0, 1, 2, 3, 4, 5, 6, 7};  // outcome = row index
  auto s = RankedSample::Make(score, t, index);
  ASSERT_TRUE(s.ok());
  const std::vector<double> order(s->outcome().begin(), s->outcome().end());
  EXPECT_EQ(order, (std::vector<double>{6, 0, 3, 2, 1, 5, 4, 7}));
  EXPECT_EQ(s->score()[0], 0.9);
  EXPECT_EQ(s->score()[7], 0.1);
  EXPECT_EQ(s->n_treated(), 3);
  EXPECT_EQ(s->n_control(), 5);
  EXPECT_FALSE(s->binary_outcome());  // outcomes 2..7
}

TEST(RankedSample, LargeInputsRankLikeAStableSortReversed) {
  // Inputs of 256 rows and more take the radix-sort path; compare it with the definition:
  // std::stable_sort ascending (ties keep row order), then reversed.
  for (size_t n : {255, 256, 5000}) {
    Rng rng(n);
    std::vector<double> score(n);
    for (double& s : score) {
      const double pick = rng.Uniform();
      s = pick < 0.3   ? std::round(rng.Normal() * 3)  // ties, negatives
          : pick < 0.4 ? (rng.Bernoulli(0.5) ? 0.0 : -0.0)
          : pick < 0.5 ? rng.Normal() * 1e300
                       : rng.Normal() * 1e-300;  // subnormal-ish magnitudes
    }
    std::vector<uint32_t> expected(n);
    std::iota(expected.begin(), expected.end(), 0);
    std::stable_sort(expected.begin(), expected.end(),
                     [&](uint32_t a, uint32_t b) { return score[a] < score[b]; });
    std::reverse(expected.begin(), expected.end());
    std::vector<double> index(n);
    std::iota(index.begin(), index.end(), 0.0);
    auto s = RankedSample::Make(score, std::vector<uint8_t>(n, 1), index);
    ASSERT_TRUE(s.ok());
    for (size_t r = 0; r < n; ++r) {
      ASSERT_EQ(s->outcome()[r], expected[r]) << "n=" << n << " rank " << r;
    }
  }
}

TEST(RankedSample, NegativeZeroTiesWithZero) {
  // -0.0 == 0.0: one block of ties (np.diff gives -0.0, which counts as "no change").
  const std::vector<double> score = {0.0, -0.0, 0.0};
  const std::vector<uint8_t> t = {1, 0, 1};
  const std::vector<double> y = {1, 0, 0};
  auto curve = UpliftCurve(score, t, y);
  ASSERT_TRUE(curve.ok());
  EXPECT_EQ(curve->n, (std::vector<double>{0, 3}));
}

TEST(RankedSample, CountsAndBinaryDetection) {
  const Data d{{1, 2, 3, 4}, {1, 1, 0, 1}, {0, 1, 1, 0}};
  const RankedSample s = d.Ranked();
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.n_treated(), 3);
  EXPECT_EQ(s.n_control(), 1);
  EXPECT_TRUE(s.binary_outcome());
  EXPECT_EQ(s.n_outcome_one(), 2);

  const Data c{{1, 2}, {1, 0}, {0.5, 1}};
  EXPECT_FALSE(c.Ranked().binary_outcome());
}

TEST(RankedSample, ResampleEqualsRankingTheMaterializedRows) {
  const Data d = testing::Simulate(300, 7, 0.5, 0.2, 0.2, 0.0);
  Data tied = d;
  for (double& s : tied.score) s = std::round(s * 5) / 5;  // many ties
  const RankedSample base = tied.Ranked();
  std::vector<uint32_t> counts(base.size());
  Rng rng(11);
  for (size_t i = 0; i < base.size(); ++i) ++counts[rng.UniformInt(base.size())];

  RankedSample resample;
  resample.AssignResample(base, counts);
  ASSERT_EQ(resample.size(), base.size());

  // The same multiset of rows listed in reverse ranking order, ranked from scratch.
  Data rows;
  for (size_t i = base.size(); i-- > 0;) {
    for (uint32_t c = 0; c < counts[i]; ++c) {
      rows.score.push_back(base.score()[i]);
      rows.treatment.push_back(base.treatment()[i]);
      rows.outcome.push_back(base.outcome()[i]);
    }
  }
  const RankedSample direct = rows.Ranked();
  EXPECT_TRUE(std::equal(direct.score().begin(), direct.score().end(), resample.score().begin()));
  EXPECT_TRUE(std::equal(direct.treatment().begin(), direct.treatment().end(),
                         resample.treatment().begin()));
  EXPECT_TRUE(
      std::equal(direct.outcome().begin(), direct.outcome().end(), resample.outcome().begin()));
  EXPECT_EQ(direct.n_treated(), resample.n_treated());
  EXPECT_EQ(direct.n_outcome_one(), resample.n_outcome_one());
  EXPECT_EQ(direct.binary_outcome(), resample.binary_outcome());
  // So metrics that cut through tie blocks agree too.
  EXPECT_EQ(*UpliftAtK(direct, TopK::Fraction(0.33), Strategy::kOverall),
            *UpliftAtK(resample, TopK::Fraction(0.33), Strategy::kOverall));
}

TEST(Strategy, ParsesTheTwoNames) {
  EXPECT_EQ(*ParseStrategy("overall"), Strategy::kOverall);
  EXPECT_EQ(*ParseStrategy("by_group"), Strategy::kByGroup);
  auto bad = ParseStrategy("group");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kConfig);
  EXPECT_NE(bad.status().message().find("by_group"), std::string::npos);
  EXPECT_EQ(StrategyName(Strategy::kByGroup), "by_group");
}

}  // namespace
}  // namespace upcamp::metrics
