#include "metrics/summary.h"

#include <gtest/gtest.h>

#include <chrono>

#include "metrics/curves.h"
#include "metrics/uplift_at_k.h"
#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;

Context OneThread() {
  Context ctx;
  ctx.threads = 1;
  return ctx;
}

TEST(Summary, HoldsTheHeadlineMetricsAndTheTable) {
  const Data d = testing::Simulate(5000, 107);
  SummaryOptions opt;
  opt.params.bins = 5;
  auto j = MetricsSummary(d.score, d.treatment, d.outcome, opt, OneThread());
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const RankedSample s = d.Ranked();
  EXPECT_EQ((*j)["rows"], 5000);
  EXPECT_EQ((*j)["n_treatment"], s.n_treated());
  EXPECT_EQ((*j)["outcome"], "binary");
  EXPECT_EQ((*j)["qini_auc"].get<double>(), *QiniAucScore(s));
  EXPECT_EQ((*j)["uplift_auc"].get<double>(), *UpliftAucScore(s));
  EXPECT_EQ((*j)["uplift_at_k_overall"].get<double>(),
            *UpliftAtK(s, TopK::Fraction(0.3), Strategy::kOverall));
  EXPECT_EQ((*j)["uplift_at_k_by_group"].get<double>(),
            *UpliftAtK(s, TopK::Fraction(0.3), Strategy::kByGroup));
  EXPECT_TRUE((*j)["weighted_average_uplift"].is_number());
  EXPECT_TRUE((*j)["undefined"].empty());
  const auto& table = (*j)["uplift_by_percentile"];
  EXPECT_EQ(table["strategy"], "overall");
  ASSERT_EQ(table["rows"].size(), 5u);
  EXPECT_EQ(table["rows"][0]["percentile"], "0-20");
  int64_t n = 0;
  for (const auto& row : table["rows"]) {
    n += row["n_treatment"].get<int64_t>() + row["n_control"].get<int64_t>();
    EXPECT_TRUE(row["std_uplift"].is_number());
  }
  EXPECT_EQ(n, 5000);
  EXPECT_EQ(table["total"]["percentile"], "total");
  EXPECT_FALSE(j->contains("bootstrap"));
}

TEST(Summary, UndefinedMetricsAreNullWithAReasonNeverNaN) {
  // Constant outcome: normalized AUCs undefined; the rest is 0.
  Data d = testing::Simulate(400, 109);
  for (double& y : d.outcome) y = 0;
  auto j = MetricsSummary(d.score, d.treatment, d.outcome, {}, OneThread());
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE((*j)["qini_auc"].is_null());
  EXPECT_TRUE((*j)["uplift_auc"].is_null());
  EXPECT_NE((*j)["undefined"]["qini_auc"].get<std::string>().find("constant"), std::string::npos);
  EXPECT_EQ((*j)["uplift_at_k_overall"], 0.0);
  const std::string text = j->dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);

  // Tiny control group: top-30% slice without control rows, bins without control rows.
  Data sparse = testing::Simulate(60, 113, 1.0);
  sparse.treatment[5] = sparse.treatment[40] = 0;
  sparse.score[5] = -10;  // both control rows at the bottom
  sparse.score[40] = -11;
  auto k = MetricsSummary(sparse.score, sparse.treatment, sparse.outcome, {}, OneThread());
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE((*k)["uplift_at_k_overall"].is_null());
  EXPECT_NE((*k)["undefined"]["uplift_at_k_overall"].get<std::string>().find("no control"),
            std::string::npos);
  EXPECT_TRUE((*k)["weighted_average_uplift"].is_null());
  EXPECT_TRUE((*k)["uplift_by_percentile"]["rows"][0]["uplift"].is_null());
  EXPECT_TRUE((*k)["uplift_by_percentile"]["rows"][9]["uplift"].is_number());
}

TEST(Summary, InvalidInputOrOptionsAreErrors) {
  const Data d = testing::Simulate(100, 127);
  Data bad = d;
  bad.treatment[3] = 7;
  EXPECT_EQ(MetricsSummary(bad.score, bad.treatment, bad.outcome, {}, OneThread()).status().code(),
            ErrorCode::kData);
  SummaryOptions opt;
  opt.params.k = 0;
  EXPECT_EQ(MetricsSummary(d.score, d.treatment, d.outcome, opt, OneThread()).status().code(),
            ErrorCode::kConfig);
  opt = {};
  opt.bootstrap = BootstrapOptions{};
  opt.bootstrap->level = 2;
  EXPECT_EQ(MetricsSummary(d.score, d.treatment, d.outcome, opt, OneThread()).status().code(),
            ErrorCode::kConfig);
}

TEST(Summary, BootstrapIntervalsForEveryMetric) {
  const Data d = testing::Simulate(3000, 131);
  SummaryOptions opt;
  opt.bootstrap = BootstrapOptions{};
  opt.bootstrap->replicates = 100;
  opt.bootstrap->seed = 7;
  Context ctx;
  ctx.threads = 2;
  auto j = MetricsSummary(d.score, d.treatment, d.outcome, opt, ctx);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const auto& b = (*j)["bootstrap"];
  EXPECT_EQ(b["replicates"], 100);
  EXPECT_EQ(b["method"], "percentile");
  for (const char* name : {"qini_auc", "uplift_auc", "uplift_at_k_overall", "uplift_at_k_by_group",
                           "weighted_average_uplift", "total_uplift"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(b["intervals"].contains(name));
    const auto& iv = b["intervals"][name];
    ASSERT_TRUE(iv["lower"].is_number()) << iv.dump();
    EXPECT_LT(iv["lower"].get<double>(), iv["upper"].get<double>());
    EXPECT_GT(iv["std_error"].get<double>(), 0);
  }
  // Same request, one thread: the same bytes.
  auto again = MetricsSummary(d.score, d.treatment, d.outcome, opt, OneThread());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->dump(), j->dump());
}

// Manual speed check (not run by default): ./upcamp_tests --gtest_also_run_disabled_tests
//   --gtest_filter='*MillionRows*'
TEST(Summary, DISABLED_MillionRowsTiming) {
  const Data d = testing::Simulate(1'000'000, 137);
  const auto start = std::chrono::steady_clock::now();
  auto j = MetricsSummary(d.score, d.treatment, d.outcome, {}, OneThread());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(j.ok());
  std::printf("summary of 1M rows: %.3f s\n", seconds);
  EXPECT_LT(seconds, 1.0);
}

}  // namespace
}  // namespace upcamp::metrics
