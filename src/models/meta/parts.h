#pragma once
// The parts every meta-learner is composed of (after grf's relabeling/splitting/prediction
// strategies): a learner is a row of three small tables, not a class of its own.
//
//   1. nuisance models  — first-stage XGBoost fits whose predictions feed the pseudo-outcomes
//                         (Nuisances);
//   2. pseudo-outcomes  — what each final-stage XGBoost model is trained on: rows, target,
//                         weights, objective (FinalStages);
//   3. combiner         — uplift(x) = constant + sum_k coef_k * final_k(input_k(x))
//                         (MakeCombiner).
//
// Notation: t in {0, 1} treatment, y outcome, e = N1/N the treated share of the training rows
// (the randomized design's propensity; no propensity model is fitted) and 1 - e = N0/N, both
// computed as ratios of counts so that swapping the groups swaps them exactly. "outcome
// objective" is binary:logistic (a probability) for a 0/1 outcome and reg:squarederror
// otherwise. Nuisance predictions marked "cross-fitted" are out-of-fold: the rows are split into
// K folds (per treatment group, seeded), and a row's prediction comes from the model trained
// without its fold.
//
//   s_learner             final f: all rows, target y, columns [x, t] or [x, t, t*x]
//                         uplift = f(x, t=1) - f(x, t=0)
//   t_learner             final mu1: treated rows, y;  mu0: control rows, y
//                         uplift = mu1(x) - mu0(x)
//   x_learner             nuisance mu1: treated rows;  mu0: control rows
//                         final tau1: treated rows, y - mu0(x);  tau0: control rows, mu1(x) - y
//                         uplift = e*tau0(x) + (1 - e)*tau1(x)
//   r_learner             nuisance m: all rows, cross-fitted
//                         final tau: all rows, (y - m(x))/(t - e), weight (t - e)^2
//                         uplift = tau(x)
//   dr_learner            nuisance mu1: treated rows;  mu0: control rows; both cross-fitted
//                         final tau: all rows, phi
//                         uplift = tau(x)
//   class_transformation  final g: all rows, z, weight w (logistic)
//                         uplift = 2*g(x) - 1
//   transformed_outcome   final tau: all rows, y*(t - e)/(e*(1 - e))
//                         uplift = tau(x)
//
//   phi = mu1(x) - mu0(x) + t*(y - mu1(x))/e - (1 - t)*(y - mu0(x))/(1 - e)
//   z   = y*t + (1 - y)*(1 - t)  (1 for treated responders and control non-responders),
//   w   = t/(2e) + (1 - t)/(2(1 - e)) — reweights the groups to equal total weight, so that
//         P_w(z = 1 | x) = (1 + uplift(x))/2 for any e (w = 1 when e = 1/2, the textbook case).
//
// Final stages are trained with the outcome objective for s/t (they model y), logistic for
// class_transformation (z is 0/1) and squared error for the rest (pseudo-outcomes are real).
// X-learner's nuisances are only ever evaluated on the other group's rows, so they need no
// cross-fitting; the R- and DR-learner's residuals would be shrunk towards 0 by in-sample
// predictions of a flexible model, hence the folds.

#include <map>
#include <span>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/xgboost/booster.h"

namespace upcamp::models::meta {

enum class Learner { kS, kT, kX, kR, kDR, kClassTransformation, kTransformedOutcome };

/// Registry name: "s_learner", ..., "transformed_outcome".
const char* LearnerName(Learner learner);

/// Which training rows a stage sees.
enum class Rows { kAll, kTreated, kControl };

/// The columns a stage is trained on: the features, or (S-learner) the features followed by
/// the treatment and, with interactions, one column t*x_j per feature (x_j for treated rows, 0
/// for control rows — so a missing x_j stays missing only where it can matter).
enum class Layout { kFeatures, kWithTreatment };

/// What a combiner term feeds a final model at prediction time.
enum class Input { kFeatures, kAsTreated, kAsControl };

/// Treated and control shares of the training rows: e = N1/N and 1 - e = N0/N.
struct Shares {
  double treated = 0.5;
  double control = 0.5;
};

// ---- part 1: nuisance models ------------------------------------------------------------------

struct NuisanceSpec {
  const char* name;
  Rows rows;       ///< trained on these rows (with the outcome objective), predicted for all
  bool cross_fit;  ///< out-of-fold predictions (else in-sample, used only off the training rows)
};
std::vector<NuisanceSpec> Nuisances(Learner learner);

// ---- part 2: pseudo-outcomes ------------------------------------------------------------------

/// Training rows (in the model's canonical order) and the nuisance predictions for every row.
struct PseudoInput {
  std::span<const uint8_t> t;
  std::span<const double> y;
  OutcomeKind outcome_kind = OutcomeKind::kBinary;
  Shares shares;
  std::map<std::string, std::vector<double>> nuisance;  ///< name -> prediction per row
};

struct FinalStage {
  std::string name;
  Rows rows = Rows::kAll;
  xgb::Objective objective = xgb::Objective::kRegression;
  Layout layout = Layout::kFeatures;
  std::vector<double> target;  ///< one per training row; rows outside `rows` are ignored
  std::vector<double> weight;  ///< empty = all 1, else one per training row
};
std::vector<FinalStage> FinalStages(Learner learner, const PseudoInput& in);

/// The names of the final stages (the models a fitted learner keeps), in training order.
std::vector<std::string> FinalStageNames(Learner learner);
/// The layout of the final stages of `learner` (all of its final stages share one).
Layout FinalLayout(Learner learner);

// ---- part 3: combiner -------------------------------------------------------------------------

struct Term {
  std::string model;
  Input input = Input::kFeatures;
  double coef = 1;
};
struct Combiner {
  double constant = 0;
  std::vector<Term> terms;
};
Combiner MakeCombiner(Learner learner, Shares shares);

}  // namespace upcamp::models::meta
