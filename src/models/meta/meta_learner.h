#pragma once
// Uplift meta-learners over XGBoost: s_learner, t_learner, x_learner, r_learner, dr_learner,
// class_transformation and transformed_outcome. Each is one MetaLearner wired from the parts in
// parts.h (nuisance models, pseudo-outcomes, combiner), whose formulas are documented there and
// in docs/models.md.
//
// Config (`model:` node; unknown keys are config errors):
//   {type: t_learner, base: {type: xgboost, params: {max_depth: 4, eta: 0.1, num_rounds: 200}}}
//   s_learner also takes `interactions: false|true` (add t*x_j columns);
//   r_learner and dr_learner take `folds: 5` (cross-fitting folds, 1 = in-sample nuisances).
//   `base` may be omitted (XGBoost with the defaults of xgboost/booster.h).
//
// Reproducibility: rows are put into a canonical order before training (models/row_order.h),
// so the input's row order never matters; each booster trains on one XGBoost thread with the
// seed MixSeed(ctx.seed, Hash64("<stage>/<fold>")), and independent boosters (arms, folds) run
// in parallel on ctx.threads; prediction uses ctx.threads. Predictions are therefore identical
// for any thread count, any row order, and after Save -> Load.
//
// Saved files: one XGBoost JSON model per final stage, "xgb_<stage>.json" (e.g.
// xgb_mu1.json, xgb_mu0.json); the state holds the feature count, outcome kind, treated share
// and the file of each stage.

#include <memory>

#include "core/config.h"
#include "core/status.h"
#include "models/meta/parts.h"
#include "models/model.h"
#include "models/xgboost/booster.h"

namespace upcamp::models::meta {

struct MetaConfig {
  Learner learner = Learner::kT;
  xgb::Params base;
  /// s_learner: add one t*x_j column per feature next to t.
  bool interactions = false;
  /// r_learner, dr_learner: cross-fitting folds for the nuisance models (1 = in-sample).
  int folds = 5;

  /// Validates a whole `model:` node for `learner`.
  static Result<MetaConfig> FromConfig(Learner learner, const ConfigNode& model_node);
  nlohmann::json ToJson() const;
};

/// An unfitted meta-learner.
std::unique_ptr<UpliftModel> MakeMetaLearner(MetaConfig config);

/// Registry factories (one per learner).
Result<std::unique_ptr<UpliftModel>> MakeSLearner(const ConfigNode& node);
Result<std::unique_ptr<UpliftModel>> MakeTLearner(const ConfigNode& node);
Result<std::unique_ptr<UpliftModel>> MakeXLearner(const ConfigNode& node);
Result<std::unique_ptr<UpliftModel>> MakeRLearner(const ConfigNode& node);
Result<std::unique_ptr<UpliftModel>> MakeDRLearner(const ConfigNode& node);
Result<std::unique_ptr<UpliftModel>> MakeClassTransformation(const ConfigNode& node);
Result<std::unique_ptr<UpliftModel>> MakeTransformedOutcome(const ConfigNode& node);

}  // namespace upcamp::models::meta
