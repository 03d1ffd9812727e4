#include "models/xgboost/booster.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"
#include "testing.h"

namespace upcamp::models::xgb {
namespace {

Result<Params> ParseParams(const std::string& yaml) {
  auto node = ConfigNode::Parse(yaml, "train.yaml");
  if (!node.ok()) return node.status();
  return Params::FromConfig(&node.value());
}

Status ParamsError(const std::string& yaml) {
  auto p = ParseParams(yaml);
  return p.ok() ? Status::Ok() : p.status();
}

// x0 on the grid {-1, -0.75, ..., 1} (so that histogram bins separate x0 > 0 exactly),
// x1 ~ U(-1, 1); label = 1 + 2 [x0 > 0] (regression) or Bernoulli(0.2 + 0.6 [x0 > 0]) (binary).
struct Toy {
  DenseRows x;
  std::vector<float> y;
};
Toy MakeToy(int64_t n, bool binary, uint64_t seed = 1) {
  Rng rng(seed);
  Toy toy{DenseRows(n, 2), {}};
  for (int64_t i = 0; i < n; ++i) {
    float* row = toy.x.row(i);
    row[0] = static_cast<float>(std::round(rng.Uniform(-4, 4)) / 4);
    row[1] = static_cast<float>(rng.Uniform(-1, 1));
    const bool high = row[0] > 0;
    toy.y.push_back(binary ? (rng.Bernoulli(high ? 0.8 : 0.2) ? 1.0f : 0.0f)
                           : (high ? 3.0f : 1.0f));
  }
  return toy;
}

TEST(XgbParams, DefaultsAreFilledIn) {
  ASSERT_OK_AND_ASSIGN(Params p, Params::FromConfig(nullptr));
  EXPECT_EQ(p.num_rounds, 100);
  EXPECT_EQ(p.Get("eta"), "0.1");
  EXPECT_EQ(p.Get("max_depth"), "4");
  EXPECT_EQ(p.Get("tree_method"), "hist");
  EXPECT_EQ(p.Get("base_score"), "auto");
  const nlohmann::json j = p.ToJson();
  EXPECT_EQ(j["num_rounds"], 100);
  EXPECT_EQ(j["eta"], 0.1);
  EXPECT_EQ(j["max_depth"], 4);
  EXPECT_EQ(j["tree_method"], "hist");
}

TEST(XgbParams, ValuesAliasesAndRoundTrip) {
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{learning_rate: 0.05, max_depth: 6, num_rounds: 7, "
                                             "reg_lambda: 2.5, base_score: 0.3}"));
  EXPECT_EQ(p.num_rounds, 7);
  EXPECT_EQ(p.Get("eta"), "0.05");
  EXPECT_EQ(p.Get("lambda"), "2.5");
  EXPECT_EQ(p.Get("base_score"), "0.3");
  const ConfigNode node = ConfigNode::FromJson(p.ToJson(), "manifest.json");
  ASSERT_OK_AND_ASSIGN(Params again, Params::FromConfig(&node));
  EXPECT_EQ(again.booster, p.booster);
  EXPECT_EQ(again.num_rounds, p.num_rounds);
}

TEST(XgbParams, UnknownKeysAreConfigErrorsWithLocation) {
  const Status st = ParamsError("{max_depht: 3}");
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("train.yaml:1:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("'max_depht'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("did you mean 'max_depth'"), std::string::npos) << st.message();
}

TEST(XgbParams, RefusedKeysSayWhy) {
  EXPECT_NE(ParamsError("{nthread: 4}").message().find("--threads"), std::string::npos);
  EXPECT_NE(ParamsError("{seed: 4}").message().find("seed"), std::string::npos);
  EXPECT_NE(ParamsError("{objective: 'reg:logistic'}").message().find("chooses the objective"),
            std::string::npos);
  EXPECT_NE(ParamsError("{n_estimators: 10}").message().find("num_rounds"), std::string::npos);
  EXPECT_EQ(ParamsError("{nthread: 4}").code(), ErrorCode::kConfig);
}

TEST(XgbParams, BadValuesAreConfigErrors) {
  for (const char* yaml :
       {"{subsample: 0}", "{subsample: 1.5}", "{max_depth: -1}", "{eta: abc}", "{num_rounds: 0}",
        "{tree_method: gpu_hist}", "{eta: 0.1, learning_rate: 0.2}", "{max_bin: 1}",
        "{base_score: nan}", "{lambda: -1}"}) {
    const Status st = ParamsError(yaml);
    EXPECT_EQ(st.code(), ErrorCode::kConfig) << yaml;
  }
  EXPECT_NE(ParamsError("{tree_method: gpu_hist}").message().find("hist|approx|exact"),
            std::string::npos);
}

TEST(XgbBooster, RegressionLearnsAStep) {
  const Toy toy = MakeToy(2000, false);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 100, eta: 0.3, max_depth: 2}"));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kRegression, toy.x, toy.y, {}, 1));
  ASSERT_OK_AND_ASSIGN(auto pred, b.Predict(toy.x, 1));
  ASSERT_EQ(pred.size(), 2000u);
  for (size_t i = 0; i < pred.size(); ++i) EXPECT_NEAR(pred[i], toy.y[i], 1e-3) << i;
  ASSERT_OK_AND_ASSIGN(int nf, b.NumFeatures());
  EXPECT_EQ(nf, 2);
}

TEST(XgbBooster, BinaryPredictsProbabilities) {
  const Toy toy = MakeToy(4000, true);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 60, eta: 0.3, max_depth: 1}"));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kBinary, toy.x, toy.y, {}, 1));
  ASSERT_OK_AND_ASSIGN(auto pred, b.Predict(toy.x, 2));
  double sum[2] = {0, 0}, count[2] = {0, 0};
  for (size_t i = 0; i < pred.size(); ++i) {
    ASSERT_TRUE(pred[i] > 0 && pred[i] < 1) << pred[i];
    const int high = toy.x.values[2 * i] > 0 ? 1 : 0;
    sum[high] += pred[i];
    count[high] += 1;
  }
  // Mean predicted probability per side of the step: 0.2 and 0.8 up to sampling noise (the
  // standard error of a side's mean label is about 0.01).
  EXPECT_NEAR(sum[0] / count[0], 0.2, 0.04);
  EXPECT_NEAR(sum[1] / count[1], 0.8, 0.04);
  // Labels other than 0/1 are refused for a binary objective.
  std::vector<float> bad = toy.y;
  bad[3] = 0.5f;
  auto r = Booster::Train(p, Objective::kBinary, toy.x, bad, {}, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
}

TEST(XgbBooster, ZeroWeightRowsAreIgnored) {
  // Every row is duplicated: label 1 with weight 1, label 0 with weight 0. The model must only
  // see the weighted copies.
  const Toy toy = MakeToy(500, false);
  DenseRows x(1000, 2);
  std::vector<float> y, w;
  for (int64_t i = 0; i < 500; ++i) {
    for (int copy = 0; copy < 2; ++copy) {
      std::copy(toy.x.values.begin() + 2 * i, toy.x.values.begin() + 2 * i + 2,
                x.row(2 * i + copy));
      y.push_back(copy == 0 ? 1.0f : 0.0f);
      w.push_back(copy == 0 ? 1.0f : 0.0f);
    }
  }
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 20, min_child_weight: 0}"));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kRegression, x, y, w, 1));
  ASSERT_OK_AND_ASSIGN(auto pred, b.Predict(toy.x, 1));
  for (double v : pred) EXPECT_NEAR(v, 1.0, 1e-4);
  // All-zero or negative weights are data errors.
  std::vector<float> zeros(1000, 0.0f);
  EXPECT_EQ(Booster::Train(p, Objective::kRegression, x, y, zeros, 1).status().code(),
            ErrorCode::kData);
  w[0] = -1;
  EXPECT_EQ(Booster::Train(p, Objective::kRegression, x, y, w, 1).status().code(),
            ErrorCode::kData);
}

TEST(XgbBooster, PredictionDoesNotDependOnThreads) {
  const Toy toy = MakeToy(20000, true);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 30, max_depth: 5}"));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kBinary, toy.x, toy.y, {}, 1));
  ASSERT_OK_AND_ASSIGN(auto one, b.Predict(toy.x, 1));
  ASSERT_OK_AND_ASSIGN(auto two, b.Predict(toy.x, 2));
  ASSERT_OK_AND_ASSIGN(auto four, b.Predict(toy.x, 4));
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, four);
}

TEST(XgbBooster, TotalGainCountsOnlySplitFeatures) {
  const Toy toy = MakeToy(1000, false);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 1, max_depth: 1}"));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kRegression, toy.x, toy.y, {}, 1));
  ASSERT_OK_AND_ASSIGN(auto gain, b.TotalGain(3));
  ASSERT_EQ(gain.size(), 3u);
  EXPECT_GT(gain[0], 0);  // the one split is on the step
  EXPECT_EQ(gain[1], 0);
  EXPECT_EQ(gain[2], 0);
  EXPECT_FALSE(b.TotalGain(0).ok());  // feature f0 is out of range
}

TEST(XgbBooster, JsonFilesRoundTripExactly) {
  const Toy toy = MakeToy(3000, true);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 25, max_depth: 4, subsample: 0.8}"));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kBinary, toy.x, toy.y, {}, 42));
  upcamp::testing::TempDir dir;
  const std::string path = dir.File("m.json");
  ASSERT_OK(b.SaveFile(path));
  EXPECT_EQ(upcamp::testing::ListDir(dir.path()), std::vector<std::string>{"m.json"});
  EXPECT_EQ(upcamp::testing::ReadAll(path).front(), '{');
  ASSERT_OK_AND_ASSIGN(Booster loaded, Booster::LoadFile(path));
  ASSERT_OK_AND_ASSIGN(auto before, b.Predict(toy.x, 1));
  ASSERT_OK_AND_ASSIGN(auto after, loaded.Predict(toy.x, 2));
  EXPECT_EQ(before, after);
  // Saving the loaded model gives the same bytes.
  ASSERT_OK_AND_ASSIGN(auto text1, b.ToJsonText());
  ASSERT_OK_AND_ASSIGN(auto text2, loaded.ToJsonText());
  EXPECT_EQ(text1, text2);
}

TEST(XgbBooster, SameSeedSameModelOtherSeedOtherModel) {
  const Toy toy = MakeToy(3000, true);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 10, subsample: 0.5}"));
  ASSERT_OK_AND_ASSIGN(Booster a, Booster::Train(p, Objective::kBinary, toy.x, toy.y, {}, 1));
  ASSERT_OK_AND_ASSIGN(Booster b, Booster::Train(p, Objective::kBinary, toy.x, toy.y, {}, 1));
  ASSERT_OK_AND_ASSIGN(Booster c, Booster::Train(p, Objective::kBinary, toy.x, toy.y, {}, 2));
  EXPECT_EQ(*a.ToJsonText(), *b.ToJsonText());
  EXPECT_NE(*a.Predict(toy.x, 1), *c.Predict(toy.x, 1));
}

TEST(XgbBooster, CorruptFilesAreDataErrorsNamingTheFile) {
  upcamp::testing::TempDir dir;
  for (const char* content : {"", "not json", "{\"a\": 1}", "{\"learner\": 5}"}) {
    const std::string path = dir.Write("bad.json", content);
    auto r = Booster::LoadFile(path);
    ASSERT_FALSE(r.ok()) << content;
    EXPECT_EQ(r.status().code(), ErrorCode::kData) << content;
    EXPECT_NE(r.status().message().find("bad.json"), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(Booster::LoadFile(dir.File("missing.json")).status().code(), ErrorCode::kIo);
}

TEST(XgbBooster, XgboostErrorsBecomeStatus) {
  // A value our validation would have refused, to reach XGBoost's own parameter check: its
  // message comes back as a Status, without XGBoost's stack trace.
  const Toy toy = MakeToy(100, false);
  ASSERT_OK_AND_ASSIGN(Params p, ParseParams("{num_rounds: 2}"));
  for (auto& [name, value] : p.booster) {
    if (name == "max_depth") value = "-5";
  }
  auto r = Booster::Train(p, Objective::kRegression, toy.x, toy.y, {}, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("XGBoost"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("Stack trace"), std::string::npos);
  // A base_score outside (0, 1) cannot start a logistic model.
  ASSERT_OK_AND_ASSIGN(Params p2, ParseParams("{num_rounds: 2, base_score: 1.5}"));
  const Toy bin = MakeToy(100, true);
  EXPECT_EQ(Booster::Train(p2, Objective::kBinary, bin.x, bin.y, {}, 1).status().code(),
            ErrorCode::kConfig);
}

TEST(XgbBooster, ReportsItsVersion) {
  EXPECT_EQ(Version().substr(0, 2), "1.");
}

}  // namespace
}  // namespace upcamp::models::xgb
