#include "metrics/percentile.h"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;
using testing::Near;

// The hand case of curves_test.cc; ranking 6, 0, 3, 2, 1, 5, 4, 7 with (treatment, outcome):
//   6 (c,0)  0 (t,1)  3 (c,0)  2 (c,1)  1 (t,0)  5 (t,0)  4 (c,1)  7 (c,1)
const Data kHand{
    {0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.1}, {1, 1, 0, 0, 0, 1, 0, 0}, {1, 0, 1, 0, 1, 0, 0, 1}};

TEST(Percentile, LabelsRoundHalfToEvenLikePython) {
  EXPECT_EQ(PercentileLabels(10),
            (std::vector<std::string>{"0-10", "10-20", "20-30", "30-40", "40-50", "50-60", "60-70",
                                      "70-80", "80-90", "90-100"}));
  // 12.5 → 12, 37.5 → 38, 62.5 → 62, 87.5 → 88 (Python's round is half-to-even).
  EXPECT_EQ(PercentileLabels(8), (std::vector<std::string>{"0-12", "12-25", "25-38", "38-50",
                                                           "50-62", "62-75", "75-88", "88-100"}));
  EXPECT_EQ(PercentileLabels(3), (std::vector<std::string>{"0-33", "33-67", "67-100"}));
  EXPECT_EQ(PercentileLabels(1), (std::vector<std::string>{"0-100"}));
}

TEST(Percentile, OverallByHand) {
  // np.array_split(8 rows, 3) → sizes 3, 3, 2:
  //   bin 0: 6 (c,0) 0 (t,1) 3 (c,0) → treated 1 row, rate 1; control 2 rows, rate 0.
  //   bin 1: 2 (c,1) 1 (t,0) 5 (t,0) → treated 2 rows, rate 0; control 1 row, rate 1.
  //   bin 2: 4 (c,1) 7 (c,1)         → no treated row (undefined); control rate 1.
  // Variances p(1−p)/n are all 0 here.
  auto t = UpliftByPercentile(kHand.Ranked(), Strategy::kOverall, 3);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].percentile, "0-33");
  EXPECT_EQ(t->rows[0].n_treatment, 1);
  EXPECT_EQ(t->rows[0].n_control, 2);
  EXPECT_EQ(t->rows[0].uplift, 1.0);
  EXPECT_EQ(t->rows[0].std_uplift, 0.0);
  EXPECT_EQ(t->rows[1].n_treatment, 2);
  EXPECT_EQ(t->rows[1].n_control, 1);
  EXPECT_EQ(t->rows[1].uplift, -1.0);
  EXPECT_EQ(t->rows[2].n_treatment, 0);
  EXPECT_FALSE(t->rows[2].response_rate_treatment.has_value());
  EXPECT_FALSE(t->rows[2].uplift.has_value());
  EXPECT_FALSE(t->rows[2].std_uplift.has_value());
  EXPECT_EQ(t->rows[2].response_rate_control, 1.0);
  EXPECT_EQ(t->rows[2].std_control, 0.0);
  // Total: treated 1/3, control 3/5; std of the uplift sqrt((1/3)(2/3)/3 + (3/5)(2/5)/5).
  EXPECT_EQ(t->total.percentile, "total");
  EXPECT_EQ(t->total.n_treatment, 3);
  EXPECT_EQ(t->total.n_control, 5);
  EXPECT_TRUE(Near(*t->total.uplift, 1.0 / 3 - 0.6, 1e-15));
  EXPECT_TRUE(Near(*t->total.std_uplift, std::sqrt(2.0 / 27 + 0.048), 1e-15));

  // Weighted average uplift is undefined: bin 67-100 has no treated row (sklift: NaN).
  auto w = WeightedAverageUplift(kHand.Ranked(), Strategy::kOverall, 3);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), ErrorCode::kData);
  EXPECT_NE(w.status().message().find("bin 67-100 has no treated rows"), std::string::npos)
      << w.status().message();
}

TEST(Percentile, ByGroupByHand) {
  // Treated in ranking order 0 (1), 1 (0), 5 (0) → split 1, 1, 1: rates 1, 0, 0.
  // Control 6 (0), 3 (0), 2 (1), 4 (1), 7 (1) → split 2, 2, 1: rates 0, 1, 1.
  auto t = UpliftByPercentile(kHand.Ranked(), Strategy::kByGroup, 3);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows[0].uplift, 1.0);
  EXPECT_EQ(t->rows[1].uplift, -1.0);
  EXPECT_EQ(t->rows[2].uplift, -1.0);
  EXPECT_EQ(t->rows[1].n_treatment, 1);
  EXPECT_EQ(t->rows[1].n_control, 2);
  EXPECT_EQ(t->rows[2].n_control, 1);
  // Weighted by treated counts 1, 1, 1: (1 − 1 − 1)/3 = −1/3.
  auto w = WeightedAverageUplift(kHand.Ranked(), Strategy::kByGroup, 3);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE(Near(*w, -1.0 / 3, 1e-15));
}

TEST(Percentile, BinaryStdByHand) {
  // 6 rows ranked 0..5: treated 0 (1), 2 (0), 4 (1); control 1 (1), 3 (0), 5 (0). One bin:
  // treated p = 2/3, var (2/3)(1/3)/3 = 2/27; control p = 1/3, var 2/27.
  const Data d{{6, 5, 4, 3, 2, 1}, {1, 0, 1, 0, 1, 0}, {1, 1, 0, 0, 1, 0}};
  auto t = UpliftByPercentile(d.Ranked(), Strategy::kOverall, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(Near(*t->rows[0].uplift, 1.0 / 3, 1e-15));
  EXPECT_TRUE(Near(*t->rows[0].std_treatment, std::sqrt(2.0 / 27), 1e-15));
  EXPECT_TRUE(Near(*t->rows[0].std_uplift, std::sqrt(4.0 / 27), 1e-15));
}

TEST(Percentile, ArraySplitSizes) {
  // 10 rows into 3 bins: 4, 3, 3 (the first 10 % 3 = 1 bin is one longer).
  Data d;
  for (int i = 0; i < 10; ++i) {
    d.score.push_back(-i);
    d.treatment.push_back(static_cast<uint8_t>(i % 2));
    d.outcome.push_back(i % 3 == 0 ? 1 : 0);
  }
  auto t = UpliftByPercentile(d.Ranked(), Strategy::kOverall, 3);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows[0].n_treatment + t->rows[0].n_control, 4);
  EXPECT_EQ(t->rows[1].n_treatment + t->rows[1].n_control, 3);
  EXPECT_EQ(t->rows[2].n_treatment + t->rows[2].n_control, 3);
  // Rows 0..3: control 0, 2 (outcomes 1, 0); treated 1, 3 (0, 1).
  EXPECT_EQ(t->rows[0].response_rate_control, 0.5);
  EXPECT_EQ(t->rows[0].response_rate_treatment, 0.5);
  // by_group: 5 treated → 2, 2, 1; 5 control → 2, 2, 1.
  auto g = ResponseRateByPercentile(d.Ranked(), Group::kControl, Strategy::kByGroup, 3);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->n, (std::vector<int64_t>{2, 2, 1}));
}

TEST(Percentile, ContinuousOutcomeUsesVarianceOfTheMean) {
  // One bin (bins=1) per group; treated outcomes 1, 3 → mean 2, population variance 1, var of
  // the mean 1/2; control outcomes 0, 0, 6 → mean 2, population variance 8, var of mean 8/3.
  const Data d{{5, 4, 3, 2, 1}, {1, 1, 0, 0, 0}, {1, 3, 0, 0, 6}};
  auto t = UpliftByPercentile(d.Ranked(), Strategy::kOverall, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows[0].response_rate_treatment, 2.0);
  EXPECT_EQ(t->rows[0].response_rate_control, 2.0);
  EXPECT_TRUE(Near(*t->rows[0].std_treatment, std::sqrt(0.5), 1e-15));
  EXPECT_TRUE(Near(*t->rows[0].std_control, std::sqrt(8.0 / 3), 1e-15));
  EXPECT_TRUE(Near(*t->rows[0].std_uplift, std::sqrt(0.5 + 8.0 / 3), 1e-15));
}

TEST(Percentile, BinaryVarianceIsSkliftFormula) {
  const Data d = testing::Simulate(5000, 41);
  auto g = ResponseRateByPercentile(d.Ranked(), Group::kTreatment, Strategy::kOverall, 10);
  ASSERT_TRUE(g.ok());
  for (size_t b = 0; b < 10; ++b) {
    const double p = *g->response_rate[b];
    EXPECT_EQ(*g->variance[b], p * ((1 - p) / static_cast<double>(g->n[b])));
  }
}

TEST(Percentile, SwappingGroupsNegatesEachBinsUplift) {
  const Data d = testing::Simulate(4000, 43);
  for (Strategy s : {Strategy::kOverall, Strategy::kByGroup}) {
    auto a = UpliftByPercentile(d.Ranked(), s, 10);
    auto b = UpliftByPercentile(d.Swapped().Ranked(), s, 10);
    ASSERT_TRUE(a.ok() && b.ok());
    for (size_t i = 0; i < 10; ++i) {
      if (s == Strategy::kOverall) {  // by_group bins differ: each group is split separately
        EXPECT_EQ(a->rows[i].n_treatment, b->rows[i].n_control);
        EXPECT_EQ(*a->rows[i].uplift, -*b->rows[i].uplift);
        EXPECT_EQ(*a->rows[i].std_uplift, *b->rows[i].std_uplift);
      }
    }
    EXPECT_EQ(*a->total.uplift, -*b->total.uplift);
  }
}

TEST(Percentile, WeightedAverageUpliftIsTheTreatedWeightedMean) {
  const Data d = testing::Simulate(6000, 47);
  auto t = UpliftByPercentile(d.Ranked(), Strategy::kOverall, 10);
  auto w = WeightedAverageUplift(d.score, d.treatment, d.outcome, Strategy::kOverall, 10);
  ASSERT_TRUE(t.ok() && w.ok());
  double num = 0, den = 0;
  for (const auto& row : t->rows) {
    num += static_cast<double>(row.n_treatment) * *row.uplift;
    den += static_cast<double>(row.n_treatment);
  }
  EXPECT_TRUE(Near(*w, num / den, 1e-14));
  // With one bin it is the total uplift.
  auto one = WeightedAverageUplift(d.Ranked(), Strategy::kOverall, 1);
  EXPECT_TRUE(Near(*one, *t->total.uplift, 1e-14));
}

TEST(Percentile, BinsMustBePositiveAndBelowRowCount) {
  const RankedSample s = kHand.Ranked();
  auto zero = UpliftByPercentile(s, Strategy::kOverall, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), ErrorCode::kConfig);
  auto many = UpliftByPercentile(s, Strategy::kOverall, 8);  // sklift: bins < len(y_true)
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().code(), ErrorCode::kData);
  EXPECT_TRUE(UpliftByPercentile(s, Strategy::kOverall, 7).ok());
  const Data one_group{{1, 2, 3}, {0, 0, 0}, {0, 1, 0}};
  EXPECT_NE(UpliftByPercentile(one_group.Ranked(), Strategy::kOverall, 2)
                .status()
                .message()
                .find("no treated rows"),
            std::string::npos);
}

TEST(Percentile, ByGroupWithFewerRowsThanBinsLeavesBinsUndefined) {
  // 3 control rows, 10 bins by group: np.array_split gives 1, 1, 1, 0, ... → 7 empty bins.
  Data d = testing::Simulate(50, 53, 1.0);
  d.treatment[10] = d.treatment[20] = d.treatment[30] = 0;
  auto t = UpliftByPercentile(d.Ranked(), Strategy::kByGroup, 10);
  ASSERT_TRUE(t.ok());
  int undefined = 0;
  for (const auto& row : t->rows) undefined += !row.uplift.has_value();
  EXPECT_EQ(undefined, 7);
  EXPECT_FALSE(WeightedAverageUplift(d.Ranked(), Strategy::kByGroup, 10).ok());
}

}  // namespace
}  // namespace upcamp::metrics
