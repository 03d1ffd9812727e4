#include "metrics/bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/registry.h"
#include "metrics/uplift_at_k.h"
#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;

Context Threads(int n) {
  Context ctx;
  ctx.threads = n;
  return ctx;
}

SampleMetric Named(std::string_view name, MetricParams params = {}) {
  const ScalarMetric* m = *FindScalarMetric(name);
  return [m, params](const RankedSample& s) { return m->compute(s, params); };
}

TEST(Bootstrap, QuantileInterpolatesLinearlyLikeNumpy) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_EQ(Quantile(v, 0.5), 2.5);    // h = 1.5
  EXPECT_EQ(Quantile(v, 0.25), 1.75);  // h = 0.75
  EXPECT_EQ(Quantile(v, 0.0), 1);
  EXPECT_EQ(Quantile(v, 1.0), 4);
  EXPECT_EQ(Quantile(std::vector<double>{7}, 0.3), 7);
}

TEST(Bootstrap, IdenticalForAnyThreadCount) {
  const RankedSample s = testing::Simulate(3000, 61).Ranked();
  const std::vector<SampleMetric> metrics = {Named("qini_auc"), Named("uplift_at_k_overall"),
                                             Named("total_uplift")};
  BootstrapOptions opt;
  opt.replicates = 64;
  opt.seed = 99;
  for (bool stratified : {false, true}) {
    opt.stratified = stratified;
    auto one = BootstrapAll(s, metrics, opt, Threads(1));
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    for (int threads : {2, 3, 8}) {
      auto many = BootstrapAll(s, metrics, opt, Threads(threads));
      ASSERT_TRUE(many.ok());
      for (size_t j = 0; j < metrics.size(); ++j) {
        EXPECT_EQ((*many)[j].values, (*one)[j].values) << threads << " threads, metric " << j;
        EXPECT_EQ((*many)[j].lower, (*one)[j].lower);
        EXPECT_EQ((*many)[j].upper, (*one)[j].upper);
      }
    }
  }
}

TEST(Bootstrap, SeedChangesTheReplicatesAndEstimateIsTheFullSampleValue) {
  const Data d = testing::Simulate(2000, 67);
  const RankedSample s = d.Ranked();
  BootstrapOptions opt;
  opt.replicates = 50;
  auto a = Bootstrap(s, Named("total_uplift"), opt, Threads(2));
  opt.seed = 1;
  auto b = Bootstrap(s, Named("total_uplift"), opt, Threads(2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->values, b->values);
  EXPECT_EQ(a->estimate, *ComputeScalarMetric("total_uplift", d.score, d.treatment, d.outcome, {}));
  EXPECT_EQ(a->values.size(), 50u);
  EXPECT_EQ(a->replicates, 50);
  EXPECT_LT(a->lower, a->upper);
  EXPECT_GT(a->std_error, 0);
}

TEST(Bootstrap, StratifiedKeepsGroupSizes) {
  const RankedSample s = testing::Simulate(500, 71, 0.3).Ranked();
  const SampleMetric treated = [](const RankedSample& r) -> Result<double> {
    return static_cast<double>(r.n_treated());
  };
  BootstrapOptions opt;
  opt.replicates = 40;
  opt.stratified = true;
  auto strat = Bootstrap(s, treated, opt, Threads(1));
  ASSERT_TRUE(strat.ok());
  for (double v : strat->values) EXPECT_EQ(v, static_cast<double>(s.n_treated()));
  opt.stratified = false;
  auto plain = Bootstrap(s, treated, opt, Threads(1));
  ASSERT_TRUE(plain.ok());
  EXPECT_GT(plain->std_error, 1.0);  // binomial: sqrt(500 · 0.3 · 0.7) ≈ 10
}

TEST(Bootstrap, PercentileIntervalsCoverTheTrueEffect) {
  // Simulate(base 0.2, lift 0.2·h, h ~ U(0,1)): the true average effect is 0.1. Over 200
  // independent data sets, 90% intervals for total_uplift should cover it about 90% of the
  // time (binomial sd of the coverage: 2.1 points).
  BootstrapOptions opt;
  opt.replicates = 200;
  opt.level = 0.90;
  int covered = 0;
  const int trials = 200;
  double width = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const RankedSample s = testing::Simulate(800, 1000 + trial).Ranked();
    opt.seed = static_cast<uint64_t>(trial);
    auto iv = Bootstrap(s, Named("total_uplift"), opt, Threads(2));
    ASSERT_TRUE(iv.ok());
    covered += iv->lower <= 0.1 && 0.1 <= iv->upper;
    width += iv->upper - iv->lower;
  }
  EXPECT_GE(covered, 168) << covered << " of " << trials;  // >= 84%
  EXPECT_LE(covered, 192) << covered << " of " << trials;  // <= 96%
  // Width ≈ 2 · 1.645 · sqrt(0.2 · 0.8 / 400 + 0.3 · 0.7 / 400) ≈ 0.10 (rates 0.2 and 0.3).
  EXPECT_NEAR(width / trials, 0.10, 0.015);
}

TEST(Bootstrap, UndefinedReplicatesAreCountedAndByDefaultVoidTheInterval) {
  // A metric defined on the full sample but not on every resample: it fails whenever the
  // resample has fewer control rows than the original.
  const RankedSample s = testing::Simulate(200, 73).Ranked();
  const int64_t nc = s.n_control();
  const SampleMetric fragile = [nc](const RankedSample& r) -> Result<double> {
    if (r.n_control() < nc) return Status::Data("fragile is undefined: lost control rows");
    return static_cast<double>(r.n_control());
  };
  BootstrapOptions opt;
  opt.replicates = 100;
  auto strict = BootstrapAll(s, std::span(&fragile, 1), opt, Threads(2));
  ASSERT_TRUE(strict.ok());
  const BootstrapInterval& iv = (*strict)[0];
  EXPECT_FALSE(iv.defined);
  EXPECT_GT(iv.undefined_replicates, 20);
  EXPECT_NE(iv.reason.find("lost control rows"), std::string::npos) << iv.reason;
  EXPECT_NE(iv.reason.find("max_undefined_fraction"), std::string::npos);
  auto single = Bootstrap(s, fragile, opt, Threads(1));
  ASSERT_FALSE(single.ok());
  EXPECT_EQ(single.status().code(), ErrorCode::kData);

  opt.max_undefined_fraction = 0.9;
  auto lenient = Bootstrap(s, fragile, opt, Threads(2));
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  EXPECT_EQ(lenient->undefined_replicates, iv.undefined_replicates);
  EXPECT_EQ(static_cast<int>(lenient->values.size()), 100 - iv.undefined_replicates);
  EXPECT_GE(lenient->lower, static_cast<double>(nc));
}

TEST(Bootstrap, UndefinedOnTheFullSample) {
  // Constant outcome: qini_auc is undefined on the full sample, so is its interval; the total
  // uplift is 0 on the sample and on every replicate (100 rows: no replicate loses a group).
  Data constant;
  for (int i = 0; i < 100; ++i) {
    constant.score.push_back(i);
    constant.treatment.push_back(static_cast<uint8_t>(i % 2));
    constant.outcome.push_back(1);
  }
  const std::vector<SampleMetric> metrics = {Named("qini_auc"), Named("total_uplift")};
  BootstrapOptions opt;
  opt.replicates = 20;
  auto all = BootstrapAll(constant.Ranked(), metrics, opt, Threads(1));
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE((*all)[0].defined);
  EXPECT_NE((*all)[0].reason.find("constant"), std::string::npos) << (*all)[0].reason;
  EXPECT_TRUE((*all)[0].values.empty());
  ASSERT_TRUE((*all)[1].defined) << (*all)[1].reason;
  EXPECT_EQ((*all)[1].lower, 0);
  EXPECT_EQ((*all)[1].upper, 0);
  EXPECT_EQ((*all)[1].values.size(), 20u);
}

TEST(Bootstrap, InvalidOptionsAreConfigErrors) {
  const RankedSample s = testing::Simulate(100, 79).Ranked();
  BootstrapOptions opt;
  opt.replicates = 1;
  EXPECT_EQ(Bootstrap(s, Named("total_uplift"), opt, Threads(1)).status().code(),
            ErrorCode::kConfig);
  opt = {};
  opt.level = 1.0;
  EXPECT_EQ(Bootstrap(s, Named("total_uplift"), opt, Threads(1)).status().code(),
            ErrorCode::kConfig);
  opt = {};
  opt.max_undefined_fraction = -0.1;
  EXPECT_EQ(Bootstrap(s, Named("total_uplift"), opt, Threads(1)).status().code(),
            ErrorCode::kConfig);
  EXPECT_EQ(Bootstrap(RankedSample(), Named("total_uplift"), {}, Threads(1)).status().code(),
            ErrorCode::kData);
}

}  // namespace
}  // namespace upcamp::metrics
