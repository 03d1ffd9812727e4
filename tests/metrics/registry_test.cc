// Contract tests looping over every registered scalar metric.

#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "metrics/curves.h"
#include "metrics/percentile.h"
#include "metrics/uplift_at_k.h"
#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;

TEST(Registry, ListsTheExpectedMetricsOnceEach) {
  std::set<std::string> names;
  for (const ScalarMetric& m : ScalarMetrics()) {
    EXPECT_TRUE(names.insert(std::string(m.name)).second) << "duplicate " << m.name;
    EXPECT_FALSE(m.summary.empty()) << m.name;
    EXPECT_NE(m.compute, nullptr) << m.name;
  }
  for (const char* expected :
       {"qini_auc", "uplift_auc", "uplift_at_k_overall", "uplift_at_k_by_group",
        "weighted_average_uplift", "weighted_average_uplift_by_group", "total_uplift"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

TEST(Registry, UnknownNameListsTheValidOnes) {
  auto m = FindScalarMetric("qini");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kConfig);
  EXPECT_NE(m.status().message().find("unknown metric 'qini'"), std::string::npos);
  EXPECT_NE(m.status().message().find("qini_auc, uplift_auc"), std::string::npos)
      << m.status().message();
}

TEST(Registry, EntriesMatchTheDirectFunctions) {
  const Data d = testing::Simulate(5000, 83);
  const RankedSample s = d.Ranked();
  MetricParams p;
  p.k = 0.2;
  p.bins = 5;
  p.negative_effect = false;
  auto value = [&](std::string_view name) {
    return *ComputeScalarMetric(name, d.score, d.treatment, d.outcome, p);
  };
  EXPECT_EQ(value("qini_auc"), *QiniAucScore(s, false));
  EXPECT_EQ(value("uplift_auc"), *UpliftAucScore(s));
  EXPECT_EQ(value("uplift_at_k_overall"), *UpliftAtK(s, TopK::Fraction(0.2), Strategy::kOverall));
  EXPECT_EQ(value("uplift_at_k_by_group"), *UpliftAtK(s, TopK::Fraction(0.2), Strategy::kByGroup));
  EXPECT_EQ(value("weighted_average_uplift"), *WeightedAverageUplift(s, Strategy::kOverall, 5));
  EXPECT_EQ(value("weighted_average_uplift_by_group"),
            *WeightedAverageUplift(s, Strategy::kByGroup, 5));
  EXPECT_EQ(value("total_uplift"), *UpliftByPercentile(s, Strategy::kOverall, 5)->total.uplift);
  p.k_count = 700;
  EXPECT_EQ(value("uplift_at_k_overall"), *UpliftAtK(s, TopK::Count(700), Strategy::kOverall));
}

TEST(Registry, EveryMetricIsFiniteOnBinaryDataAndInvariantToScoreScalingAndRowOrder) {
  const Data d = testing::Simulate(4000, 89);
  Data scaled = d, reversed = d;
  for (double& s : scaled.score) s = 3 * s + 1;
  std::reverse(reversed.score.begin(), reversed.score.end());
  std::reverse(reversed.treatment.begin(), reversed.treatment.end());
  std::reverse(reversed.outcome.begin(), reversed.outcome.end());
  for (const ScalarMetric& m : ScalarMetrics()) {
    SCOPED_TRACE(std::string(m.name));
    auto v = m.Evaluate(d.score, d.treatment, d.outcome, {});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(std::isfinite(*v));
    EXPECT_EQ(*m.Evaluate(scaled.score, scaled.treatment, scaled.outcome, {}), *v);
    EXPECT_EQ(*m.Evaluate(reversed.score, reversed.treatment, reversed.outcome, {}), *v);
  }
}

TEST(Registry, SwappingGroupsFlipsTheSignOfTheDifferenceOfMeansMetrics) {
  const Data d = testing::Simulate(4000, 97);
  const Data sw = d.Swapped();
  for (const char* name : {"uplift_at_k_overall", "uplift_at_k_by_group", "total_uplift"}) {
    EXPECT_EQ(*ComputeScalarMetric(name, sw.score, sw.treatment, sw.outcome, {}),
              -*ComputeScalarMetric(name, d.score, d.treatment, d.outcome, {}))
        << name;
  }
}

TEST(Registry, ContinuousOutcomes) {
  Data d = testing::Simulate(3000, 101);
  Rng rng(5);
  for (double& y : d.outcome) y = y * 10 + rng.LogNormal(0, 1);
  for (const ScalarMetric& m : ScalarMetrics()) {
    auto v = m.Evaluate(d.score, d.treatment, d.outcome, {});
    if (m.binary_outcome_only) {
      ASSERT_FALSE(v.ok()) << m.name;
      EXPECT_EQ(v.status().code(), ErrorCode::kData);
      EXPECT_NE(v.status().message().find("not binary"), std::string::npos);
    } else {
      ASSERT_TRUE(v.ok()) << m.name << ": " << v.status().ToString();
      EXPECT_TRUE(std::isfinite(*v)) << m.name;
    }
  }
}

TEST(Registry, ParamsAreValidated) {
  const Data d = testing::Simulate(100, 103);
  MetricParams p;
  p.k = 1.5;
  auto bad = ComputeScalarMetric("total_uplift", d.score, d.treatment, d.outcome, p);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kConfig);
  EXPECT_NE(bad.status().message().find("k=1.5"), std::string::npos);
  p = {};
  p.bins = 0;
  EXPECT_EQ(p.Validate().code(), ErrorCode::kConfig);
  p = {};
  p.k_count = -3;
  EXPECT_EQ(p.Validate().code(), ErrorCode::kConfig);
  EXPECT_TRUE(MetricParams{}.Validate().ok());
}

}  // namespace
}  // namespace upcamp::metrics
