#include "metrics/curves.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using testing::Data;
using testing::Near;

// The hand-worked case (also "hand_ties" in the golden file):
//   row:       0    1    2    3    4    5    6    7
//   score:     0.9  0.5  0.5  0.5  0.2  0.2  0.9  0.1
//   treatment: 1    1    0    0    0    1    0    0
//   outcome:   1    0    1    0    1    0    0    1
// Ranking (ties: later row first): 6, 0 | 3, 2, 1 | 5, 4 | 7  — blocks end at n = 2, 5, 7, 8.
//   n=2: rows 6 (c,0), 0 (t,1)           Nt=1 Yt=1 Nc=1 Yc=0
//   n=5: + 3 (c,0), 2 (c,1), 1 (t,0)     Nt=2 Yt=1 Nc=3 Yc=1
//   n=7: + 5 (t,0), 4 (c,1)              Nt=3 Yt=1 Nc=4 Yc=2
//   n=8: + 7 (c,1)                       Nt=3 Yt=1 Nc=5 Yc=3
const Data kHand{
    {0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.1}, {1, 1, 0, 0, 0, 1, 0, 0}, {1, 0, 1, 0, 1, 0, 0, 1}};

void ExpectPoints(const Curve& c, const std::vector<double>& n, const std::vector<double>& v) {
  ASSERT_EQ(c.n.size(), n.size());
  ASSERT_EQ(c.value.size(), v.size());
  for (size_t i = 0; i < n.size(); ++i) {
    EXPECT_EQ(c.n[i], n[i]) << "point " << i;
    EXPECT_TRUE(Near(c.value[i], v[i], 1e-12)) << "point " << i;
  }
}

TEST(Curves, UpliftCurveByHand) {
  // (Yt/Nt − Yc/Nc)·n:  n=2: (1 − 0)·2 = 2;  n=5: (1/2 − 1/3)·5 = 5/6;
  //                     n=7: (1/3 − 2/4)·7 = −7/6;  n=8: (1/3 − 3/5)·8 = −32/15.
  auto c = UpliftCurve(kHand.score, kHand.treatment, kHand.outcome);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectPoints(*c, {0, 2, 5, 7, 8}, {0, 2, 5.0 / 6, -7.0 / 6, -32.0 / 15});
}

TEST(Curves, QiniCurveByHand) {
  // Yt − Yc·Nt/Nc:  n=2: 1 − 0 = 1;  n=5: 1 − 1·2/3 = 1/3;  n=7: 1 − 2·3/4 = −1/2;
  //                 n=8: 1 − 3·3/5 = −4/5.
  auto c = QiniCurve(kHand.Ranked());
  ASSERT_TRUE(c.ok());
  ExpectPoints(*c, {0, 2, 5, 7, 8}, {0, 1, 1.0 / 3, -0.5, -0.8});
}

TEST(Curves, ZeroDenominatorConventions) {
  // First block all treated: uplift = (Yt/Nt − 0)·n, Qini = Yt − Yc·0 = Yt.
  // First block all control: uplift = (0 − Yc/Nc)·n, Qini = Yt − Yc·(Nt/Nc) with Nt = 0.
  const Data d{{3, 3, 2, 1}, {1, 1, 0, 0}, {1, 0, 1, 1}};
  auto u = UpliftCurve(d.score, d.treatment, d.outcome);
  auto q = QiniCurve(d.score, d.treatment, d.outcome);
  ASSERT_TRUE(u.ok() && q.ok());
  // n=2: Nt=2 Yt=1 Nc=0: uplift (1/2)·2 = 1, Qini 1.  n=3: Nc=1 Yc=1: (1/2 − 1)·3 = −1.5,
  // Qini 1 − 1·2 = −1.  n=4: Yc=2 Nc=2: (1/2 − 1)·4 = −2, Qini 1 − 2·1 = −1.
  ExpectPoints(*u, {0, 2, 3, 4}, {0, 1, -1.5, -2});
  ExpectPoints(*q, {0, 2, 3, 4}, {0, 1, -1, -1});
  const Data c{{3, 2, 1}, {0, 1, 1}, {1, 1, 0}};
  auto uc = UpliftCurve(c.score, c.treatment, c.outcome);
  ASSERT_TRUE(uc.ok());
  // n=1: Nt=0: (0 − 1/1)·1 = −1.
  EXPECT_EQ(uc->value[1], -1);
}

TEST(Curves, PerfectCurvesByHand) {
  // Cells: TR = {0} = 1, TN = {1, 5} = 2, CR = {2, 4, 7} = 3, CN = {3, 6} = 2.
  // Perfect uplift: CR > TN, so the oracle score is 2·[y=t] + y: TR 3, CN 2, CR 1, TN 0.
  //   n=1 (TR): (1/1 − 0)·1 = 1;  n=3 (+CN): (1 − 0/2)·3 = 3;  n=6 (+CR): (1 − 3/5)·6 = 2.4;
  //   n=8 (+TN): (1/3 − 3/5)·8 = −32/15.
  const RankedSample s = kHand.Ranked();
  auto pu = PerfectUpliftCurve(s);
  ASSERT_TRUE(pu.ok()) << pu.status().ToString();
  ExpectPoints(*pu, {0, 1, 3, 6, 8}, {0, 1, 3, 2.4, -32.0 / 15});
  // Perfect Qini with negative effects: TR 1, TN+CN 0, CR −1.
  //   n=1: 1 − 0 = 1;  n=5: Nt=3 Nc=2 Yc=0: 1;  n=8: 1 − 3·3/5 = −0.8.
  auto pq = PerfectQiniCurve(s, true);
  ASSERT_TRUE(pq.ok());
  ExpectPoints(*pq, {0, 1, 5, 8}, {0, 1, 1, -0.8});
  // Without negative effects the overall Qini R = 1 − 3·3/5 = −0.8 < 0: undefined (sklift's
  // auc() raises because x = (0, −0.8, 8) is not monotone).
  auto pn = PerfectQiniCurve(s, false);
  ASSERT_FALSE(pn.ok());
  EXPECT_EQ(pn.status().code(), ErrorCode::kData);
  EXPECT_NE(pn.status().message().find("negative"), std::string::npos);
  // The span overloads ignore the score.
  auto pu2 = PerfectUpliftCurve(kHand.treatment, kHand.outcome);
  ASSERT_TRUE(pu2.ok());
  EXPECT_EQ(pu2->value, pu->value);
}

TEST(Curves, PerfectUpliftTieBreakGoesToTreatment) {
  // CR == TN (sklift tests cr_num > tn_num): summand = t, so TN (score 1) ranks before CR (0).
  // Rows: TR, TN, CR, CN -> TR 3, CN 2, TN 1, CR 0.
  const Data d{{0, 0, 0, 0}, {1, 1, 0, 0}, {1, 0, 1, 0}};
  auto pu = PerfectUpliftCurve(d.Ranked());
  ASSERT_TRUE(pu.ok());
  // n=1: 1·1 = 1; n=2 (+CN): (1 − 0)·2 = 2; n=3 (+TN): (1/2 − 0)·3 = 1.5;
  // n=4 (+CR): (1/2 − 1/2)·4 = 0.
  ExpectPoints(*pu, {0, 1, 2, 3, 4}, {0, 1, 2, 1.5, 0});
}

TEST(Curves, PerfectQiniWithoutNegativeEffects) {
  // 4 treated (3 responders), 2 control (1 responder): R = 3 − 4·1/2 = 1.
  const Data d{{1, 2, 3, 4, 5, 6}, {1, 1, 1, 1, 0, 0}, {1, 1, 1, 0, 1, 0}};
  auto pq = PerfectQiniCurve(d.Ranked(), false);
  ASSERT_TRUE(pq.ok());
  ExpectPoints(*pq, {0, 1, 6}, {0, 1, 1});
}

TEST(Curves, AreaUnderCurveIsTrapezoidal) {
  Curve c{{0, 1, 3, 4}, {0, 2, 2, -2}};
  // 1·(0+2)/2 + 2·(2+2)/2 + 1·(2−2)/2 = 1 + 4 + 0 = 5
  EXPECT_EQ(AreaUnderCurve(c), 5);
  EXPECT_EQ(AreaUnderCurve(Curve{{0}, {0}}), 0);
  EXPECT_EQ(AreaUnderCurve(Curve{}), 0);
}

TEST(Curves, NormalizedAucByHand) {
  // Uplift: A = 2·2/2 + 3·(2 + 5/6)/2 + 2·(5/6 − 7/6)/2 + 1·(−7/6 − 32/15)/2
  //           = 2 + 4.25 − 1/3 − 1.65 = 4.2666…;
  // A_perfect = 0.5 + 4 + 8.1 + 0.2666… = 12.8666…; A_random = 8·(−32/15)/2 = −8.5333…
  // → (4.2666 + 8.5333)/(12.8666 + 8.5333) = 12.8/21.4.
  auto u = UpliftAucScore(kHand.score, kHand.treatment, kHand.outcome);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(Near(*u, 12.8 / 21.4, 1e-12));
  // Qini: A = 1 + 2 − 1/6 − 0.65 = 2.18333; A_perfect = 0.5 + 4 + 0.3 = 4.8;
  // A_random = 8·(−0.8)/2 = −3.2 → (2.18333 + 3.2)/(4.8 + 3.2) = 5.38333/8.
  auto q = QiniAucScore(kHand.score, kHand.treatment, kHand.outcome);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(Near(*q, (1 + 2 - 1.0 / 6 - 0.65 + 3.2) / 8, 1e-12));
  // Without negative effects the perfect curve is undefined here (R < 0), so is the score.
  auto qn = QiniAucScore(kHand.score, kHand.treatment, kHand.outcome, false);
  ASSERT_FALSE(qn.ok());
  EXPECT_NE(qn.status().message().find("qini_auc is undefined"), std::string::npos);
}

TEST(Curves, NormalizedAucIsTheNormalizedAreaOfTheReturnedCurves) {
  Data d = testing::Simulate(3000, 2);
  for (double& s : d.score) s = std::round(s * 20);
  const RankedSample s = d.Ranked();
  const Curve q = *QiniCurve(s), pq = *PerfectQiniCurve(s);
  const double random = pq.n.back() * pq.value.back() / 2;
  EXPECT_EQ(*QiniAucScore(s), (AreaUnderCurve(q) - random) / (AreaUnderCurve(pq) - random));
  const Curve u = *UpliftCurve(s), pu = *PerfectUpliftCurve(s);
  const double random_u = pu.n.back() * pu.value.back() / 2;
  EXPECT_EQ(*UpliftAucScore(s), (AreaUnderCurve(u) - random_u) / (AreaUnderCurve(pu) - random_u));
  EXPECT_EQ(u.value.back(), pu.value.back());  // both end at (Yt/Nt − Yc/Nc)·N
}

TEST(Curves, PerfectCurvesAreNotUpperBounds) {
  // sklift's oracle rankings do not maximize the area under its own curve definitions, because
  // a prefix without treated rows is not penalized for its control responders (Qini: Yc·Nt/Nc
  // = 0; uplift: the treated rate counts as 0). Normalized AUCs above 1 follow; we reproduce
  // them (the numpy reference gives the same values).
  // Qini: ranking 0 (c,1), 1 (c,1), 2 (t,0): curve (0,0) (1,0) (2,0) (3,−1), area −0.5;
  // perfect: TN∪CN first: (0,0) (1,0) (3,−1), area −1; random −1.5 → (−0.5+1.5)/(−1+1.5) = 2.
  auto q = QiniAucScore(std::vector<double>{2, 1, 0}, std::vector<uint8_t>{0, 0, 1},
                        std::vector<double>{1, 1, 0});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, 2.0);
  // Uplift: ranking 2 (c,0), 0 (t,0), 1 (c,1), 3 (c,1): (0,0) (1,0) (2,0) (3,−1.5) (4,−8/3),
  // area −17/6; perfect (CN, CR, TN): (0,0) (1,0) (3,−2) (4,−8/3), area −13/3;
  // random −16/3 → (−17/6 + 16/3)/(−13/3 + 16/3) = 2.5.
  auto u = UpliftAucScore(std::vector<double>{2, 1, 3, 0}, std::vector<uint8_t>{1, 0, 0, 0},
                          std::vector<double>{0, 1, 0, 1});
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(Near(*u, 2.5, 1e-12));
}

TEST(Curves, SkliftUnitTestValues) {
  // sklift's own test_uplift_auc_score / test_qini_auc_score expectations.
  const std::vector<double> s = {0.1, 0.3};
  EXPECT_TRUE(Near(*UpliftAucScore(s, std::vector<uint8_t>{1, 0}, std::vector<double>{0, 1}), 0));
  EXPECT_TRUE(Near(*UpliftAucScore(s, std::vector<uint8_t>{0, 1}, std::vector<double>{1, 0}), 1));
  EXPECT_TRUE(Near(*QiniAucScore(s, std::vector<uint8_t>{1, 0}, std::vector<double>{0, 1}), 1));
  EXPECT_TRUE(Near(*QiniAucScore(s, std::vector<uint8_t>{0, 1}, std::vector<double>{1, 0}), 1));
}

TEST(Curves, CurvePointsOnlyAtBlockEndsAndTieOrderInsideABlockIsIrrelevant) {
  Data d = testing::Simulate(2000, 3);
  for (double& s : d.score) s = std::round(s * 4) / 4;  // a handful of distinct values
  const Curve u = *UpliftCurve(d.Ranked());
  const Curve q = *QiniCurve(d.Ranked());
  std::vector<double> distinct = d.score;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  EXPECT_EQ(u.n.size(), distinct.size() + 1);
  // Reverse the row order: ties now meet in the opposite order; block ends are unchanged.
  Data r = d;
  std::reverse(r.score.begin(), r.score.end());
  std::reverse(r.treatment.begin(), r.treatment.end());
  std::reverse(r.outcome.begin(), r.outcome.end());
  const Curve ur = *UpliftCurve(r.Ranked());
  const Curve qr = *QiniCurve(r.Ranked());
  EXPECT_EQ(u.n, ur.n);
  for (size_t i = 0; i < u.n.size(); ++i) {
    EXPECT_TRUE(Near(u.value[i], ur.value[i], 1e-12));
    EXPECT_TRUE(Near(q.value[i], qr.value[i], 1e-12));
  }
}

TEST(Curves, SwappingGroupsFlipsTheUpliftCurveAndRescalesQini) {
  const Data d = testing::Simulate(1500, 5);
  const Curve u = *UpliftCurve(d.Ranked());
  const Curve us = *UpliftCurve(d.Swapped().Ranked());
  const Curve q = *QiniCurve(d.Ranked());
  const Curve qs = *QiniCurve(d.Swapped().Ranked());
  ASSERT_EQ(u.n, us.n);
  const RankedSample s = d.Ranked();
  double nt = 0, n = 0;
  size_t point = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    nt += s.treatment()[i];
    n += 1;
    if (i + 1 < s.size() && s.score()[i] == s.score()[i + 1]) continue;
    EXPECT_EQ(us.value[point], -u.value[point]) << point;
    // Swapped Qini: Yc − Yt·Nc/Nt = −(Nc/Nt)·(Yt − Yc·Nt/Nc), when both groups are present.
    const double nc = n - nt;
    if (nt > 0 && nc > 0) {
      EXPECT_TRUE(Near(qs.value[point], -(nc / nt) * q.value[point], 1e-9));
    }
    ++point;
  }
}

TEST(Curves, InvariantToRowPermutationWithDistinctScores) {
  const Data d = testing::Simulate(1000, 9);
  Data p = d;
  std::vector<size_t> perm(d.score.size());
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(1);
  for (size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.UniformInt(i)]);
  for (size_t i = 0; i < perm.size(); ++i) {
    p.score[i] = d.score[perm[i]];
    p.treatment[i] = d.treatment[perm[i]];
    p.outcome[i] = d.outcome[perm[i]];
  }
  EXPECT_EQ(UpliftCurve(d.Ranked())->value, UpliftCurve(p.Ranked())->value);
  EXPECT_EQ(QiniCurve(d.Ranked())->value, QiniCurve(p.Ranked())->value);
  EXPECT_EQ(*QiniAucScore(d.Ranked()), *QiniAucScore(p.Ranked()));
  EXPECT_EQ(*UpliftAucScore(d.Ranked()), *UpliftAucScore(p.Ranked()));
}

TEST(Curves, InvariantToPositiveScalingOfTheScore) {
  const Data d = testing::Simulate(1000, 13);
  Data scaled = d;
  for (double& s : scaled.score) s *= 7.25;
  EXPECT_EQ(*QiniAucScore(d.Ranked()), *QiniAucScore(scaled.Ranked()));
  EXPECT_EQ(*UpliftAucScore(d.Ranked()), *UpliftAucScore(scaled.Ranked()));
  EXPECT_EQ(QiniCurve(d.Ranked())->value, QiniCurve(scaled.Ranked())->value);
}

TEST(Curves, OracleScoreReachesOneAndRandomScoreIsNearZero) {
  Data d = testing::Simulate(20000, 17);
  // The oracle scores of sklift's perfect curves give normalized AUC exactly 1.
  int64_t cr = 0, tn = 0;
  for (size_t i = 0; i < d.score.size(); ++i) {
    cr += d.outcome[i] == 1 && d.treatment[i] == 0;
    tn += d.outcome[i] == 0 && d.treatment[i] == 1;
  }
  Data qini_oracle = d, uplift_oracle = d;
  for (size_t i = 0; i < d.score.size(); ++i) {
    const double y = d.outcome[i], t = d.treatment[i];
    qini_oracle.score[i] = y * t - y * (1 - t);
    uplift_oracle.score[i] = 2.0 * (y == t) + (cr > tn ? y : t);
  }
  EXPECT_TRUE(Near(*QiniAucScore(qini_oracle.Ranked()), 1.0, 1e-12));
  EXPECT_TRUE(Near(*UpliftAucScore(uplift_oracle.Ranked()), 1.0, 1e-12));

  // A score independent of everything: the normalized areas are sampling noise around 0.
  Data random = testing::Simulate(200000, 19);
  Rng rng(23);
  for (double& s : random.score) s = rng.Uniform();
  const double q = *QiniAucScore(random.Ranked());
  const double u = *UpliftAucScore(random.Ranked());
  EXPECT_LT(std::fabs(q), 0.01) << q;
  EXPECT_LT(std::fabs(u), 0.01) << u;
  // ... while the informative score of the same design is clearly positive.
  EXPECT_GT(*QiniAucScore(testing::Simulate(200000, 19).Ranked()), 0.03);
}

TEST(Curves, DegenerateInputsAreErrorsNotNaN) {
  const Data no_control{{1, 2, 3}, {1, 1, 1}, {0, 1, 0}};
  auto u = UpliftCurve(no_control.Ranked());
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), ErrorCode::kData);
  EXPECT_NE(u.status().message().find("no control rows"), std::string::npos);
  const Data no_treated{{1, 2, 3}, {0, 0, 0}, {0, 1, 0}};
  EXPECT_NE(QiniCurve(no_treated.Ranked()).status().message().find("no treated rows"),
            std::string::npos);
  EXPECT_FALSE(QiniAucScore(no_treated.Ranked()).ok());
  EXPECT_FALSE(UpliftCurve(RankedSample()).ok());

  // Constant outcome: curves are defined (flat), normalized AUCs are not.
  const Data constant{{1, 2, 3, 4}, {1, 0, 1, 0}, {1, 1, 1, 1}};
  auto flat = QiniCurve(constant.Ranked());
  ASSERT_TRUE(flat.ok());
  auto q = QiniAucScore(constant.Ranked());
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("constant"), std::string::npos) << q.status().message();
  EXPECT_FALSE(UpliftAucScore(constant.Ranked()).ok());
  EXPECT_FALSE(PerfectUpliftCurve(constant.Ranked()).ok());

  // Input errors surface through the span overloads.
  EXPECT_EQ(
      QiniAucScore(std::vector<double>{1, 2}, std::vector<uint8_t>{1, 3}, std::vector<double>{0, 1})
          .status()
          .code(),
      ErrorCode::kData);
}

TEST(Curves, ContinuousOutcomes) {
  // Curves use the outcome sums as they are:  ranking 4 (t, 2.5), 3 (c, 1.0), 2 (t, 0.5),
  // 1 (c, 4.0).  n=1: uplift (2.5 − 0)·1 = 2.5, Qini 2.5;  n=2: (2.5 − 1)·2 = 3, Qini 2.5 − 1
  // = 1.5; n=3: (1.5 − 1)·3 = 1.5, Qini 3 − 1·2 = 1;  n=4: (1.5 − 2.5)·4 = −4, Qini 3 − 5·1 = −2.
  const Data d{{1, 2, 3, 4}, {0, 1, 0, 1}, {4.0, 0.5, 1.0, 2.5}};
  auto u = UpliftCurve(d.Ranked());
  auto q = QiniCurve(d.Ranked());
  ASSERT_TRUE(u.ok() && q.ok());
  ExpectPoints(*u, {0, 1, 2, 3, 4}, {0, 2.5, 3, 1.5, -4});
  ExpectPoints(*q, {0, 1, 2, 3, 4}, {0, 2.5, 1.5, 1, -2});
  // No perfect curve, hence no normalized AUC, for a non-0/1 outcome.
  auto a = QiniAucScore(d.Ranked());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("not binary"), std::string::npos);
  EXPECT_FALSE(UpliftAucScore(d.Ranked()).ok());
}

TEST(BalanceCurve, ByHand) {
  // Ranked treatment of the hand case: rows 6 0 3 2 1 5 4 7 → 0 1 0 0 1 1 0 0.
  // Window 2: 0.5 0.5 0 0.5 1 0.5 0 over np.linspace(1, 100, 7) = 1, 17.5, 34, ..., 100.
  auto b = TreatmentBalanceCurve(kHand.score, kHand.treatment, 2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->treated_share, (std::vector<double>{0.5, 0.5, 0, 0.5, 1, 0.5, 0}));
  EXPECT_EQ(b->percentile, (std::vector<double>{1, 17.5, 34, 50.5, 67, 83.5, 100}));
  // Window = N: one point at x = 1 with the overall treated share.
  auto all = TreatmentBalanceCurve(kHand.Ranked(), 8);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->percentile, std::vector<double>{1});
  EXPECT_EQ(all->treated_share, std::vector<double>{3.0 / 8});
  EXPECT_FALSE(TreatmentBalanceCurve(kHand.Ranked(), 9).ok());
  EXPECT_FALSE(TreatmentBalanceCurve(kHand.Ranked(), 0).ok());
  EXPECT_EQ(DefaultBalanceWindow(1234), 123);
}

}  // namespace
}  // namespace upcamp::metrics
