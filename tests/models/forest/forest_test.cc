#include "models/forest/forest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/file_util.h"
#include "forest_testing.h"
#include "metrics/curves.h"
#include "models/registry.h"
#include "testing.h"

namespace upcamp::models::forest {
namespace {

using testing::SimData;
using testing::Simulate;
using upcamp::testing::TempDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Result<std::unique_ptr<UpliftForest>> MakeForest(const std::string& params_yaml) {
  UPCAMP_ASSIGN_OR_RETURN(
      ConfigNode node,
      ConfigNode::Parse("{type: uplift_forest, params: " + params_yaml + "}", "test.yaml"));
  UPCAMP_ASSIGN_OR_RETURN(std::unique_ptr<UpliftModel> model, MakeModel(node));
  return std::unique_ptr<UpliftForest>(static_cast<UpliftForest*>(model.release()));
}

Context Ctx(int threads, uint64_t seed = 42) {
  Context ctx;
  ctx.threads = threads;
  ctx.seed = seed;
  ctx.quiet = true;
  return ctx;
}

std::vector<double> FitPredict(const std::string& params, const SimData& train,
                               const FeatureMatrix& test, int threads, uint64_t seed = 42) {
  auto forest = MakeForest(params);
  EXPECT_TRUE(forest.ok()) << forest.status().ToString();
  if (!forest.ok()) return {};
  const Status fit = (*forest)->Fit(train.Training(), Ctx(threads, seed));
  EXPECT_TRUE(fit.ok()) << fit.ToString();
  auto pred = (*forest)->Predict(test, Ctx(threads));
  EXPECT_TRUE(pred.ok()) << pred.status().ToString();
  return pred.ok() ? *pred : std::vector<double>{};
}

// ---- config ------------------------------------------------------------------------------------

TEST(UpliftForest, RegisteredWithDefaults) {
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{}"));
  EXPECT_EQ(forest->type(), "uplift_forest");
  const nlohmann::json params = forest->config()["params"];
  EXPECT_EQ(params["n_trees"], 100);
  EXPECT_EQ(params["max_depth"], 6);
  EXPECT_EQ(params["min_samples_leaf"], 100);
  EXPECT_EQ(params["min_samples_treatment"], 10);
  EXPECT_EQ(params["max_features"], 10);
  EXPECT_EQ(params["criterion"], "KL");
  EXPECT_EQ(params["honest"], false);
  EXPECT_EQ(params["n_bins"], 255);
  // config() rebuilds the same model.
  ASSERT_OK_AND_ASSIGN(auto again,
                       MakeModel(ConfigNode::FromJson(forest->config(), "manifest.json")));
  EXPECT_EQ(again->config(), forest->config());
}

TEST(UpliftForest, ConfigErrorsNameKeyAndLine) {
  auto r = MakeForest("{n_trees: 5,\n  max_dept: 3}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
  EXPECT_NE(r.status().message().find("max_dept"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("test.yaml:2"), std::string::npos) << r.status().message();

  r = MakeForest("{criterion: gini}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("KL, ED, Chi, DDP"), std::string::npos);
  r = MakeForest("{n_bins: 256}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("n_bins"), std::string::npos);
  r = MakeForest("{min_samples_leaf: 0}");
  ASSERT_FALSE(r.ok());
  auto node = ConfigNode::Parse("{type: uplift_forest, base: {type: xgboost}}", "t.yaml");
  ASSERT_TRUE(node.ok());
  EXPECT_FALSE(MakeModel(*node).ok());
}

TEST(UpliftForest, BadDataIsRefused) {
  SimData d = Simulate(500, 3, 1);
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 2, criterion: KL}"));
  EXPECT_EQ(forest->Fit(d.Training(OutcomeKind::kContinuous), Ctx(1)).code(), ErrorCode::kConfig);
  d.outcome[7] = 0.5;
  Status st = forest->Fit(d.Training(), Ctx(1));
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("row 7"), std::string::npos) << st.message();
  d.outcome[7] = 1;
  std::fill(d.treatment.begin(), d.treatment.end(), 1);
  EXPECT_EQ(forest->Fit(d.Training(), Ctx(1)).code(), ErrorCode::kData);
  EXPECT_FALSE(forest->Predict(d.x, Ctx(1)).ok());  // not fitted
}

// ---- structure
// -----------------------------------------------------------------------------------

TEST(UpliftForest, LeavesRespectMinimumSizes) {
  const SimData d = Simulate(6000, 6, 2);
  for (const char* criterion : {"KL", "ED", "Chi", "DDP"}) {
    for (const char* honest : {"false", "true"}) {
      ASSERT_OK_AND_ASSIGN(
          auto forest,
          MakeForest(fmt::format("{{n_trees: 4, max_depth: 8, min_samples_leaf: 150, "
                                 "min_samples_treatment: 60, max_features: 6, criterion: {}, "
                                 "honest: {}, n_reg: 0}}",
                                 criterion, honest)));
      ASSERT_OK(forest->Fit(d.Training(), Ctx(2)));
      size_t splits = 0;
      for (const UpliftTree& tree : forest->trees()) {
        for (size_t i = 1; i < tree.nodes.size(); ++i) {  // every node below the root
          const TreeNode& n = tree.nodes[i];
          EXPECT_GE(n.weight, 150) << criterion;
          EXPECT_GE(n.n_treated, 60) << criterion;
          EXPECT_GE(n.n_control, 60) << criterion;
          if (std::string(honest) == "true") {
            EXPECT_GE(n.n_treated + n.n_control, 150);
          }
        }
        for (const TreeNode& n : tree.nodes) splits += n.is_leaf() ? 0 : 1;
      }
      EXPECT_GT(splits, 4u) << criterion << " honest " << honest;  // the test is not vacuous
    }
  }
}

TEST(UpliftForest, DepthLimit) {
  const SimData d = Simulate(4000, 4, 3);
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 3, max_depth: 2, min_samples_leaf: 5, "
                                               "min_samples_treatment: 1, max_features: 4}"));
  ASSERT_OK(forest->Fit(d.Training(), Ctx(1)));
  for (const UpliftTree& tree : forest->trees()) {
    std::vector<int> depth(tree.nodes.size(), 0);
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      const TreeNode& n = tree.nodes[i];
      if (n.is_leaf()) continue;
      depth[static_cast<size_t>(n.left)] = depth[static_cast<size_t>(n.right)] = depth[i] + 1;
    }
    EXPECT_LE(*std::max_element(depth.begin(), depth.end()), 2);
    EXPECT_EQ(tree.nodes.size(), 7u);  // with tiny leaves allowed, the tree is full
  }
}

TEST(UpliftForest, RootSplitMatchesTheCriterionByHand) {
  // One informative binary feature: every x0 = 1 row has uplift +0.5, x0 = 0 rows none.
  const int64_t rows = 400;
  FeatureMatrix x({"x0"}, rows);
  std::vector<uint8_t> t(rows);
  std::vector<double> y(rows);
  NodeSums left, right;  // x0 = 0 goes left (x <= 0)
  for (int64_t r = 0; r < rows; ++r) {
    const bool high = r % 2 == 0;
    x.mutable_column(0)[static_cast<size_t>(r)] = high ? 1 : 0;
    t[static_cast<size_t>(r)] = (r / 2) % 2;
    const bool treated = t[static_cast<size_t>(r)] == 1;
    y[static_cast<size_t>(r)] = (r % 5 == 0) || (high && treated && r % 3 != 0) ? 1 : 0;
    GroupSums& g =
        high ? (treated ? right.treated : right.control) : (treated ? left.treated : left.control);
    g.n += 1;
    g.s += y[static_cast<size_t>(r)];
  }
  for (const char* criterion : {"KL", "ED", "Chi", "DDP"}) {
    ASSERT_OK_AND_ASSIGN(auto forest,
                         MakeForest(fmt::format("{{n_trees: 1, max_depth: 1, bootstrap: false, "
                                                "min_samples_leaf: 10, criterion: {}}}",
                                                criterion)));
    ASSERT_OK(forest->Fit({&x, t, y, OutcomeKind::kBinary}, Ctx(1)));
    const UpliftTree& tree = forest->trees()[0];
    ASSERT_EQ(tree.nodes.size(), 3u) << criterion;
    const TreeNode& root = tree.nodes[0];
    EXPECT_EQ(root.feature, 0);
    EXPECT_EQ(root.threshold, 0.0);
    Criterion c;
    ASSERT_TRUE(ParseCriterion(criterion, &c));
    const double pt = (left.treated.s + right.treated.s) / (left.treated.n + right.treated.n);
    const double pc = (left.control.s + right.control.s) / (left.control.n + right.control.n);
    EXPECT_DOUBLE_EQ(root.gain, SplitGain(c, true, true, 10, pt, pc, left, right)) << criterion;
    const TreeNode& l = tree.nodes[static_cast<size_t>(root.left)];
    EXPECT_DOUBLE_EQ(l.mean_treated, left.treated.s / left.treated.n);
    EXPECT_DOUBLE_EQ(l.mean_control, left.control.s / left.control.n);
    EXPECT_EQ(l.n_treated, left.treated.n);
  }
}

TEST(UpliftForest, HonestLeavesAreFilledByTheOtherHalf) {
  const SimData d = Simulate(3000, 4, 4);
  const uint64_t seed = 9;
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 3, max_depth: 4, min_samples_leaf: 40, "
                                               "min_samples_treatment: 10, max_features: 4, "
                                               "honest: true, bootstrap: false}"));
  ASSERT_OK(forest->Fit(d.Training(), Ctx(2, seed)));
  const std::vector<uint32_t> rank = CanonicalRanks(d.x, d.treatment, d.outcome, 1);
  for (size_t t = 0; t < forest->trees().size(); ++t) {
    const UpliftTree& tree = forest->trees()[t];
    ASSERT_GT(tree.nodes.size(), 3u);
    const uint64_t tree_seed = TreeSeed(seed, t);
    // Route every training row by its raw values; tally both halves per leaf.
    std::vector<double> fill_nt(tree.nodes.size()), fill_st(tree.nodes.size()),
        fill_nc(tree.nodes.size()), fill_sc(tree.nodes.size()), split_n(tree.nodes.size());
    size_t filling_rows = 0;
    for (int64_t r = 0; r < d.x.rows(); ++r) {
      const auto leaf = static_cast<size_t>(tree.FindLeaf(d.x, r));
      const auto ur = static_cast<size_t>(r);
      if (IsFillingRow(tree_seed, rank[ur])) {
        ++filling_rows;
        (d.treatment[ur] ? fill_nt : fill_nc)[leaf] += 1;
        (d.treatment[ur] ? fill_st : fill_sc)[leaf] += d.outcome[ur];
      } else {
        split_n[leaf] += 1;
      }
    }
    EXPECT_NEAR(static_cast<double>(filling_rows), 1500, 150);  // about half
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      const TreeNode& n = tree.nodes[i];
      if (!n.is_leaf()) continue;
      EXPECT_EQ(n.weight, split_n[i]);  // splits were chosen on the other rows
      EXPECT_EQ(n.n_treated, fill_nt[i]);
      EXPECT_EQ(n.n_control, fill_nc[i]);
      EXPECT_DOUBLE_EQ(n.mean_treated, fill_st[i] / fill_nt[i]);
      EXPECT_DOUBLE_EQ(n.mean_control, fill_sc[i] / fill_nc[i]);
    }
  }
}

// ---- missing values ----------------------------------------------------------------------------

TEST(UpliftForest, MissingValuesGoToTheSideTheyResemble) {
  // Uplift +0.4 where x0 > 0.5; a third of those rows lose x0. The missing rows should follow
  // the high-uplift side; with the missing rows taken from the low side, the other way round.
  for (bool from_high : {true, false}) {
    SimData d = Simulate(8000, 2, 5);
    Rng rng(17);
    for (int64_t r = 0; r < d.x.rows(); ++r) {
      const auto ur = static_cast<size_t>(r);
      const bool high = d.x.at(r, 0) > 0.5;
      const double p = 0.3 + (high && d.treatment[ur] ? 0.4 : 0.0);
      d.outcome[ur] = rng.Bernoulli(p) ? 1 : 0;
      if (high == from_high && rng.Bernoulli(1.0 / 3)) d.x.mutable_column(0)[ur] = kNaN;
    }
    ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 1, max_depth: 1, max_features: 1, "
                                                 "bootstrap: false, criterion: ED}"));
    // max_features 1 of 2 could pick x1; use x0 alone.
    FeatureMatrix only({"x0"}, d.x.rows());
    std::copy(d.x.column(0).begin(), d.x.column(0).end(), only.mutable_column(0).begin());
    ASSERT_OK(forest->Fit({&only, d.treatment, d.outcome, OutcomeKind::kBinary}, Ctx(1)));
    const TreeNode& root = forest->trees()[0].nodes[0];
    ASSERT_EQ(root.feature, 0);
    EXPECT_NEAR(root.threshold, 0.5, 0.06);
    EXPECT_EQ(root.missing_left, !from_high) << "from_high " << from_high;
    // Predictions for a missing value equal those of the side it was routed to.
    FeatureMatrix probe({"x0"}, 3);
    probe.mutable_column(0)[0] = kNaN;
    probe.mutable_column(0)[1] = 0.1;
    probe.mutable_column(0)[2] = 0.9;
    ASSERT_OK_AND_ASSIGN(std::vector<double> p, forest->Predict(probe, Ctx(1)));
    EXPECT_EQ(p[0], from_high ? p[2] : p[1]);
    EXPECT_GT(p[2], p[1] + 0.2);
  }
}

TEST(UpliftForest, MissingWithoutTrainingMissingGoesToTheLargerChild) {
  SimData d = Simulate(4000, 1, 6);
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 1, max_depth: 1, bootstrap: false, "
                                               "min_samples_leaf: 50}"));
  ASSERT_OK(forest->Fit(d.Training(), Ctx(1)));
  const UpliftTree& tree = forest->trees()[0];
  ASSERT_EQ(tree.nodes.size(), 3u);
  const TreeNode& root = tree.nodes[0];
  const bool left_larger = tree.nodes[static_cast<size_t>(root.left)].weight >=
                           tree.nodes[static_cast<size_t>(root.right)].weight;
  EXPECT_EQ(root.missing_left, left_larger);
}

// ---- determinism and invariances
// -----------------------------------------------------------------

const char* kDefaultish =
    "{n_trees: 12, max_depth: 5, min_samples_leaf: 40, min_samples_treatment: 10, "
    "max_features: 3}";

TEST(UpliftForest, ThreadCountDoesNotChangePredictions) {
  const SimData train = Simulate(5000, 8, 7), test = Simulate(1000, 8, 8);
  for (const char* params : {kDefaultish,
                             "{n_trees: 6, honest: true, min_samples_leaf: 30, "
                             "criterion: DDP, max_features: 8}"}) {
    const std::vector<double> one = FitPredict(params, train, test.x, 1);
    const std::vector<double> two = FitPredict(params, train, test.x, 2);
    const std::vector<double> five = FitPredict(params, train, test.x, 5);
    ASSERT_EQ(one.size(), 1000u);
    EXPECT_EQ(one, two);
    EXPECT_EQ(one, five);
    EXPECT_NE(one, FitPredict(params, train, test.x, 2, /*seed=*/43));  // the seed matters
  }
}

TEST(UpliftForest, RowOrderDoesNotChangePredictions) {
  SimData train = Simulate(4000, 6, 9);
  // Some exact duplicate rows, which tie in the content order.
  for (int64_t r = 0; r < 50; ++r) {
    for (int j = 0; j < 6; ++j)
      train.x.mutable_column(j)[static_cast<size_t>(r + 100)] = train.x.at(r, j);
    train.treatment[static_cast<size_t>(r + 100)] = train.treatment[static_cast<size_t>(r)];
    train.outcome[static_cast<size_t>(r + 100)] = train.outcome[static_cast<size_t>(r)];
  }
  const SimData test = Simulate(800, 6, 10);
  std::vector<int64_t> perm(static_cast<size_t>(train.x.rows()));
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(1);
  for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[rng.UniformInt(i + 1)]);
  SimData shuffled{train.x.TakeRows(perm), {}, {}, {}};
  for (int64_t r : perm) {
    shuffled.treatment.push_back(train.treatment[static_cast<size_t>(r)]);
    shuffled.outcome.push_back(train.outcome[static_cast<size_t>(r)]);
  }
  for (const char* params :
       {kDefaultish, "{n_trees: 5, honest: true, criterion: Chi, min_samples_leaf: 30}"}) {
    EXPECT_EQ(FitPredict(params, train, test.x, 2), FitPredict(params, shuffled, test.x, 2))
        << params;
  }
}

TEST(UpliftForest, RowOrderDoesNotChangeContinuousPredictions) {
  // Continuous sums are rounded, so the trees add them in content (rank) order.
  SimData train = Simulate(3000, 4, 21);
  Rng noise(4);
  for (size_t r = 0; r < train.outcome.size(); ++r) {
    train.outcome[r] = noise.Normal(3, 1) + (train.treatment[r] ? train.true_uplift[r] : 0.0);
  }
  std::vector<int64_t> perm(static_cast<size_t>(train.x.rows()));
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
  SimData reversed{train.x.TakeRows(perm), {}, {}, {}};
  for (int64_t r : perm) {
    reversed.treatment.push_back(train.treatment[static_cast<size_t>(r)]);
    reversed.outcome.push_back(train.outcome[static_cast<size_t>(r)]);
  }
  const SimData test = Simulate(500, 4, 22);
  auto fit = [&](const SimData& d) {
    auto forest = MakeForest("{n_trees: 5, criterion: ED, min_samples_leaf: 30}");
    EXPECT_TRUE(forest.ok());
    EXPECT_OK((*forest)->Fit(d.Training(OutcomeKind::kContinuous), Ctx(2)));
    auto pred = (*forest)->Predict(test.x, Ctx(1));
    EXPECT_TRUE(pred.ok());
    return pred.ok() ? *pred : std::vector<double>{};
  };
  const std::vector<double> a = fit(train);
  EXPECT_EQ(a.size(), 500u);
  EXPECT_EQ(a, fit(reversed));
}

TEST(UpliftForest, SwappingTheGroupsFlipsTheSign) {
  const SimData train = Simulate(5000, 5, 11), test = Simulate(1000, 5, 12);
  SimData swapped = train;
  for (uint8_t& t : swapped.treatment) t = 1 - t;
  // Exact for the symmetric criteria when no draw depends on the treatment.
  for (const char* criterion : {"ED", "DDP"}) {
    const std::string params = fmt::format(
        "{{n_trees: 4, bootstrap: false, max_features: 2, min_samples_leaf: 40, criterion: {}}}",
        criterion);
    const std::vector<double> a = FitPredict(params, train, test.x, 2);
    const std::vector<double> b = FitPredict(params, swapped, test.x, 2);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], -b[i]) << criterion << " row " << i;
  }
  // Approximately for KL with bootstrap (the draws differ, the signal does not).
  const std::vector<double> a = FitPredict(kDefaultish, train, test.x, 2);
  const std::vector<double> b = FitPredict(kDefaultish, swapped, test.x, 2);
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sa += a[i];
    sb += b[i];
    sab += a[i] * b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
  }
  const double n = static_cast<double>(a.size());
  const double corr = (sab - sa * sb / n) / std::sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
  EXPECT_LT(corr, -0.8);
  EXPECT_NEAR(sa / n, -sb / n, 0.03);
}

// ---- quality ---------------------------------------------------------------------------------

TEST(UpliftForest, BeatsRandomOnSimulatedData) {
  const SimData train = Simulate(20000, 10, 13), test = Simulate(20000, 10, 14);
  ASSERT_OK_AND_ASSIGN(double oracle,
                       metrics::QiniAucScore(test.true_uplift, test.treatment, test.outcome));
  std::vector<double> random(test.outcome.size());
  Rng rng(99);
  for (double& v : random) v = rng.Uniform();
  ASSERT_OK_AND_ASSIGN(double random_qini,
                       metrics::QiniAucScore(random, test.treatment, test.outcome));
  for (const char* criterion : {"KL", "ED", "Chi", "DDP"}) {
    for (const char* honest : {"false", "true"}) {
      const std::string params = fmt::format(
          "{{n_trees: 20, max_depth: 5, min_samples_leaf: 100, max_features: 5, criterion: {}, "
          "honest: {}}}",
          criterion, honest);
      const std::vector<double> pred = FitPredict(params, train, test.x, 2);
      ASSERT_OK_AND_ASSIGN(double qini, metrics::QiniAucScore(pred, test.treatment, test.outcome));
      EXPECT_GT(qini, 0.6 * oracle) << criterion << " honest " << honest << ": " << qini
                                    << " vs oracle " << oracle << ", random " << random_qini;
      EXPECT_GT(qini, random_qini + 0.05);
    }
  }
}

TEST(UpliftForest, FeatureImportanceFindsTheSignal) {
  const SimData train = Simulate(10000, 8, 15);
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 10, max_depth: 4, max_features: 8}"));
  ASSERT_OK(forest->Fit(train.Training(), Ctx(2)));
  const std::vector<double> imp = forest->FeatureImportance();
  ASSERT_EQ(imp.size(), 8u);
  EXPECT_NEAR(std::accumulate(imp.begin(), imp.end(), 0.0), 1.0, 1e-12);
  EXPECT_GT(imp[0] + imp[1], 0.6);  // the two uplift features
  for (double v : imp) EXPECT_GE(v, 0);
}

TEST(UpliftForest, ContinuousOutcomeWithMeans) {
  SimData d = Simulate(6000, 4, 16);
  Rng rng(3);
  for (size_t r = 0; r < d.outcome.size(); ++r) {
    d.outcome[r] = rng.Normal(10, 2) + (d.treatment[r] ? 20 * d.true_uplift[r] : 0.0);
  }
  for (const char* criterion : {"DDP", "ED"}) {
    ASSERT_OK_AND_ASSIGN(
        auto forest,
        MakeForest(fmt::format("{{n_trees: 10, max_features: 4, criterion: {}}}", criterion)));
    ASSERT_OK(forest->Fit(d.Training(OutcomeKind::kContinuous), Ctx(2)));
    ASSERT_OK_AND_ASSIGN(std::vector<double> pred, forest->Predict(d.x, Ctx(1)));
    double hi = 0, lo = 0, n_hi = 0, n_lo = 0;
    for (size_t r = 0; r < pred.size(); ++r) {
      (d.true_uplift[r] > 0 ? hi : lo) += pred[r];
      (d.true_uplift[r] > 0 ? n_hi : n_lo) += 1;
    }
    EXPECT_NEAR(hi / n_hi, 5.0, 1.5) << criterion;  // true uplift 20 * 0.25
    EXPECT_NEAR(lo / n_lo, -1.0, 1.5) << criterion;
  }
}

// ---- serialization
// -------------------------------------------------------------------------------

TEST(UpliftForest, SaveLoadGivesIdenticalPredictions) {
  SimData train = Simulate(4000, 5, 17);
  for (int64_t r = 0; r < train.x.rows(); r += 7)
    train.x.mutable_column(1)[static_cast<size_t>(r)] = kNaN;
  // An outlier makes a split with an infinite threshold possible to round-trip too.
  SimData test = Simulate(1000, 5, 18);
  for (int64_t r = 0; r < test.x.rows(); r += 5)
    test.x.mutable_column(1)[static_cast<size_t>(r)] = kNaN;
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 8, max_depth: 5, min_samples_leaf: 30, "
                                               "max_features: 5, criterion: Chi}"));
  ASSERT_OK(forest->Fit(train.Training(), Ctx(2)));
  ASSERT_OK_AND_ASSIGN(ForestPrediction before, forest->PredictDetailed(test.x, Ctx(1)));

  TempDir dir;
  ASSERT_OK_AND_ASSIGN(SavedModel saved, forest->Save(dir.path()));
  ASSERT_EQ(saved.files, std::vector<std::string>{"uplift_forest.json"});
  ASSERT_OK_AND_ASSIGN(auto loaded,
                       LoadModel(forest->config(), dir.path(), saved.state, "manifest.json"));
  ASSERT_OK_AND_ASSIGN(std::vector<double> after, loaded->Predict(test.x, Ctx(3)));
  EXPECT_EQ(before.uplift, after);
  EXPECT_EQ(loaded->FeatureImportance(), forest->FeatureImportance());
  // Leaf counts are part of the detailed prediction and survive too.
  auto* loaded_forest = static_cast<UpliftForest*>(loaded.get());
  ASSERT_OK_AND_ASSIGN(ForestPrediction detailed, loaded_forest->PredictDetailed(test.x, Ctx(1)));
  EXPECT_EQ(detailed.n_treated, before.n_treated);
  EXPECT_EQ(detailed.n_control, before.n_control);
  EXPECT_GT(before.n_treated[0], 0);

  // The file names its format and version.
  const std::string text = upcamp::testing::ReadAll(dir.File("uplift_forest.json"));
  const nlohmann::json doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["format"], "upcamp.uplift_forest");
  EXPECT_EQ(doc["format_version"], 1);
  EXPECT_EQ(doc["trees"].size(), 8u);
}

TEST(UpliftForest, CorruptFilesAreDataErrorsNamingTheFile) {
  const SimData train = Simulate(2000, 3, 19);
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 2, max_depth: 3, min_samples_leaf: 30}"));
  ASSERT_OK(forest->Fit(train.Training(), Ctx(1)));
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(SavedModel saved, forest->Save(dir.path()));
  const std::string path = dir.File("uplift_forest.json");
  const std::string good = upcamp::testing::ReadAll(path);
  const nlohmann::json doc = nlohmann::json::parse(good);

  auto expect_refused = [&](const std::string& content, const std::string& needle) {
    ASSERT_OK(WriteFileAtomic(path, content));
    ASSERT_OK_AND_ASSIGN(auto fresh,
                         MakeForest("{n_trees: 2, max_depth: 3, min_samples_leaf: 30}"));
    const Status st = fresh->Load(dir.path(), saved.state);
    EXPECT_EQ(st.code(), ErrorCode::kData) << st.ToString();
    EXPECT_NE(st.message().find("uplift_forest.json"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(needle), std::string::npos) << st.message();
  };
  expect_refused(good.substr(0, good.size() / 2), "not valid JSON");
  nlohmann::json d = doc;
  d["format_version"] = 2;
  expect_refused(d.dump(), "version 2");
  d = doc;
  d["trees"][0]["left"][0] = 0;
  expect_refused(d.dump(), "child index");
  d = doc;
  d["trees"][1]["feature"][0] = 3;
  expect_refused(d.dump(), "feature out of range");
  d = doc;
  d["trees"][0]["mean_treated"].erase(0);
  expect_refused(d.dump(), "different length");
  d = doc;
  d["params"]["n_trees"] = 3;
  expect_refused(d.dump(), "params differ");
  d = doc;
  d["trees"][0]["gain"][0] = "x";
  expect_refused(d.dump(), "'gain' is not a number");
  // A missing file is an I/O error naming it.
  std::filesystem::remove(path);
  ASSERT_OK_AND_ASSIGN(auto fresh, MakeForest("{n_trees: 2, max_depth: 3, min_samples_leaf: 30}"));
  const Status st = fresh->Load(dir.path(), saved.state);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("uplift_forest.json"), std::string::npos);
}

TEST(UpliftForest, PredictChecksTheColumns) {
  const SimData train = Simulate(1000, 3, 20);
  ASSERT_OK_AND_ASSIGN(auto forest, MakeForest("{n_trees: 2, min_samples_leaf: 20}"));
  ASSERT_OK(forest->Fit(train.Training(), Ctx(1)));
  const SimData other = Simulate(10, 4, 21);
  EXPECT_EQ(forest->Predict(other.x, Ctx(1)).status().code(), ErrorCode::kData);
}

}  // namespace
}  // namespace upcamp::models::forest
