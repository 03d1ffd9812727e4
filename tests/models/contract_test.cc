// Contract tests run for every model in the registry (AllModels()), so a model added later is
// covered without touching this file (give it a fast config in models_testing.cc).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/random.h"
#include "models/registry.h"
#include "models_testing.h"
#include "testing.h"

namespace upcamp::models {
namespace {

using testing::SimData;
using testing::Simulate;
using testing::SmallConfig;

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const auto& info : AllModels()) names.emplace_back(info.name);
  return names;
}

const SimData& TrainData() {
  static const SimData d = Simulate(3000, OutcomeKind::kBinary, 11);
  return d;
}
const SimData& ScoreData() {
  static const SimData d = Simulate(500, OutcomeKind::kBinary, 12);
  return d;
}

Context Ctx(int threads, uint64_t seed = 7) {
  Context ctx;
  ctx.threads = threads;
  ctx.seed = seed;
  ctx.quiet = true;
  return ctx;
}

class ModelContract : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<UpliftModel> Make(const std::string& extra_params = "") {
    auto model = MakeModel(SmallConfig(GetParam(), extra_params));
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? std::move(model).value() : nullptr;
  }
  // Fits a fresh model on `data` and predicts ScoreData().
  std::vector<double> FitPredict(const SimData& data, const Context& ctx,
                                 const std::string& extra_params = "") {
    auto model = Make(extra_params);
    if (!model) return {};
    const Status st = model->Fit(data.view(), ctx);
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto pred = model->Predict(ScoreData().x, ctx);
    EXPECT_TRUE(pred.ok()) << pred.status().ToString();
    return pred.ok() ? std::move(pred).value() : std::vector<double>{};
  }
};

TEST_P(ModelContract, PredictionsDoNotDependOnThreads) {
  const auto one = FitPredict(TrainData(), Ctx(1));
  const auto two = FitPredict(TrainData(), Ctx(2));
  ASSERT_EQ(one.size(), ScoreData().t.size());
  ASSERT_EQ(one, two);  // bitwise
  for (double v : one) ASSERT_TRUE(std::isfinite(v));
}

TEST_P(ModelContract, SubsamplingIsDeterministicAcrossThreads) {
  // Row and column subsampling draw from the seed, never from the thread schedule.
  const auto a = FitPredict(TrainData(), Ctx(1, 5), "subsample: 0.7, colsample_bynode: 0.8");
  const auto b = FitPredict(TrainData(), Ctx(2, 5), "subsample: 0.7, colsample_bynode: 0.8");
  EXPECT_EQ(a, b);
}

TEST_P(ModelContract, SaveLoadGivesIdenticalPredictions) {
  auto model = Make();
  ASSERT_NE(model, nullptr);
  ASSERT_OK(model->Fit(TrainData().view(), Ctx(2)));
  ASSERT_OK_AND_ASSIGN(auto before, model->Predict(ScoreData().x, Ctx(1)));
  upcamp::testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(SavedModel saved, model->Save(dir.path()));
  ASSERT_FALSE(saved.files.empty());
  for (const auto& f : saved.files) EXPECT_TRUE(std::filesystem::exists(dir.File(f))) << f;
  // Nothing but the listed files (no temp files left behind).
  EXPECT_EQ(upcamp::testing::ListDir(dir.path()).size(), saved.files.size());

  // The bundle stores config() and state as JSON text; go through text like it will.
  const auto config = nlohmann::json::parse(model->config().dump());
  const auto state = nlohmann::json::parse(saved.state.dump());
  ASSERT_OK_AND_ASSIGN(auto loaded, LoadModel(config, dir.path(), state, "manifest.json"));
  ASSERT_OK_AND_ASSIGN(auto after, loaded->Predict(ScoreData().x, Ctx(2)));
  EXPECT_EQ(before, after);
  EXPECT_EQ(model->FeatureImportance(), loaded->FeatureImportance());
  EXPECT_EQ(model->config(), loaded->config());
}

TEST_P(ModelContract, RowOrderDoesNotMatter) {
  // Even with row and column subsampling: the row order is not allowed to leak into the model.
  const std::string sampling = "subsample: 0.8, colsample_bytree: 0.8";
  const SimData& data = TrainData();
  std::vector<int64_t> perm(data.t.size());
  std::iota(perm.begin(), perm.end(), int64_t{0});
  Rng rng(99);
  for (size_t i = perm.size(); i > 1; --i) {
    std::swap(perm[i - 1], perm[static_cast<size_t>(rng.UniformInt(i))]);
  }
  const auto original = FitPredict(data, Ctx(1), sampling);
  const auto shuffled = FitPredict(data.Permuted(perm), Ctx(1), sampling);
  EXPECT_EQ(original, shuffled);
}

TEST_P(ModelContract, SwappingGroupsFlipsTheSign) {
  // Swapping treatment and control negates the true uplift. Only learners whose formulas are
  // exactly antisymmetric reproduce this bit for bit (tested in meta_learner_test.cc); for the
  // others (the S-learner's t column is a different feature once flipped, the class
  // transformation's base rate is 1 - p only up to rounding, a forest's KL criterion is not
  // symmetric) the two fits are different estimates of the same function. The tolerance is
  // therefore statistical: the flipped predictions must track the negated ones (correlation
  // >= 0.9) and not be shifted (mean of the sum within 15% of the spread).
  const auto base = FitPredict(TrainData(), Ctx(1));
  const auto flipped = FitPredict(TrainData().Swapped(), Ctx(1));
  ASSERT_EQ(base.size(), flipped.size());
  std::vector<double> negated(flipped.size());
  std::transform(flipped.begin(), flipped.end(), negated.begin(), [](double v) { return -v; });
  EXPECT_GT(testing::Correlation(base, negated), 0.9);
  double sum = 0, mean = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    sum += base[i] + flipped[i];
    mean += base[i];
  }
  sum /= static_cast<double>(base.size());
  mean /= static_cast<double>(base.size());
  double var = 0;
  for (double v : base) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / static_cast<double>(base.size()));
  EXPECT_LT(std::abs(sum), 0.15 * sd);
}

TEST_P(ModelContract, UnknownConfigKeyIsAnError) {
  const ConfigNode good = SmallConfig(GetParam());
  nlohmann::json j = good.ToJson();
  j["bogus_key"] = 1;
  auto model = MakeModel(ConfigNode::FromJson(j, "train.yaml"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), ErrorCode::kConfig);
  EXPECT_NE(model.status().message().find("bogus_key"), std::string::npos)
      << model.status().message();
}

TEST_P(ModelContract, ConfigRoundTrips) {
  auto model = Make();
  ASSERT_NE(model, nullptr);
  const nlohmann::json config = model->config();
  EXPECT_EQ(config["type"], GetParam());
  ASSERT_OK_AND_ASSIGN(auto again, MakeModel(ConfigNode::FromJson(config, "manifest.json")));
  EXPECT_EQ(again->config(), config);
}

TEST_P(ModelContract, ImportanceIsANormalizedVectorPerColumn) {
  auto model = Make();
  ASSERT_NE(model, nullptr);
  ASSERT_OK(model->Fit(TrainData().view(), Ctx(2)));
  const auto imp = model->FeatureImportance();
  ASSERT_EQ(imp.size(), 5u);
  for (double v : imp) EXPECT_GE(v, 0);
  EXPECT_NEAR(std::accumulate(imp.begin(), imp.end(), 0.0), 1.0, 1e-9);
}

TEST_P(ModelContract, RefusesBadUse) {
  auto model = Make();
  ASSERT_NE(model, nullptr);
  EXPECT_FALSE(model->Predict(ScoreData().x, Ctx(1)).ok());  // not fitted
  upcamp::testing::TempDir dir;
  EXPECT_FALSE(model->Save(dir.path()).ok());

  // One group only.
  SimData treated_only = TrainData();
  std::fill(treated_only.t.begin(), treated_only.t.end(), uint8_t{1});
  const Status one_group = model->Fit(treated_only.view(), Ctx(1));
  EXPECT_EQ(one_group.code(), ErrorCode::kData) << one_group.ToString();

  ASSERT_OK(model->Fit(TrainData().view(), Ctx(1)));
  const FeatureMatrix narrow({"x0", "x1"}, 3);
  auto wrong = model->Predict(narrow, Ctx(1));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kData);
}

INSTANTIATE_TEST_SUITE_P(AllModels, ModelContract, ::testing::ValuesIn(ModelNames()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace upcamp::models
