// Agreement with scikit-uplift's definitions to 1e-9, against the golden values written by
// tests/metrics/golden/make_golden.py (an independent numpy implementation of sklift's
// metrics; its provenance is at the top of the script). Synthetic cases carry their inputs in
// the JSON; the Lenta cases read /work/shared/data/lenta_subset.csv here.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "metrics/curves.h"
#include "metrics/percentile.h"
#include "metrics/uplift_at_k.h"
#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using nlohmann::json;
using testing::Data;
using testing::Near;

const json& Golden() {
  static const json golden = [] {
    std::ifstream in(UPCAMP_SOURCE_DIR "/tests/metrics/golden/metrics_golden.json");
    EXPECT_TRUE(in.good()) << "missing golden file; run tests/metrics/golden/make_golden.py";
    return in.good() ? json::parse(in) : json::object();
  }();
  return golden;
}

// is_treatment,response_att,food_share_15d,age,is_women
Data ReadLenta(const std::string& score_column) {
  std::ifstream in(UPCAMP_SHARED_DATA_DIR "/lenta_subset.csv");
  EXPECT_TRUE(in.good()) << "missing lenta_subset.csv";
  Data d;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "is_treatment,response_att,food_share_15d,age,is_women");
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) f.push_back(field);
    if (f.size() == 4) f.emplace_back();  // trailing empty field
    EXPECT_EQ(f.size(), 5u) << line;
    if (f.size() != 5) break;
    d.treatment.push_back(static_cast<uint8_t>(std::stoi(f[0])));
    d.outcome.push_back(std::stod(f[1]));
    d.score.push_back(std::stod(score_column == "food_share_15d" ? f[2] : f[4]));
  }
  return d;
}

Data InputsOf(const json& c) {
  const std::string name = c["name"];
  if (name == "lenta_food_share_15d") return ReadLenta("food_share_15d");
  if (name == "lenta_is_women") return ReadLenta("is_women");
  Data d;
  d.score = c["score"].get<std::vector<double>>();
  for (int t : c["treatment"]) d.treatment.push_back(static_cast<uint8_t>(t));
  d.outcome = c["outcome"].get<std::vector<double>>();
  return d;
}

void ExpectCurve(const Result<Curve>& got, const json& want, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const Curve& c = *got;
  ASSERT_EQ(c.n.size(), want["points"].get<size_t>());
  ASSERT_EQ(c.value.size(), c.n.size());
  EXPECT_TRUE(Near(AreaUnderCurve(c), want["area"]));
  if (want.contains("n")) {
    for (size_t i = 0; i < c.n.size(); ++i) {
      EXPECT_TRUE(Near(c.n[i], want["n"][i])) << "point " << i;
      EXPECT_TRUE(Near(c.value[i], want["value"][i])) << "point " << i;
    }
  } else {
    for (const json& p : want["sampled"]) {
      const auto i = p[0].get<size_t>();
      EXPECT_TRUE(Near(c.n[i], p[1])) << "point " << i;
      EXPECT_TRUE(Near(c.value[i], p[2])) << "point " << i;
    }
  }
}

void ExpectScalar(const Result<double>& got, const json& want, const std::string& what) {
  if (want.is_null()) {
    EXPECT_FALSE(got.ok()) << what << ": sklift gives NaN/raises, we gave " << *got;
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), ErrorCode::kData) << what;
    }
  } else {
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
    EXPECT_TRUE(Near(*got, want.get<double>())) << what;
  }
}

void ExpectOptional(const std::optional<double>& got, const json& want, const std::string& what) {
  if (want.is_null()) {
    EXPECT_FALSE(got.has_value()) << what;
  } else {
    ASSERT_TRUE(got.has_value()) << what;
    EXPECT_TRUE(Near(*got, want.get<double>())) << what;
  }
}

class GoldenTest : public ::testing::TestWithParam<size_t> {};

TEST_P(GoldenTest, MatchesSkliftDefinitions) {
  const json& c = Golden()["cases"][GetParam()];
  const std::string name = c["name"];
  SCOPED_TRACE(name);
  const Data d = InputsOf(c);
  ASSERT_EQ(d.score.size(), c["rows"].get<size_t>());
  const RankedSample s = d.Ranked();
  EXPECT_EQ(s.binary_outcome(), c["binary"].get<bool>());

  if (c.contains("ranking")) {
    // Ranking order, including ties (later row first): rank the row indices as outcomes.
    std::vector<double> index(d.score.size());
    for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<double>(i);
    auto ranked = RankedSample::Make(d.score, d.treatment, index);
    ASSERT_TRUE(ranked.ok());
    const auto order = c["ranking"].get<std::vector<double>>();
    EXPECT_TRUE(std::equal(order.begin(), order.end(), ranked->outcome().begin()));
  }

  ExpectCurve(UpliftCurve(s), c["uplift_curve"], "uplift curve");
  ExpectCurve(QiniCurve(s), c["qini_curve"], "qini curve");
  if (c["binary"].get<bool>()) {
    ExpectCurve(PerfectUpliftCurve(s), c["perfect_uplift_curve"], "perfect uplift curve");
    ExpectCurve(PerfectQiniCurve(s, true), c["perfect_qini_curve"], "perfect qini curve");
    if (c["perfect_qini_curve_no_negative"].is_null()) {
      EXPECT_FALSE(PerfectQiniCurve(s, false).ok());
    } else {
      ExpectCurve(PerfectQiniCurve(s, false), c["perfect_qini_curve_no_negative"],
                  "perfect qini curve without negative effects");
    }
  } else {
    EXPECT_FALSE(PerfectUpliftCurve(s).ok());
    EXPECT_FALSE(PerfectQiniCurve(s).ok());
  }
  ExpectScalar(UpliftAucScore(s), c["uplift_auc"], "uplift_auc");
  ExpectScalar(QiniAucScore(s, true), c["qini_auc"], "qini_auc");
  ExpectScalar(QiniAucScore(s, false), c["qini_auc_no_negative"], "qini_auc no negative");

  for (const json& u : c["uplift_at_k"]) {
    const TopK k = u["is_count"].get<bool>() ? TopK::Count(u["k"].get<int64_t>())
                                             : TopK::Fraction(u["k"].get<double>());
    const Strategy strategy = *ParseStrategy(u["strategy"].get<std::string>());
    ExpectScalar(UpliftAtK(s, k, strategy), u["value"], "uplift_at_k " + u.dump());
  }

  for (const json& p : c["percentiles"]) {
    const int bins = p["bins"];
    const Strategy strategy = *ParseStrategy(p["strategy"].get<std::string>());
    const std::string what =
        "percentiles bins=" + std::to_string(bins) + " " + std::string(StrategyName(strategy));
    SCOPED_TRACE(what);
    auto table = UpliftByPercentile(s, strategy, bins);
    if (p["rows"].is_null()) {
      EXPECT_FALSE(table.ok());
      continue;
    }
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    ASSERT_EQ(table->rows.size(), p["rows"].size());
    for (size_t b = 0; b < table->rows.size(); ++b) {
      const PercentileRow& got = table->rows[b];
      const json& want = p["rows"][b];
      EXPECT_EQ(got.percentile, want["percentile"].get<std::string>());
      EXPECT_EQ(got.n_treatment, want["n_treatment"].get<int64_t>()) << b;
      EXPECT_EQ(got.n_control, want["n_control"].get<int64_t>()) << b;
      for (const char* field : {"response_rate_treatment", "response_rate_control", "uplift",
                                "std_treatment", "std_control", "std_uplift"}) {
        const std::optional<double>& v =
            std::string(field) == "response_rate_treatment" ? got.response_rate_treatment
            : std::string(field) == "response_rate_control" ? got.response_rate_control
            : std::string(field) == "uplift"                ? got.uplift
            : std::string(field) == "std_treatment"         ? got.std_treatment
            : std::string(field) == "std_control"           ? got.std_control
                                                            : got.std_uplift;
        ExpectOptional(v, want[field], std::string(field) + " bin " + std::to_string(b));
      }
    }
    const json& total = p["total"];
    EXPECT_EQ(table->total.n_treatment, total["n_treatment"].get<int64_t>());
    EXPECT_EQ(table->total.n_control, total["n_control"].get<int64_t>());
    ExpectOptional(table->total.response_rate_treatment, total["response_rate_treatment"], "rt");
    ExpectOptional(table->total.response_rate_control, total["response_rate_control"], "rc");
    ExpectOptional(table->total.uplift, total["uplift"], "total uplift");
    ExpectOptional(table->total.std_uplift, total["std_uplift_extension"], "total std");
    ExpectScalar(WeightedAverageUplift(s, strategy, bins), p["weighted_average_uplift"],
                 "weighted_average_uplift");

    // response_rate_by_percentile agrees with the table it feeds.
    auto treated = ResponseRateByPercentile(s, Group::kTreatment, strategy, bins);
    ASSERT_TRUE(treated.ok());
    for (size_t b = 0; b < table->rows.size(); ++b) {
      EXPECT_EQ(treated->n[b], table->rows[b].n_treatment);
      EXPECT_EQ(treated->response_rate[b], table->rows[b].response_rate_treatment);
    }
  }

  for (const json& b : c["balance"]) {
    const int64_t window = b["window"];
    SCOPED_TRACE("balance window " + std::to_string(window));
    auto curve = TreatmentBalanceCurve(s, window);
    ASSERT_TRUE(curve.ok()) << curve.status().ToString();
    ASSERT_EQ(curve->percentile.size(), b["points"].get<size_t>());
    if (b.contains("percentile")) {
      for (size_t i = 0; i < curve->percentile.size(); ++i) {
        EXPECT_TRUE(Near(curve->percentile[i], b["percentile"][i])) << i;
        EXPECT_TRUE(Near(curve->treated_share[i], b["treated_share"][i])) << i;
      }
    } else {
      for (const json& p : b["sampled"]) {
        const auto i = p[0].get<size_t>();
        EXPECT_TRUE(Near(curve->percentile[i], p[1])) << i;
        EXPECT_TRUE(Near(curve->treated_share[i], p[2])) << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::Range<size_t>(0, 9),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return Golden()["cases"][param.param]["name"].get<std::string>();
                         });

TEST(Golden, CoversTheExpectedCases) {
  // Guards the Range above: regenerating the golden file with more cases must extend it.
  EXPECT_EQ(Golden()["cases"].size(), 9u);
  EXPECT_EQ(Golden()["cases"][0]["name"], "hand_ties");
}

}  // namespace
}  // namespace upcamp::metrics
