// The behaviour model: pure per-client traits, ids, exact expectations, and a campaign whose
// heterogeneous effect is real, of a realistic size, and visible through observable behaviour.

#include "synth/behaviour.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "synth/ids.h"
#include "synth/synth_test_util.h"
#include "testing.h"

namespace upcamp::synth {
namespace {

using ::upcamp::synth::testing::ReadSimpleCsv;
using ::upcamp::synth::testing::SharedDatasetDir;
using ::upcamp::synth::testing::SimpleCsv;
using ::upcamp::synth::testing::SmallParams;

TEST(SynthIds, CodecIsAKeyedBijection) {
  for (int bits : {8, 40, 48}) {
    const IdCodec codec(123, bits), other(124, bits);
    std::map<uint64_t, uint64_t> seen;
    int same_as_other = 0;
    for (uint64_t i = 0; i < 256; ++i) {
      const uint64_t code = codec.Encode(i);
      EXPECT_LT(code, uint64_t{1} << bits);
      EXPECT_EQ(codec.Decode(code), i);
      EXPECT_TRUE(seen.emplace(code, i).second) << "collision at " << i;
      same_as_other += code == other.Encode(i);
    }
    EXPECT_LT(same_as_other, 8) << "another key gives another order";
  }
  char buf[16];
  EXPECT_EQ(std::string(buf, AppendHex(0xab12, 10, buf)), "000000ab12");
  EXPECT_EQ(ParseHex("000000AB12", 10), 0xab12u);
  EXPECT_FALSE(ParseHex("000000ab1", 10).has_value());
  EXPECT_FALSE(ParseHex("000000ab1g", 10).has_value());
  EXPECT_EQ(ParseDecimal("12345"), 12345u);
  EXPECT_FALSE(ParseDecimal("12a").has_value());
  EXPECT_FALSE(ParseDecimal("").has_value());
}

TEST(SynthBehaviour, TraitsArePureFunctionsOfSeedAndIndex) {
  const BehaviourModel a(SmallParams(1000, 1)), b(SmallParams(5000, 1)), c(SmallParams(1000, 2));
  int differs = 0;
  for (uint64_t i : {999u, 0u, 17u, 500u}) {  // any order
    const ClientTraits ta = a.Traits(i), tb = b.Traits(i), tc = c.Traits(i);
    EXPECT_EQ(ta.rate, tb.rate);
    EXPECT_EQ(ta.promo, tb.promo);
    EXPECT_EQ(ta.issue_time, tb.issue_time);
    EXPECT_EQ(ta.basket_value, tb.basket_value);
    EXPECT_EQ(a.ClientCode(i), b.ClientCode(i));
    EXPECT_EQ(a.CampaignTreated(i), b.CampaignTreated(i));
    const Expectation ea = a.Expected(ta), eb = b.Expected(tb);
    EXPECT_EQ(ea.UpliftProfit(), eb.UpliftProfit());
    differs += ta.rate != tc.rate;
  }
  EXPECT_EQ(differs, 4) << "another seed, other clients";
}

TEST(SynthBehaviour, ClientIdsRoundTrip) {
  for (IdFormat format : {IdFormat::kHex, IdFormat::kInt}) {
    SynthParams p = SmallParams(3000);
    p.id_format = format;
    const BehaviourModel m(p);
    for (uint64_t i : {0u, 1u, 1234u, 2999u}) {
      char buf[24];
      const std::string id(buf, m.AppendClientId(i, buf));
      EXPECT_EQ(m.ParseClientId(id), i) << id;
      EXPECT_FALSE(m.ParseClientId(id + "0").has_value()) << id;
    }
    EXPECT_FALSE(m.ParseClientId("").has_value());
    EXPECT_FALSE(m.ParseClientId("zzzzzzzzzz").has_value());
  }
  // An id of a client beyond --clients is unknown.
  const BehaviourModel small(SmallParams(10)), big(SmallParams(1000));
  int unknown = 0;
  for (uint64_t i = 10; i < 1000; ++i) {
    char buf[24];
    unknown += !small.ParseClientId(std::string(buf, big.AppendClientId(i, buf))).has_value();
  }
  EXPECT_EQ(unknown, 990);
}

// truth.csv's expectations are exact: the mean of many draws converges to them.
TEST(SynthBehaviour, ExpectationsMatchTheSampledDistribution) {
  const BehaviourModel m(SmallParams(400));
  constexpr int kReplicates = 200;
  for (bool treated : {false, true}) {
    double sum[4] = {0, 0, 0, 0}, sq[4] = {0, 0, 0, 0};
    long n = 0;
    for (uint64_t i = 0; i < 400; ++i) {
      const ClientTraits t = m.Traits(i);
      const Expectation e = m.Expected(t);
      const ArmExpectation& arm = treated ? e.treated : e.control;
      for (int r = 0; r < kReplicates; ++r) {
        Rng rng(MixSeed(777 + r, i));
        const Outcome o = m.Sample(t, treated, rng);
        const double d[4] = {static_cast<double>(o.purchases_sum_cents) / 100.0 - arm.purchases_sum,
                             static_cast<double>(o.purchases_count) - arm.purchases_count,
                             static_cast<double>(o.points_spent) - arm.points_spent,
                             (o.purchases_count > 0 ? 1.0 : 0.0) - arm.purchase_prob};
        for (int k = 0; k < 4; ++k) {
          sum[k] += d[k];
          sq[k] += d[k] * d[k];
        }
        ++n;
      }
    }
    for (int k = 0; k < 4; ++k) {
      const double mean = sum[k] / n, se = std::sqrt((sq[k] / n - mean * mean) / n);
      EXPECT_LT(std::fabs(mean), 4.5 * se) << "outcome " << k << " treated " << treated;
      EXPECT_GT(se, 0.0);
    }
  }
}

TEST(SynthBehaviour, SegmentsFollowTheTrueEffect) {
  const BehaviourModel m(SmallParams(3000));
  std::map<Segment, int> count;
  for (uint64_t i = 0; i < 3000; ++i) {
    const Expectation e = m.Expected(m.Traits(i));
    ++count[e.segment];
    switch (e.segment) {
      case Segment::kPersuadable:
        EXPECT_GE(e.UpliftCount(), 0.25);
        break;
      case Segment::kSleepingDog:
        EXPECT_LT(e.UpliftCount(), -0.09);
        break;
      case Segment::kLostCause:
        EXPECT_LT(e.control.purchases_count, 0.5);
        break;
      case Segment::kSureThing:
        EXPECT_GE(e.control.purchases_count, 0.5);
        break;
    }
    EXPECT_GE(e.control.purchases_count, 0.0);
    EXPECT_GE(e.treated.points_spent, e.control.points_spent);
  }
  for (Segment s :
       {Segment::kPersuadable, Segment::kSureThing, Segment::kLostCause, Segment::kSleepingDog}) {
    EXPECT_GT(count[s], 3000 / 30) << SegmentName(s);
  }
}

struct TruthRow {
  std::string segment;
  double count_control, uplift_count, uplift_sum, uplift_profit;
};

std::unordered_map<std::string, TruthRow> ReadTruth() {
  std::unordered_map<std::string, TruthRow> truth;
  for (const auto& r : ReadSimpleCsv(SharedDatasetDir() + "/truth.csv").rows) {
    truth[r[0]] = {r[1], std::stod(r[4]), std::stod(r[9]), std::stod(r[8]), std::stod(r[10])};
    EXPECT_NEAR(std::stod(r[9]), std::stod(r[5]) - std::stod(r[4]), 2e-4);
    EXPECT_NEAR(std::stod(r[8]), std::stod(r[3]) - std::stod(r[2]), 2e-4);
    EXPECT_NEAR(std::stod(r[10]),
                0.2 * std::stod(r[8]) - 0.1 * (std::stod(r[7]) - std::stod(r[6])) - 1.5, 2e-3);
  }
  return truth;
}

TEST(SynthCampaign, TrueEffectIsSmallOnAverageAndStronglyHeterogeneous) {
  const auto truth = ReadTruth();
  ASSERT_EQ(truth.size(), 2000u);
  double control = 0, uplift = 0, uplift_sq = 0, profit = 0;
  int negative = 0;
  std::vector<double> profits;
  for (const auto& [id, t] : truth) {
    control += t.count_control;
    uplift += t.uplift_count;
    uplift_sq += t.uplift_count * t.uplift_count;
    profit += t.uplift_profit;
    negative += t.uplift_count < 0;
    profits.push_back(t.uplift_profit);
  }
  const double n = static_cast<double>(truth.size());
  const double relative = uplift / control;
  EXPECT_GT(relative, 0.01) << "the offer helps on average";
  EXPECT_LT(relative, 0.08) << "by a few percent";
  const double sd = std::sqrt(uplift_sq / n - (uplift / n) * (uplift / n));
  EXPECT_GT(sd, 2.0 * uplift / n) << "heterogeneity dominates the average";
  EXPECT_GT(negative, truth.size() / 20) << "sleeping dogs exist";
  // Targeting pays: the best quarter by true profit uplift is far above the average.
  std::sort(profits.rbegin(), profits.rend());
  double top = 0;
  for (size_t i = 0; i < profits.size() / 4; ++i) top += profits[i];
  top /= static_cast<double>(profits.size() / 4);
  EXPECT_GT(top, profit / n + 25.0);
  EXPECT_LT(profits.back(), 0.0);
}

// The latent drivers of the effect show up in observable history, so a model can learn them.
TEST(SynthCampaign, EffectIsVisibleInObservableBehaviour) {
  const auto truth = ReadTruth();
  std::unordered_map<std::string, int> express_spends, receipts, evening;
  for (const auto& r : ReadSimpleCsv(SharedDatasetDir() + "/receipts.csv").rows) {
    ++receipts[r[0]];
    express_spends[r[0]] += std::stod(r[6]) < 0;
    const int hour = std::stoi(r[2].substr(11, 2));
    evening[r[0]] += hour >= 17;
  }
  // Promo-sensitive clients (who spend express points) respond more, relative to their level.
  double rel[2] = {0, 0}, base[2] = {0, 0};
  double old_dogs = 0, young_dogs = 0, old_n = 0, young_n = 0;
  const SimpleCsv prof = ReadSimpleCsv(SharedDatasetDir() + "/client_profile.csv");
  for (const auto& r : prof.rows) {
    const TruthRow& t = truth.at(r[0]);
    const int g = express_spends[r[0]] >= 2 ? 1 : 0;
    rel[g] += t.uplift_count;
    base[g] += t.count_control;
    const int age = std::stoi(r[3]);
    if (age >= 65 && age <= 90) {
      old_dogs += t.segment == "sleeping_dog";
      ++old_n;
    } else if (age >= 18 && age < 40) {
      young_dogs += t.segment == "sleeping_dog";
      ++young_n;
    }
  }
  ASSERT_GT(base[0], 0.0);
  ASSERT_GT(base[1], 0.0);
  EXPECT_GT(rel[1] / base[1], 2.0 * rel[0] / base[0])
      << "express points users: " << rel[1] / base[1] << ", others: " << rel[0] / base[0];
  ASSERT_GT(old_n, 50.0);
  EXPECT_GT(old_dogs / old_n, 1.5 * young_dogs / young_n) << "older clients are the sleeping dogs";
}

// The sampled outcomes of campaigns.csv agree with truth.csv.
TEST(SynthCampaign, ObservedOutcomesAgreeWithTheTruth) {
  const auto truth = ReadTruth();
  const SimpleCsv camp = ReadSimpleCsv(SharedDatasetDir() + "/campaigns.csv");
  double n[2] = {0, 0}, mean[2] = {0, 0}, sq[2] = {0, 0}, true_uplift = 0;
  for (const auto& r : camp.rows) {
    const int g = r[1] == "1" ? 1 : 0;
    const double count = std::stod(r[4]);
    n[g] += 1;
    mean[g] += count;
    sq[g] += count * count;
    true_uplift += truth.at(r[0]).uplift_count;
  }
  double var = 0;
  for (int g = 0; g < 2; ++g) {
    mean[g] /= n[g];
    var += (sq[g] / n[g] - mean[g] * mean[g]) / n[g];
  }
  true_uplift /= n[0] + n[1];
  const double diff = mean[1] - mean[0];
  EXPECT_LT(std::fabs(diff - true_uplift), 4.0 * std::sqrt(var))
      << "observed " << diff << " vs true " << true_uplift << " (se " << std::sqrt(var) << ")";
}

}  // namespace
}  // namespace upcamp::synth
