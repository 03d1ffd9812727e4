#include "models/meta/parts.h"

#include <cassert>

namespace upcamp::models::meta {
namespace {

xgb::Objective OutcomeObjective(OutcomeKind kind) {
  return kind == OutcomeKind::kBinary ? xgb::Objective::kBinary : xgb::Objective::kRegression;
}

const std::vector<double>& Nuisance(const PseudoInput& in, const char* name) {
  auto it = in.nuisance.find(name);
  assert(it != in.nuisance.end() && it->second.size() == in.y.size());
  return it->second;
}

// t - e for one row, as +N0/N or -N1/N (so that swapping the groups negates it exactly).
double Centered(uint8_t t, Shares s) {
  return t ? s.control : -s.treated;
}

}  // namespace

const char* LearnerName(Learner learner) {
  switch (learner) {
    case Learner::kS:
      return "s_learner";
    case Learner::kT:
      return "t_learner";
    case Learner::kX:
      return "x_learner";
    case Learner::kR:
      return "r_learner";
    case Learner::kDR:
      return "dr_learner";
    case Learner::kClassTransformation:
      return "class_transformation";
    case Learner::kTransformedOutcome:
      return "transformed_outcome";
  }
  return "?";
}

std::vector<NuisanceSpec> Nuisances(Learner learner) {
  switch (learner) {
    case Learner::kX:
      return {{"mu1", Rows::kTreated, false}, {"mu0", Rows::kControl, false}};
    case Learner::kR:
      return {{"m", Rows::kAll, true}};
    case Learner::kDR:
      return {{"mu1", Rows::kTreated, true}, {"mu0", Rows::kControl, true}};
    default:
      return {};
  }
}

std::vector<std::string> FinalStageNames(Learner learner) {
  switch (learner) {
    case Learner::kS:
      return {"f"};
    case Learner::kT:
      return {"mu1", "mu0"};
    case Learner::kX:
      return {"tau1", "tau0"};
    case Learner::kClassTransformation:
      return {"g"};
    case Learner::kR:
    case Learner::kDR:
    case Learner::kTransformedOutcome:
      return {"tau"};
  }
  return {};
}

Layout FinalLayout(Learner learner) {
  return learner == Learner::kS ? Layout::kWithTreatment : Layout::kFeatures;
}

std::vector<FinalStage> FinalStages(Learner learner, const PseudoInput& in) {
  const size_t n = in.y.size();
  const Shares s = in.shares;
  std::vector<FinalStage> out;
  out.reserve(2);  // no learner has more; `stage` hands out references that must stay valid
  auto stage = [&](std::string name, Rows rows, xgb::Objective objective) -> FinalStage& {
    assert(out.size() < out.capacity());
    FinalStage& f = out.emplace_back();
    f.name = std::move(name);
    f.rows = rows;
    f.objective = objective;
    f.layout = FinalLayout(learner);
    f.target.assign(n, 0.0);
    return f;
  };
  const std::span<const uint8_t> t = in.t;
  const std::span<const double> y = in.y;

  switch (learner) {
    case Learner::kS: {
      FinalStage& f = stage("f", Rows::kAll, OutcomeObjective(in.outcome_kind));
      f.target.assign(y.begin(), y.end());
      break;
    }
    case Learner::kT: {
      FinalStage& mu1 = stage("mu1", Rows::kTreated, OutcomeObjective(in.outcome_kind));
      mu1.target.assign(y.begin(), y.end());
      FinalStage& mu0 = stage("mu0", Rows::kControl, OutcomeObjective(in.outcome_kind));
      mu0.target.assign(y.begin(), y.end());
      break;
    }
    case Learner::kX: {
      const auto& mu1 = Nuisance(in, "mu1");
      const auto& mu0 = Nuisance(in, "mu0");
      FinalStage& tau1 = stage("tau1", Rows::kTreated, xgb::Objective::kRegression);
      FinalStage& tau0 = stage("tau0", Rows::kControl, xgb::Objective::kRegression);
      for (size_t i = 0; i < n; ++i) {
        // Each target uses the *other* group's model, so both are out-of-sample.
        if (t[i]) {
          tau1.target[i] = y[i] - mu0[i];
        } else {
          tau0.target[i] = mu1[i] - y[i];
        }
      }
      break;
    }
    case Learner::kR: {
      const auto& m = Nuisance(in, "m");
      FinalStage& tau = stage("tau", Rows::kAll, xgb::Objective::kRegression);
      tau.weight.assign(n, 0.0);
      for (size_t i = 0; i < n; ++i) {
        const double c = Centered(t[i], s);
        tau.target[i] = (y[i] - m[i]) / c;
        tau.weight[i] = c * c;
      }
      break;
    }
    case Learner::kDR: {
      const auto& mu1 = Nuisance(in, "mu1");
      const auto& mu0 = Nuisance(in, "mu0");
      FinalStage& tau = stage("tau", Rows::kAll, xgb::Objective::kRegression);
      for (size_t i = 0; i < n; ++i) {
        const double correction =
            t[i] ? (y[i] - mu1[i]) / s.treated : -((y[i] - mu0[i]) / s.control);
        tau.target[i] = (mu1[i] - mu0[i]) + correction;
      }
      break;
    }
    case Learner::kClassTransformation: {
      FinalStage& g = stage("g", Rows::kAll, xgb::Objective::kBinary);
      g.weight.assign(n, 0.0);
      for (size_t i = 0; i < n; ++i) {
        const bool responded = y[i] != 0;
        g.target[i] = (t[i] != 0) == responded ? 1.0 : 0.0;
        g.weight[i] = t[i] ? 0.5 / s.treated : 0.5 / s.control;
      }
      break;
    }
    case Learner::kTransformedOutcome: {
      FinalStage& tau = stage("tau", Rows::kAll, xgb::Objective::kRegression);
      const double scale = s.treated * s.control;
      for (size_t i = 0; i < n; ++i) tau.target[i] = y[i] * Centered(t[i], s) / scale;
      break;
    }
  }
  return out;
}

Combiner MakeCombiner(Learner learner, Shares s) {
  switch (learner) {
    case Learner::kS:
      return {0, {{"f", Input::kAsTreated, 1.0}, {"f", Input::kAsControl, -1.0}}};
    case Learner::kT:
      return {0, {{"mu1", Input::kFeatures, 1.0}, {"mu0", Input::kFeatures, -1.0}}};
    case Learner::kX:
      return {0, {{"tau0", Input::kFeatures, s.treated}, {"tau1", Input::kFeatures, s.control}}};
    case Learner::kClassTransformation:
      return {-1.0, {{"g", Input::kFeatures, 2.0}}};
    case Learner::kR:
    case Learner::kDR:
    case Learner::kTransformedOutcome:
      return {0, {{"tau", Input::kFeatures, 1.0}}};
  }
  return {};
}

}  // namespace upcamp::models::meta
