#include "models/meta/meta_learner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/hash.h"
#include "core/parallel.h"
#include "core/random.h"
#include "models/row_order.h"

namespace upcamp::models::meta {
namespace {

constexpr int kStateVersion = 1;
constexpr int kMaxFolds = 50;
// Rows per block handed to XGBoost at prediction time (a few MB of float copies per block).
constexpr size_t kPredictBlockRows = size_t{1} << 16;
// XGBoost refuses infinities and works in float32; trees only use the order of values, so
// anything beyond this magnitude (including +-inf, e.g. from x/0 in a transform) is clamped.
// The bound stays well inside float32 so XGBoost's own cut arithmetic cannot overflow.
constexpr double kClampAbs = 1e30;

xgb::Objective OutcomeObjective(OutcomeKind kind) {
  return kind == OutcomeKind::kBinary ? xgb::Objective::kBinary : xgb::Objective::kRegression;
}

float ToFloat(double v) {
  if (std::isnan(v)) return std::numeric_limits<float>::quiet_NaN();
  return static_cast<float>(std::clamp(v, -kClampAbs, kClampAbs));
}

int LayoutCols(Layout layout, int features, bool interactions) {
  if (layout == Layout::kFeatures) return features;
  return interactions ? 2 * features + 1 : features + 1;
}

// Row-major float copy of the rows `source` of `x` (original row indices), in that order. With
// Layout::kWithTreatment, `t[i]` is the treatment of output row i.
xgb::DenseRows BuildRows(const FeatureMatrix& x, std::span<const int64_t> source, Layout layout,
                         bool interactions, std::span<const uint8_t> t) {
  const int p = x.cols();
  xgb::DenseRows out(static_cast<int64_t>(source.size()), LayoutCols(layout, p, interactions));
  const auto cols = static_cast<size_t>(out.cols);
  for (int j = 0; j < p; ++j) {
    const auto col = x.column(j);
    float* dst = out.values.data() + j;
    for (size_t i = 0; i < source.size(); ++i) {
      dst[i * cols] = ToFloat(col[static_cast<size_t>(source[i])]);
    }
  }
  if (layout == Layout::kWithTreatment) {
    for (size_t i = 0; i < source.size(); ++i) {
      float* row = out.values.data() + i * cols;
      row[p] = t[i] ? 1.0f : 0.0f;
      if (interactions) {
        for (int j = 0; j < p; ++j) row[p + 1 + j] = t[i] ? row[j] : 0.0f;
      }
    }
  }
  return out;
}

Status CheckTrainingData(const TrainingData& data) {
  if (!data.x) return Status::Runtime("model fit: no feature matrix");
  const int64_t n = data.x->rows();
  if (n == 0) return Status::Data("model fit: the training data has no rows");
  if (data.x->cols() == 0) return Status::Data("model fit: the training data has no features");
  if (static_cast<int64_t>(data.treatment.size()) != n ||
      static_cast<int64_t>(data.outcome.size()) != n) {
    return Status::Runtime("model fit: {} feature rows, {} treatments, {} outcomes", n,
                           data.treatment.size(), data.outcome.size());
  }
  int64_t treated = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto u = static_cast<size_t>(i);
    if (data.treatment[u] > 1) {
      return Status::Data("model fit: treatment of row {} is {} (must be 0 or 1)", i,
                          data.treatment[u]);
    }
    treated += data.treatment[u];
    const double y = data.outcome[u];
    if (!std::isfinite(y)) return Status::Data("model fit: outcome of row {} is not finite", i);
    if (data.outcome_kind == OutcomeKind::kBinary && y != 0 && y != 1) {
      return Status::Data("model fit: binary outcome of row {} is {} (must be 0 or 1)", i, y);
    }
  }
  if (treated == 0 || treated == n) {
    return Status::Data(
        "model fit: the training data has {} treated and {} control rows; an "
        "uplift model needs both groups",
        treated, n - treated);
  }
  return Status::Ok();
}

// Fold of each training row (canonical positions): per treatment group, a seeded shuffle of the
// group's positions dealt round-robin. Both groups use the same seed, so a group's folds do not
// depend on which of the two is labelled treated.
std::vector<int> AssignFolds(std::span<const uint8_t> t, int folds, uint64_t seed) {
  std::vector<int> fold(t.size(), 0);
  if (folds <= 1) return fold;
  for (uint8_t group : {uint8_t{1}, uint8_t{0}}) {
    std::vector<size_t> pos;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == group) pos.push_back(i);
    }
    Rng rng(MixSeed(seed, Hash64("cross_fit_folds")));
    for (size_t i = pos.size(); i > 1; --i) {
      std::swap(pos[i - 1], pos[static_cast<size_t>(rng.UniformInt(i))]);
    }
    for (size_t r = 0; r < pos.size(); ++r) fold[pos[r]] = static_cast<int>(r % folds);
  }
  return fold;
}

bool InRows(Rows rows, uint8_t t) {
  return rows == Rows::kAll || (rows == Rows::kTreated) == (t != 0);
}

uint64_t StageSeed(uint64_t seed, std::string_view stage, int fold) {
  return MixSeed(seed, Hash64(fmt::format("{}/{}", stage, fold)));
}

class MetaLearner final : public UpliftModel {
 public:
  explicit MetaLearner(MetaConfig config)
      : config_(std::move(config)), type_(LearnerName(config_.learner)) {}

  const std::string& type() const override { return type_; }
  nlohmann::json config() const override { return config_.ToJson(); }

  Status Fit(const TrainingData& data, const Context& ctx) override;
  Result<std::vector<double>> Predict(const FeatureMatrix& x, const Context& ctx) const override;
  std::vector<double> FeatureImportance() const override { return importance_; }
  Result<SavedModel> Save(const std::filesystem::path& dir) const override;
  Status Load(const std::filesystem::path& dir, const nlohmann::json& state) override;

 private:
  Status ComputeImportance();
  int FinalCols() const {
    return LayoutCols(FinalLayout(config_.learner), n_features_, config_.interactions);
  }

  MetaConfig config_;
  std::string type_;

  // Fitted state.
  bool fitted_ = false;
  int n_features_ = 0;
  OutcomeKind outcome_kind_ = OutcomeKind::kBinary;
  Shares shares_;
  std::map<std::string, xgb::Booster> final_;
  std::vector<double> importance_;
};

Status MetaLearner::Fit(const TrainingData& data, const Context& ctx) {
  UPCAMP_RETURN_IF_ERROR(CheckTrainingData(data));
  const Learner learner = config_.learner;
  if (learner == Learner::kClassTransformation && data.outcome_kind != OutcomeKind::kBinary) {
    return Status::Config(
        "class_transformation needs a binary (0/1) outcome; use "
        "transformed_outcome (or another learner) for a continuous one");
  }
  const FeatureMatrix& x = *data.x;
  const std::vector<int64_t> order = CanonicalRowOrder(data);
  const size_t n = order.size();

  PseudoInput in;
  std::vector<uint8_t> t(n);
  std::vector<double> y(n);
  for (size_t k = 0; k < n; ++k) {
    t[k] = data.treatment[static_cast<size_t>(order[k])];
    y[k] = data.outcome[static_cast<size_t>(order[k])];
  }
  const auto treated = static_cast<double>(std::count(t.begin(), t.end(), uint8_t{1}));
  in.t = t;
  in.y = y;
  in.outcome_kind = data.outcome_kind;
  in.shares = {treated / static_cast<double>(n),
               (static_cast<double>(n) - treated) / static_cast<double>(n)};
  const bool interactions = config_.interactions;

  // Trains one booster on the canonical positions `rows`.
  auto train = [&](Layout layout, xgb::Objective objective, const std::vector<size_t>& rows,
                   std::span<const double> target, std::span<const double> weight,
                   uint64_t seed) -> Result<xgb::Booster> {
    std::vector<int64_t> source(rows.size());
    std::vector<uint8_t> rt(rows.size());
    std::vector<float> label(rows.size()), w;
    if (!weight.empty()) w.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      source[i] = order[rows[i]];
      rt[i] = t[rows[i]];
      label[i] = static_cast<float>(target[rows[i]]);
      if (!weight.empty()) w[i] = static_cast<float>(weight[rows[i]]);
    }
    const xgb::DenseRows dense = BuildRows(x, source, layout, interactions, rt);
    return xgb::Booster::Train(config_.base, objective, dense, label, w, seed);
  };

  // Part 1: nuisance models, one task per (model, fold), each filling its own rows.
  const std::vector<NuisanceSpec> nuisances = Nuisances(learner);
  const bool cross_fit = std::any_of(nuisances.begin(), nuisances.end(),
                                     [](const NuisanceSpec& s) { return s.cross_fit; });
  const int folds = cross_fit ? config_.folds : 1;
  const std::vector<int> fold = AssignFolds(t, folds, ctx.seed);
  struct Task {
    const NuisanceSpec* spec;
    int fold;  // -1: trained on all its rows
  };
  std::vector<Task> tasks;
  for (const auto& spec : nuisances) {
    in.nuisance[spec.name].assign(n, std::numeric_limits<double>::quiet_NaN());
    if (spec.cross_fit && folds > 1) {
      size_t group = 0;
      for (size_t k = 0; k < n; ++k) group += InRows(spec.rows, t[k]);
      if (group < 2) {
        return Status::Data("{}: cross-fitting needs at least 2 rows in each treatment group",
                            type_);
      }
      for (int f = 0; f < folds; ++f) tasks.push_back({&spec, f});
    } else {
      tasks.push_back({&spec, -1});
    }
  }
  UPCAMP_RETURN_IF_ERROR(ParallelForStatus(ctx.threads, tasks.size(), [&](size_t i, int) -> Status {
    const Task& task = tasks[i];
    std::vector<size_t> fit_rows, predict_rows;
    for (size_t k = 0; k < n; ++k) {
      const bool held_out = task.fold >= 0 && fold[k] == task.fold;
      if (InRows(task.spec->rows, t[k]) && !held_out) fit_rows.push_back(k);
      if (task.fold < 0 || held_out) predict_rows.push_back(k);
    }
    if (predict_rows.empty()) return Status::Ok();
    UPCAMP_ASSIGN_OR_RETURN(
        xgb::Booster booster,
        train(Layout::kFeatures, OutcomeObjective(data.outcome_kind), fit_rows, y, {},
              StageSeed(ctx.seed, fmt::format("nuisance/{}", task.spec->name), task.fold)));
    std::vector<int64_t> source(predict_rows.size());
    for (size_t r = 0; r < predict_rows.size(); ++r) source[r] = order[predict_rows[r]];
    UPCAMP_ASSIGN_OR_RETURN(std::vector<double> pred,
                            booster.Predict(BuildRows(x, source, Layout::kFeatures, false, {}), 1));
    std::vector<double>& out = in.nuisance.find(task.spec->name)->second;
    for (size_t r = 0; r < predict_rows.size(); ++r) out[predict_rows[r]] = pred[r];
    return Status::Ok();
  }));

  // Part 2: pseudo-outcomes and the final stages, trained in parallel.
  const std::vector<FinalStage> stages = FinalStages(learner, in);
  std::vector<xgb::Booster> boosters(stages.size());
  UPCAMP_RETURN_IF_ERROR(
      ParallelForStatus(ctx.threads, stages.size(), [&](size_t i, int) -> Status {
        const FinalStage& stage = stages[i];
        std::vector<size_t> rows;
        for (size_t k = 0; k < n; ++k) {
          if (InRows(stage.rows, t[k])) rows.push_back(k);
        }
        UPCAMP_ASSIGN_OR_RETURN(
            boosters[i], train(stage.layout, stage.objective, rows, stage.target, stage.weight,
                               StageSeed(ctx.seed, "final/" + stage.name, 0)));
        return Status::Ok();
      }));

  final_.clear();
  for (size_t i = 0; i < stages.size(); ++i) final_.emplace(stages[i].name, std::move(boosters[i]));
  n_features_ = x.cols();
  outcome_kind_ = data.outcome_kind;
  shares_ = in.shares;
  fitted_ = true;
  spdlog::debug("{}: trained {} nuisance and {} final boosters on {} rows (treated share {:.4f})",
                type_, tasks.size(), stages.size(), n, shares_.treated);
  return ComputeImportance();
}

Result<std::vector<double>> MetaLearner::Predict(const FeatureMatrix& x, const Context& ctx) const {
  if (!fitted_) return Status::Runtime("{}: predicting with a model that is not fitted", type_);
  if (x.cols() != n_features_) {
    return Status::Data("{}: the model was trained on {} feature columns, the data has {}", type_,
                        n_features_, x.cols());
  }
  const auto n = static_cast<size_t>(x.rows());
  const Layout layout = FinalLayout(config_.learner);
  const Combiner combiner = MakeCombiner(config_.learner, shares_);

  // Rows go to XGBoost in blocks so that the float copies stay small; each row's prediction
  // does not depend on the block it is in.
  std::vector<double> uplift(n, combiner.constant);
  for (size_t begin = 0; begin < n; begin += kPredictBlockRows) {
    const size_t rows = std::min(kPredictBlockRows, n - begin);
    std::vector<int64_t> source(rows);
    std::iota(source.begin(), source.end(), static_cast<int64_t>(begin));
    std::map<Input, xgb::DenseRows> inputs;
    for (const Term& term : combiner.terms) {
      auto it = inputs.find(term.input);
      if (it == inputs.end()) {
        std::vector<uint8_t> t;
        if (layout == Layout::kWithTreatment) {
          t.assign(rows, term.input == Input::kAsTreated ? 1 : 0);
        }
        it =
            inputs.emplace(term.input, BuildRows(x, source, layout, config_.interactions, t)).first;
      }
      UPCAMP_ASSIGN_OR_RETURN(std::vector<double> pred,
                              final_.at(term.model).Predict(it->second, ctx.threads));
      for (size_t i = 0; i < rows; ++i) uplift[begin + i] += term.coef * pred[i];
    }
  }
  return uplift;
}

Status MetaLearner::ComputeImportance() {
  const int p = n_features_;
  const int cols = FinalCols();
  std::vector<double> total(static_cast<size_t>(p), 0.0);
  for (const auto& [name, booster] : final_) {
    UPCAMP_ASSIGN_OR_RETURN(std::vector<double> gain, booster.TotalGain(cols));
    // S-learner: t*x_j counts for x_j; the treatment column itself is not a training column.
    std::vector<double> by_feature(static_cast<size_t>(p), 0.0);
    for (int c = 0; c < cols; ++c) {
      const int j = c < p ? c : c - p - 1;
      if (j >= 0) by_feature[static_cast<size_t>(j)] += gain[static_cast<size_t>(c)];
    }
    // Gains of different stages are on different scales (log-loss vs squared error); each
    // stage gets an equal say.
    const double sum = std::accumulate(by_feature.begin(), by_feature.end(), 0.0);
    if (sum > 0) {
      for (int j = 0; j < p; ++j)
        total[static_cast<size_t>(j)] += by_feature[static_cast<size_t>(j)] / sum;
    }
  }
  const double sum = std::accumulate(total.begin(), total.end(), 0.0);
  if (sum > 0) {
    for (double& v : total) v /= sum;
  }
  importance_ = std::move(total);
  return Status::Ok();
}

Result<SavedModel> MetaLearner::Save(const std::filesystem::path& dir) const {
  if (!fitted_) return Status::Runtime("{}: saving a model that is not fitted", type_);
  SavedModel saved;
  nlohmann::json files = nlohmann::json::object();
  for (const std::string& stage : FinalStageNames(config_.learner)) {
    const std::string file = "xgb_" + stage + ".json";
    UPCAMP_RETURN_IF_ERROR(final_.at(stage).SaveFile((dir / file).string()));
    saved.files.push_back(file);
    files[stage] = file;
  }
  saved.state = {{"version", kStateVersion},
                 {"xgboost_version", xgb::Version()},
                 {"n_features", n_features_},
                 {"outcome", outcome_kind_ == OutcomeKind::kBinary ? "binary" : "continuous"},
                 {"treated_share", shares_.treated},
                 {"control_share", shares_.control},
                 {"boosters", files}};
  return saved;
}

Status MetaLearner::Load(const std::filesystem::path& dir, const nlohmann::json& state) {
  auto bad = [&](std::string_view what) {
    return Status::Data(
        "{} model state: {} (the bundle is damaged or was written by an "
        "incompatible upcamp version)",
        type_, what);
  };
  if (!state.is_object()) return bad("not a JSON object");
  if (!state.contains("version") || !state["version"].is_number_integer() ||
      state["version"].get<int>() != kStateVersion) {
    return bad(fmt::format("expected version {}", kStateVersion));
  }
  if (!state.contains("n_features") || !state["n_features"].is_number_integer() ||
      state["n_features"].get<int64_t>() < 1 || state["n_features"].get<int64_t>() > (1 << 24)) {
    return bad("'n_features' must be a positive integer");
  }
  const std::string outcome = state.value("outcome", "");
  if (outcome != "binary" && outcome != "continuous") {
    return bad("'outcome' must be \"binary\" or \"continuous\"");
  }
  Shares shares;
  for (auto [key, dst] :
       {std::pair{"treated_share", &shares.treated}, std::pair{"control_share", &shares.control}}) {
    if (!state.contains(key) || !state[key].is_number()) return bad(fmt::format("no '{}'", key));
    *dst = state[key].get<double>();
    if (!(*dst > 0 && *dst < 1)) return bad(fmt::format("'{}' must be in (0, 1)", key));
  }
  if (!state.contains("boosters") || !state["boosters"].is_object()) return bad("no 'boosters'");

  n_features_ = state["n_features"].get<int>();
  const int cols = FinalCols();
  std::map<std::string, xgb::Booster> boosters;
  for (const std::string& stage : FinalStageNames(config_.learner)) {
    const auto& files = state["boosters"];
    if (!files.contains(stage) || !files[stage].is_string()) {
      return bad(fmt::format("no model file for stage '{}'", stage));
    }
    const std::string file = files[stage].get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
      return bad(fmt::format("model file '{}' must be a plain file name", file));
    }
    const std::string path = (dir / file).string();
    UPCAMP_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::LoadFile(path));
    UPCAMP_ASSIGN_OR_RETURN(int got, booster.NumFeatures());
    if (got != cols) {
      return Status::Data("{}: the model has {} input columns, the {} state expects {}", path, got,
                          type_, cols);
    }
    boosters.emplace(stage, std::move(booster));
  }
  final_ = std::move(boosters);
  outcome_kind_ = outcome == "binary" ? OutcomeKind::kBinary : OutcomeKind::kContinuous;
  shares_ = shares;
  fitted_ = true;
  return ComputeImportance();
}

Result<std::unique_ptr<UpliftModel>> Make(Learner learner, const ConfigNode& node) {
  UPCAMP_ASSIGN_OR_RETURN(MetaConfig config, MetaConfig::FromConfig(learner, node));
  return MakeMetaLearner(std::move(config));
}

}  // namespace

Result<MetaConfig> MetaConfig::FromConfig(Learner learner, const ConfigNode& node) {
  MetaConfig c;
  c.learner = learner;
  std::vector<std::string> keys = {"type", "base"};
  if (learner == Learner::kS) keys.emplace_back("interactions");
  if (learner == Learner::kR || learner == Learner::kDR) keys.emplace_back("folds");
  UPCAMP_RETURN_IF_ERROR(node.CheckKeys(keys));

  const ConfigNode* base = node.Find("base");
  const ConfigNode* params = nullptr;
  if (base && !base->IsNull()) {
    if (!base->IsMap()) return base->Error("expected {{type: xgboost, params: {{...}}}}");
    UPCAMP_RETURN_IF_ERROR(base->CheckKeys({"type", "params"}));
    UPCAMP_ASSIGN_OR_RETURN(std::string type, base->GetString("type", "xgboost"));
    if (type != "xgboost") {
      return base->Error("unknown base learner type '{}' (known: xgboost)", type);
    }
    params = base->Find("params");
  }
  UPCAMP_ASSIGN_OR_RETURN(c.base, xgb::Params::FromConfig(params));
  if (learner == Learner::kS) {
    UPCAMP_ASSIGN_OR_RETURN(c.interactions, node.GetBool("interactions", false));
  }
  if (learner == Learner::kR || learner == Learner::kDR) {
    UPCAMP_ASSIGN_OR_RETURN(int64_t folds, node.GetInt("folds", 5));
    if (folds < 1 || folds > kMaxFolds) {
      return node.Find("folds")->Error("'folds' must be an integer in [1, {}], got {}", kMaxFolds,
                                       folds);
    }
    c.folds = static_cast<int>(folds);
  }
  return c;
}

nlohmann::json MetaConfig::ToJson() const {
  nlohmann::json j = {{"type", LearnerName(learner)},
                      {"base", {{"type", "xgboost"}, {"params", base.ToJson()}}}};
  if (learner == Learner::kS) j["interactions"] = interactions;
  if (learner == Learner::kR || learner == Learner::kDR) j["folds"] = folds;
  return j;
}

std::unique_ptr<UpliftModel> MakeMetaLearner(MetaConfig config) {
  return std::make_unique<MetaLearner>(std::move(config));
}

Result<std::unique_ptr<UpliftModel>> MakeSLearner(const ConfigNode& n) {
  return Make(Learner::kS, n);
}
Result<std::unique_ptr<UpliftModel>> MakeTLearner(const ConfigNode& n) {
  return Make(Learner::kT, n);
}
Result<std::unique_ptr<UpliftModel>> MakeXLearner(const ConfigNode& n) {
  return Make(Learner::kX, n);
}
Result<std::unique_ptr<UpliftModel>> MakeRLearner(const ConfigNode& n) {
  return Make(Learner::kR, n);
}
Result<std::unique_ptr<UpliftModel>> MakeDRLearner(const ConfigNode& n) {
  return Make(Learner::kDR, n);
}
Result<std::unique_ptr<UpliftModel>> MakeClassTransformation(const ConfigNode& n) {
  return Make(Learner::kClassTransformation, n);
}
Result<std::unique_ptr<UpliftModel>> MakeTransformedOutcome(const ConfigNode& n) {
  return Make(Learner::kTransformedOutcome, n);
}

}  // namespace upcamp::models::meta
