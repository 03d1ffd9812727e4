#include "models/registry.h"

#include <string_view>

#include "models/forest/forest.h"
#include "models/meta/meta_learner.h"

namespace upcamp::models {

// The keys of the meta-learners' model nodes (defaults after the colon).
constexpr const char* kMetaBase =
    "base: {type: xgboost, params: {XGBoost's parameter names + num_rounds; see docs/models.md}}";
constexpr const char* kMetaFolds =
    "base: {type: xgboost, params: {...}}; folds: 5 (cross-fitting folds, 1 = none)";
constexpr const char* kMetaInteractions =
    "base: {type: xgboost, params: {...}}; interactions: false (true adds t*x_j columns)";

// Each model family adds its entry here (one line per model, alphabetical within a family).
const std::vector<ModelInfo>& AllModels() {
  static const std::vector<ModelInfo> kModels = {
      // XGBoost meta-learners (models/meta/parts.h has the formulas).
      {"class_transformation",
       "One classifier of z = [y == t] with groups reweighted to equal size; uplift = 2 P(z) - 1",
       kMetaBase, true, &meta::MakeClassTransformation},
      {"dr_learner",
       "Doubly robust: regress mu1 - mu0 + t(y - mu1)/e - (1-t)(y - mu0)/(1-e), cross-fitted",
       kMetaFolds, false, &meta::MakeDRLearner},
      {"r_learner",
       "Robinson residuals: regress (y - m(x))/(t - e) with weights (t - e)^2, m cross-fitted",
       kMetaFolds, false, &meta::MakeRLearner},
      {"s_learner", "One model of y on [x, t]; uplift = f(x, 1) - f(x, 0)", kMetaInteractions,
       false, &meta::MakeSLearner},
      {"t_learner", "Two models, treated and control; uplift = mu1(x) - mu0(x)", kMetaBase, false,
       &meta::MakeTLearner},
      {"transformed_outcome", "One regression of y (t - e)/(e (1 - e)), whose mean is the uplift",
       kMetaBase, false, &meta::MakeTransformedOutcome},
      {"x_learner",
       "T-learner arms impute effects per group, regressed and mixed: e tau0(x) + (1-e) tau1(x)",
       kMetaBase, false, &meta::MakeXLearner},
      // Native uplift forest (models/forest, docs/uplift_forest.md).
      {"uplift_forest", "native random forest of uplift trees (KL, ED, Chi or DDP splits)",
       forest::kUpliftForestParameters, false, forest::MakeUpliftForest},
  };
  return kModels;
}

namespace {

const ModelInfo* FindModel(std::string_view name) {
  for (const auto& info : AllModels()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

std::string KnownNames() {
  std::string out;
  for (const auto& info : AllModels()) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

Result<std::unique_ptr<UpliftModel>> MakeModel(const ConfigNode& model_node) {
  if (!model_node.IsMap()) return model_node.Error("expected a model {{type: ..., ...}}");
  UPCAMP_ASSIGN_OR_RETURN(std::string type, model_node.GetString("type"));
  const ModelInfo* info = FindModel(type);
  if (!info) return model_node.Error("unknown model type '{}' (known: {})", type, KnownNames());
  return info->make(model_node);
}

Result<std::unique_ptr<UpliftModel>> LoadModel(const nlohmann::json& config,
                                               const std::filesystem::path& dir,
                                               const nlohmann::json& state,
                                               const std::string& where) {
  const ConfigNode node = ConfigNode::FromJson(config, where);
  auto made = MakeModel(node);
  if (!made.ok()) {
    return Status::Data(
        "{}: the bundle's model config is not readable by this build ({}); "
        "retrain the model or score with the upcamp version that wrote it",
        where, made.status().message());
  }
  std::unique_ptr<UpliftModel> model = std::move(made).value();
  UPCAMP_RETURN_IF_ERROR(model->Load(dir, state));
  return model;
}

}  // namespace upcamp::models
