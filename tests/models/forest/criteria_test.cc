#include "models/forest/criteria.h"

#include <gtest/gtest.h>

#include <cmath>

namespace upcamp::models::forest {
namespace {

// The hand-worked table: 10 treated rows (6 respond), 10 control rows (3 respond), split into
//   left : 6 treated (5 respond), 4 control (1 responds)
//   right: 4 treated (1 responds), 6 control (2 respond)
// Node means pt = 0.6, pc = 0.3; with n_reg = 0 the children's means are the raw ones:
//   left pt = 5/6, pc = 1/4;  right pt = 1/4, pc = 1/3.  NL = NR = 10, N = 20.
// Split distributions: treated aT = (6/10, 4/10), control aC = (4/10, 6/10); Nt/N = Nc/N = 1/2.
const NodeSums kLeft{{6, 5}, {4, 1}};
const NodeSums kRight{{4, 1}, {6, 2}};

double Gain(Criterion c, bool normalize, double n_reg = 0) {
  return SplitGain(c, /*binary=*/true, normalize, n_reg, 0.6, 0.3, kLeft, kRight);
}

TEST(ForestCriteria, EuclideanByHand) {
  // D = 2 (pt - pc)^2: node 2*0.09 = 0.18; left 2*(7/12)^2 = 98/144; right 2*(1/12)^2 = 2/144.
  const double gain = 0.5 * 98.0 / 144 + 0.5 * 2.0 / 144 - 0.18;
  EXPECT_NEAR(Gain(Criterion::kED, false), gain, 1e-15);
  // J = Gini(1/2) E(aT:aC) + 1/2 Gini(aT) + 1/2 Gini(aC) + 1/2
  //   = 0.5 * 2 * 0.2^2 + 0.5 * 0.48 + 0.5 * 0.48 + 0.5 = 1.02
  EXPECT_NEAR(SplitNormalization(Criterion::kED, kLeft, kRight), 1.02, 1e-15);
  EXPECT_NEAR(Gain(Criterion::kED, true), gain / 1.02, 1e-15);
}

TEST(ForestCriteria, KullbackLeiblerByHand) {
  // KL(p:q) = p log2(p/q) + (1-p) log2((1-p)/(1-q)), in bits.
  const double node = 0.6 * std::log2(0.6 / 0.3) + 0.4 * std::log2(0.4 / 0.7);
  const double left = 5.0 / 6 * std::log2((5.0 / 6) / 0.25) + 1.0 / 6 * std::log2((1.0 / 6) / 0.75);
  const double right = 0.25 * std::log2(0.25 / (1.0 / 3)) + 0.75 * std::log2(0.75 / (2.0 / 3));
  const double gain = 0.5 * left + 0.5 * right - node;
  EXPECT_NEAR(Gain(Criterion::kKL, false), gain, 1e-14);
  // I = H(1/2) KL(aT:aC) + 1/2 H(aT) + 1/2 H(aC) + 1/2, H(1/2) = 1 bit,
  //   KL((.6,.4):(.4,.6)) = .6 log2(1.5) + .4 log2(1/1.5) = .2 log2(1.5); H(aT) = H(aC) = H(.6).
  const double h06 = -0.6 * std::log2(0.6) - 0.4 * std::log2(0.4);
  const double norm = 0.2 * std::log2(1.5) + h06 + 0.5;
  EXPECT_NEAR(SplitNormalization(Criterion::kKL, kLeft, kRight), norm, 1e-14);
  EXPECT_NEAR(Gain(Criterion::kKL, true), gain / norm, 1e-14);
}

TEST(ForestCriteria, ChiSquaredByHand) {
  // chi2(p:q) = (p-q)^2/q + (p-q)^2/(1-q): node 0.09/0.3 + 0.09/0.7;
  // left (49/144)(4 + 4/3) = 784/432; right (1/144)(3 + 3/2) = 4.5/144.
  const double gain = 0.5 * 784.0 / 432 + 0.5 * 4.5 / 144 - (0.3 + 0.09 / 0.7);
  EXPECT_NEAR(Gain(Criterion::kChi, false), gain, 1e-14);
  // J = 0.5 * chi2((.6,.4):(.4,.6)) + 0.24 + 0.24 + 0.5, chi2 = .04/.4 + .04/.6 = 1/6.
  const double norm = 0.5 / 6 + 0.98;
  EXPECT_NEAR(SplitNormalization(Criterion::kChi, kLeft, kRight), norm, 1e-15);
  EXPECT_NEAR(Gain(Criterion::kChi, true), gain / norm, 1e-14);
}

TEST(ForestCriteria, DeltaDeltaPByHand) {
  // |(5/6 - 1/4) - (1/4 - 1/3)| = 7/12 + 1/12 = 2/3; never normalized.
  EXPECT_NEAR(Gain(Criterion::kDDP, false), 2.0 / 3, 1e-15);
  EXPECT_NEAR(Gain(Criterion::kDDP, true), 2.0 / 3, 1e-15);
}

TEST(ForestCriteria, ShrinkageTowardsTheParent) {
  // n_reg = 10: left pt = (5 + 10*.6)/(6+10) = 11/16, pc = (1 + 3)/(4+10) = 2/7;
  //             right pt = (1 + 6)/(4+10) = 1/2,  pc = (2 + 3)/(6+10) = 5/16.
  // DDP = |(11/16 - 2/7) - (1/2 - 5/16)| = |45/112 - 21/112| = 3/14.
  EXPECT_NEAR(Gain(Criterion::kDDP, false, 10), 3.0 / 14, 1e-15);
  EXPECT_DOUBLE_EQ(ShrunkMean({0, 0}, 0.25, 0), 0.25);  // 0/0 falls back to the prior
  EXPECT_DOUBLE_EQ(ShrunkMean({4, 1}, 0.5, 4), 3.0 / 8);
}

TEST(ForestCriteria, EuclideanAndDdpAreSymmetricInTheGroups) {
  const NodeSums left_swapped{kLeft.control, kLeft.treated};
  const NodeSums right_swapped{kRight.control, kRight.treated};
  for (Criterion c : {Criterion::kED, Criterion::kDDP}) {
    EXPECT_DOUBLE_EQ(SplitGain(c, true, true, 10, 0.6, 0.3, kLeft, kRight),
                     SplitGain(c, true, true, 10, 0.3, 0.6, left_swapped, right_swapped))
        << CriterionName(c);
  }
}

TEST(ForestCriteria, ContinuousEuclideanHasNoFactorTwo) {
  EXPECT_DOUBLE_EQ(Divergence(Criterion::kED, 5.0, 2.0, /*binary=*/false), 9.0);
  EXPECT_DOUBLE_EQ(Divergence(Criterion::kED, 0.5, 0.25, /*binary=*/true), 0.125);
}

TEST(ForestCriteria, DegenerateProbabilitiesStayFinite) {
  // Control mean 0 or 1 would divide by zero; the clip keeps every value finite.
  for (double pc : {0.0, 1.0}) {
    for (Criterion c : {Criterion::kKL, Criterion::kChi}) {
      EXPECT_TRUE(std::isfinite(Divergence(c, 0.5, pc, true))) << CriterionName(c) << pc;
    }
  }
  // A split that sends every control row left: the normalization stays finite and >= 1/2.
  const NodeSums left{{3, 1}, {5, 2}}, right{{3, 2}, {0, 0}};
  for (Criterion c : {Criterion::kKL, Criterion::kED, Criterion::kChi}) {
    const double norm = SplitNormalization(c, left, right);
    EXPECT_TRUE(std::isfinite(norm)) << CriterionName(c);
    EXPECT_GE(norm, 0.5);
  }
}

TEST(ForestCriteria, Names) {
  Criterion c;
  EXPECT_TRUE(ParseCriterion("kl", &c));
  EXPECT_EQ(c, Criterion::kKL);
  EXPECT_TRUE(ParseCriterion("CHI", &c));
  EXPECT_EQ(c, Criterion::kChi);
  EXPECT_FALSE(ParseCriterion("gini", &c));
  EXPECT_TRUE(SupportsContinuous(Criterion::kDDP));
  EXPECT_FALSE(SupportsContinuous(Criterion::kKL));
}

}  // namespace
}  // namespace upcamp::models::forest
