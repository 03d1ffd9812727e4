#include "models/meta/meta_learner.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/registry.h"
#include "models_testing.h"
#include "testing.h"

namespace upcamp::models::meta {
namespace {

using testing::SimData;
using testing::Simulate;

Context Ctx(int threads = 1) {
  Context ctx;
  ctx.threads = threads;
  ctx.seed = 17;
  ctx.quiet = true;
  return ctx;
}

// Four rows by hand: treated share e = 1/4 (one treated row).
//   row  t  y    nuisances: mu1  mu0  m
//   0    1  1               0.6  0.2  0.3
//   1    0  0               0.5  0.1  0.2
//   2    0  1               0.7  0.4  0.5
//   3    0  0               0.4  0.3  0.3
struct Hand {
  std::vector<uint8_t> t = {1, 0, 0, 0};
  std::vector<double> y = {1, 0, 1, 0};
  PseudoInput Input() const {
    PseudoInput in;
    in.t = t;
    in.y = y;
    in.shares = {0.25, 0.75};
    in.nuisance["mu1"] = {0.6, 0.5, 0.7, 0.4};
    in.nuisance["mu0"] = {0.2, 0.1, 0.4, 0.3};
    in.nuisance["m"] = {0.3, 0.2, 0.5, 0.3};
    return in;
  }
};

const FinalStage& Stage(const std::vector<FinalStage>& stages, const std::string& name) {
  for (const auto& s : stages) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no stage " << name;
  return stages.front();
}

TEST(MetaParts, XLearnerImputesEffectsFromTheOtherGroup) {
  const auto stages = FinalStages(Learner::kX, Hand().Input());
  const auto& tau1 = Stage(stages, "tau1");
  const auto& tau0 = Stage(stages, "tau0");
  EXPECT_EQ(tau1.rows, Rows::kTreated);
  EXPECT_EQ(tau0.rows, Rows::kControl);
  EXPECT_DOUBLE_EQ(tau1.target[0], 1 - 0.2);  // y - mu0
  EXPECT_DOUBLE_EQ(tau0.target[1], 0.5 - 0);  // mu1 - y
  EXPECT_DOUBLE_EQ(tau0.target[2], 0.7 - 1);
  EXPECT_DOUBLE_EQ(tau0.target[3], 0.4 - 0);
  const Combiner c = MakeCombiner(Learner::kX, {0.25, 0.75});
  ASSERT_EQ(c.terms.size(), 2u);
  EXPECT_EQ(c.terms[0].model, "tau0");
  EXPECT_EQ(c.terms[0].coef, 0.25);  // e * tau0
  EXPECT_EQ(c.terms[1].model, "tau1");
  EXPECT_EQ(c.terms[1].coef, 0.75);  // (1 - e) * tau1
}

TEST(MetaParts, RLearnerResidualsAndWeights) {
  const auto stages = FinalStages(Learner::kR, Hand().Input());
  const auto& tau = Stage(stages, "tau");
  // (y - m)/(t - e), weight (t - e)^2 with e = 0.25.
  EXPECT_DOUBLE_EQ(tau.target[0], (1 - 0.3) / 0.75);
  EXPECT_DOUBLE_EQ(tau.weight[0], 0.75 * 0.75);
  EXPECT_DOUBLE_EQ(tau.target[1], (0 - 0.2) / -0.25);
  EXPECT_DOUBLE_EQ(tau.target[2], (1 - 0.5) / -0.25);
  EXPECT_DOUBLE_EQ(tau.weight[2], 0.0625);
  EXPECT_EQ(tau.objective, xgb::Objective::kRegression);
}

TEST(MetaParts, DrLearnerPseudoOutcome) {
  const auto tau = Stage(FinalStages(Learner::kDR, Hand().Input()), "tau");
  // mu1 - mu0 + t (y - mu1)/e - (1 - t)(y - mu0)/(1 - e)
  EXPECT_DOUBLE_EQ(tau.target[0], 0.4 + (1 - 0.6) / 0.25);
  EXPECT_DOUBLE_EQ(tau.target[1], 0.4 - (0 - 0.1) / 0.75);
  EXPECT_DOUBLE_EQ(tau.target[2], 0.3 - (1 - 0.4) / 0.75);
  EXPECT_TRUE(tau.weight.empty());
}

TEST(MetaParts, ClassTransformationLabelsAndWeights) {
  const auto g = Stage(FinalStages(Learner::kClassTransformation, Hand().Input()), "g");
  // z = 1 for treated responders and control non-responders.
  EXPECT_EQ(g.target, (std::vector<double>{1, 1, 0, 1}));
  // Groups reweighted to equal total weight: 1 treated row * 2 = 3 control rows * 2/3.
  EXPECT_DOUBLE_EQ(g.weight[0], 0.5 / 0.25);
  EXPECT_DOUBLE_EQ(g.weight[1], 0.5 / 0.75);
  EXPECT_DOUBLE_EQ(g.weight[0], 3 * g.weight[1]);
  EXPECT_EQ(g.objective, xgb::Objective::kBinary);
  const Combiner c = MakeCombiner(Learner::kClassTransformation, {0.25, 0.75});
  EXPECT_EQ(c.constant, -1.0);
  EXPECT_EQ(c.terms[0].coef, 2.0);
}

TEST(MetaParts, TransformedOutcome) {
  const auto tau = Stage(FinalStages(Learner::kTransformedOutcome, Hand().Input()), "tau");
  // y (t - e)/(e (1 - e)): treated responder 1/e = 4, control responder -1/(1 - e) = -4/3.
  EXPECT_DOUBLE_EQ(tau.target[0], 4.0);
  EXPECT_DOUBLE_EQ(tau.target[1], 0.0);
  EXPECT_DOUBLE_EQ(tau.target[2], -4.0 / 3);
}

TEST(MetaParts, SAndTLearnersModelTheOutcome) {
  const auto s = FinalStages(Learner::kS, Hand().Input());
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].layout, Layout::kWithTreatment);
  EXPECT_EQ(s[0].objective, xgb::Objective::kBinary);
  EXPECT_EQ(s[0].target, Hand().y);
  const auto t = FinalStages(Learner::kT, Hand().Input());
  EXPECT_EQ(Stage(t, "mu1").rows, Rows::kTreated);
  EXPECT_EQ(Stage(t, "mu0").rows, Rows::kControl);
  const Combiner cs = MakeCombiner(Learner::kS, {0.5, 0.5});
  EXPECT_EQ(cs.terms[0].input, Input::kAsTreated);
  EXPECT_EQ(cs.terms[1].input, Input::kAsControl);
  EXPECT_EQ(cs.terms[1].coef, -1.0);
}

TEST(MetaParts, EveryLearnerIsRegisteredAndNamesItsStages) {
  for (Learner l : {Learner::kS, Learner::kT, Learner::kX, Learner::kR, Learner::kDR,
                    Learner::kClassTransformation, Learner::kTransformedOutcome}) {
    bool found = false;
    for (const auto& info : AllModels()) found |= LearnerName(l) == std::string(info.name);
    EXPECT_TRUE(found) << LearnerName(l);
    std::vector<std::string> names;
    for (const auto& s : FinalStages(l, Hand().Input())) names.push_back(s.name);
    EXPECT_EQ(names, FinalStageNames(l)) << LearnerName(l);
    for (const auto& term : MakeCombiner(l, {0.25, 0.75}).terms) {
      EXPECT_NE(std::find(names.begin(), names.end(), term.model), names.end());
    }
  }
}

std::unique_ptr<UpliftModel> MakeOrDie(const std::string& yaml) {
  auto node = ConfigNode::Parse(yaml, "train.yaml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  auto model = MakeModel(*node);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

Status MakeError(const std::string& yaml) {
  auto node = ConfigNode::Parse(yaml, "train.yaml");
  if (!node.ok()) return node.status();
  auto model = MakeModel(*node);
  return model.ok() ? Status::Ok() : model.status();
}

TEST(MetaLearner, ConfigErrorsNameTheKey) {
  Status st = MakeError("{type: t_learner, interactions: true}");  // only the S-learner has it
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("'interactions'"), std::string::npos) << st.message();
  st = MakeError("{type: x_learner, base: {type: lightgbm}}");
  EXPECT_NE(st.message().find("lightgbm"), std::string::npos) << st.message();
  st = MakeError("{type: r_learner, folds: 0}");
  EXPECT_NE(st.message().find("'folds'"), std::string::npos) << st.message();
  st = MakeError("{type: dr_learner, base: {type: xgboost, params: {max_dept: 3}}}");
  EXPECT_NE(st.message().find("'max_dept'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("base.params"), std::string::npos) << st.message();
  st = MakeError("{type: s_learner, base: {type: xgboost, parms: {}}}");
  EXPECT_NE(st.message().find("'parms'"), std::string::npos) << st.message();
}

TEST(MetaLearner, DefaultsWhenBaseIsOmitted) {
  auto model = MakeOrDie("{type: r_learner}");
  const auto config = model->config();
  EXPECT_EQ(config["folds"], 5);
  EXPECT_EQ(config["base"]["type"], "xgboost");
  EXPECT_EQ(config["base"]["params"]["num_rounds"], 100);
  EXPECT_EQ(config["base"]["params"]["tree_method"], "hist");
}

// Learners whose formulas are exactly antisymmetric in the groups: with no subsampling the
// model fitted on swapped groups predicts exactly the negated uplift (see parts.h: e and 1 - e
// are ratios of counts, t - e is +N0/N or -N1/N, the canonical row order ignores t, and a
// squared-error booster on negated targets with a negated base score grows the same trees with
// negated leaves).
TEST(MetaLearner, SwappingGroupsNegatesExactlyForAntisymmetricLearners) {
  for (OutcomeKind kind : {OutcomeKind::kBinary, OutcomeKind::kContinuous}) {
    const SimData data = Simulate(2000, kind, 8, 0.3);
    const SimData swapped = data.Swapped();
    for (const char* type :
         {"t_learner", "x_learner", "r_learner", "dr_learner", "transformed_outcome"}) {
      auto a = MakeOrDie(
          fmt::format("{{type: {}, base: {{params: {{num_rounds: 20, max_depth: 3}}}}}}", type));
      auto b = MakeOrDie(
          fmt::format("{{type: {}, base: {{params: {{num_rounds: 20, max_depth: 3}}}}}}", type));
      ASSERT_OK(a->Fit(data.view(), Ctx()));
      ASSERT_OK(b->Fit(swapped.view(), Ctx()));
      ASSERT_OK_AND_ASSIGN(auto pa, a->Predict(data.x, Ctx()));
      ASSERT_OK_AND_ASSIGN(auto pb, b->Predict(data.x, Ctx()));
      size_t mismatches = 0;
      for (size_t i = 0; i < pa.size(); ++i) mismatches += pa[i] != -pb[i];
      EXPECT_EQ(mismatches, 0u) << type << (kind == OutcomeKind::kBinary ? " binary" : " cont.");
    }
  }
}

TEST(MetaLearner, ClassTransformationNeedsABinaryOutcome) {
  auto model = MakeOrDie("{type: class_transformation}");
  const SimData data = Simulate(200, OutcomeKind::kContinuous, 1);
  const Status st = model->Fit(data.view(), Ctx());
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("transformed_outcome"), std::string::npos);
}

TEST(MetaLearner, SLearnerInteractionsAddColumns) {
  const SimData data = Simulate(3000, OutcomeKind::kContinuous, 2);
  auto plain = MakeOrDie("{type: s_learner, base: {params: {num_rounds: 30}}}");
  auto inter = MakeOrDie("{type: s_learner, interactions: true, base: {params: {num_rounds: 30}}}");
  ASSERT_OK(plain->Fit(data.view(), Ctx()));
  ASSERT_OK(inter->Fit(data.view(), Ctx()));
  ASSERT_OK_AND_ASSIGN(auto pp, plain->Predict(data.x, Ctx()));
  ASSERT_OK_AND_ASSIGN(auto pi, inter->Predict(data.x, Ctx()));
  EXPECT_NE(pp, pi);
  // The interaction model's uplift follows x0 (true uplift x0 + 0.2) at least as well.
  EXPECT_GT(testing::Correlation(pi, data.true_uplift), 0.8);
  upcamp::testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(SavedModel saved, inter->Save(dir.path()));
  EXPECT_EQ(saved.files, std::vector<std::string>{"xgb_f.json"});
  // Loading it as a model without interactions is refused: the column count does not match.
  auto wrong = LoadModel(plain->config(), dir.path(), saved.state, "manifest.json");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kData);
  EXPECT_NE(wrong.status().message().find("xgb_f.json"), std::string::npos);
}

TEST(MetaLearner, CrossFittingChangesTheNuisances) {
  const SimData data = Simulate(2000, OutcomeKind::kBinary, 3);
  auto in_sample = MakeOrDie("{type: r_learner, folds: 1, base: {params: {num_rounds: 20}}}");
  auto cross = MakeOrDie("{type: r_learner, folds: 3, base: {params: {num_rounds: 20}}}");
  ASSERT_OK(in_sample->Fit(data.view(), Ctx()));
  ASSERT_OK(cross->Fit(data.view(), Ctx(2)));
  EXPECT_NE(*in_sample->Predict(data.x, Ctx()), *cross->Predict(data.x, Ctx()));
}

TEST(MetaLearner, DamagedStateIsADataError) {
  const SimData data = Simulate(500, OutcomeKind::kBinary, 4);
  auto model = MakeOrDie("{type: t_learner, base: {params: {num_rounds: 5}}}");
  ASSERT_OK(model->Fit(data.view(), Ctx()));
  upcamp::testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(SavedModel saved, model->Save(dir.path()));
  EXPECT_EQ(saved.files, (std::vector<std::string>{"xgb_mu1.json", "xgb_mu0.json"}));
  const auto config = model->config();

  auto expect_data_error = [&](nlohmann::json state, const std::string& needle) {
    auto r = LoadModel(config, dir.path(), state, "manifest.json");
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), ErrorCode::kData) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  auto s = saved.state;
  s["version"] = 99;
  expect_data_error(s, "version");
  s = saved.state;
  s["boosters"]["mu1"] = "../escape.json";
  expect_data_error(s, "plain file name");
  s = saved.state;
  s["boosters"].erase("mu0");
  expect_data_error(s, "mu0");
  s = saved.state;
  s["n_features"] = 7;
  expect_data_error(s, "xgb_mu1.json");
  s = saved.state;
  s["treated_share"] = 1.5;
  expect_data_error(s, "treated_share");
  std::filesystem::remove(dir.File("xgb_mu0.json"));
  auto missing = LoadModel(config, dir.path(), saved.state, "manifest.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("xgb_mu0.json"), std::string::npos);
}

TEST(MetaLearner, InfiniteFeaturesAreClampedNotRefused) {
  SimData data = Simulate(1000, OutcomeKind::kBinary, 5);
  data.x.mutable_column(3)[0] = std::numeric_limits<double>::infinity();
  data.x.mutable_column(3)[1] = -std::numeric_limits<double>::infinity();
  data.x.mutable_column(3)[2] = 1e300;
  auto model = MakeOrDie("{type: s_learner, base: {params: {num_rounds: 5}}}");
  ASSERT_OK(model->Fit(data.view(), Ctx()));
  ASSERT_OK_AND_ASSIGN(auto pred, model->Predict(data.x, Ctx()));
  for (double v : pred) EXPECT_TRUE(std::isfinite(v));
}

TEST(MetaLearner, BadTrainingDataIsADataError) {
  SimData data = Simulate(100, OutcomeKind::kBinary, 6);
  auto model = MakeOrDie("{type: t_learner, base: {params: {num_rounds: 2}}}");
  SimData d1 = data;
  d1.y[5] = 0.5;  // not 0/1 for a binary outcome
  EXPECT_EQ(model->Fit(d1.view(), Ctx()).code(), ErrorCode::kData);
  SimData d2 = data;
  d2.t[5] = 2;
  EXPECT_EQ(model->Fit(d2.view(), Ctx()).code(), ErrorCode::kData);
  SimData d3 = data;
  d3.kind = OutcomeKind::kContinuous;
  d3.y[5] = std::nan("");
  EXPECT_EQ(model->Fit(d3.view(), Ctx()).code(), ErrorCode::kData);
}

TEST(MetaLearner, PredictionDoesNotDependOnTheBlockARowIsIn) {
  // Prediction hands rows to XGBoost in blocks of 65536; rows around the block boundary must
  // score the same when predicted on their own.
  const SimData train = Simulate(1000, OutcomeKind::kBinary, 9);
  const SimData score = Simulate(70000, OutcomeKind::kBinary, 10);
  auto model = MakeOrDie("{type: s_learner, base: {params: {num_rounds: 5}}}");
  ASSERT_OK(model->Fit(train.view(), Ctx()));
  ASSERT_OK_AND_ASSIGN(auto all, model->Predict(score.x, Ctx(2)));
  std::vector<int64_t> tail;
  for (int64_t r = 65000; r < 70000; ++r) tail.push_back(r);
  ASSERT_OK_AND_ASSIGN(auto part, model->Predict(score.x.TakeRows(tail), Ctx(1)));
  for (size_t i = 0; i < tail.size(); ++i) {
    ASSERT_EQ(part[i], all[static_cast<size_t>(tail[i])]) << tail[i];
  }
}

}  // namespace
}  // namespace upcamp::models::meta
