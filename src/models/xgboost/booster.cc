#include "models/xgboost/booster.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/file_util.h"

namespace upcamp::models::xgb {
namespace {

// ---- parameters -------------------------------------------------------------------------------

enum class Kind { kInt, kDouble, kChoice };

struct Spec {
  const char* name;
  const char* alias;  // nullptr: none
  Kind kind;
  double lo, hi;        // inclusive range for numbers
  bool lo_open;         // (lo, hi] instead of [lo, hi]
  const char* choices;  // kChoice: "a|b|c"
  const char* def;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

// The supported XGBoost tree-booster parameters, in the order they are stored and printed.
// Ranges are XGBoost's own where it has one; ours are tighter only where a value makes no sense
// for a base learner (e.g. max_depth above 64).
const std::vector<Spec>& Specs() {
  static const std::vector<Spec> kSpecs = {
      {"eta", "learning_rate", Kind::kDouble, 0, 1, true, nullptr, "0.1"},
      {"max_depth", nullptr, Kind::kInt, 0, 64, false, nullptr, "4"},
      {"min_child_weight", nullptr, Kind::kDouble, 0, kInf, false, nullptr, "1"},
      {"gamma", "min_split_loss", Kind::kDouble, 0, kInf, false, nullptr, "0"},
      {"lambda", "reg_lambda", Kind::kDouble, 0, kInf, false, nullptr, "1"},
      {"alpha", "reg_alpha", Kind::kDouble, 0, kInf, false, nullptr, "0"},
      {"max_delta_step", nullptr, Kind::kDouble, 0, kInf, false, nullptr, "0"},
      {"subsample", nullptr, Kind::kDouble, 0, 1, true, nullptr, "1"},
      {"colsample_bytree", nullptr, Kind::kDouble, 0, 1, true, nullptr, "1"},
      {"colsample_bylevel", nullptr, Kind::kDouble, 0, 1, true, nullptr, "1"},
      {"colsample_bynode", nullptr, Kind::kDouble, 0, 1, true, nullptr, "1"},
      {"tree_method", nullptr, Kind::kChoice, 0, 0, false, "hist|approx|exact", "hist"},
      {"max_bin", nullptr, Kind::kInt, 2, 65536, false, nullptr, "256"},
      {"grow_policy", nullptr, Kind::kChoice, 0, 0, false, "depthwise|lossguide", "depthwise"},
      {"max_leaves", nullptr, Kind::kInt, 0, 1 << 30, false, nullptr, "0"},
      {"num_parallel_tree", nullptr, Kind::kInt, 1, 10000, false, nullptr, "1"},
      {"scale_pos_weight", nullptr, Kind::kDouble, 0, kInf, true, nullptr, "1"},
  };
  return kSpecs;
}

constexpr int kDefaultRounds = 100;
constexpr int kMaxRounds = 1000000;

// Keys users reach for that must not be set here, with the reason.
const char* RefusedReason(std::string_view key) {
  if (key == "nthread" || key == "n_jobs") {
    return "the thread count comes from --threads (each booster trains on one thread so that "
           "results do not depend on it)";
  }
  if (key == "seed" || key == "random_state") {
    return "boosters are seeded from the config's top-level `seed`";
  }
  if (key == "objective") {
    return "the learner chooses the objective (binary:logistic or reg:squarederror) from the "
           "outcome and the stage it trains";
  }
  if (key == "n_estimators" || key == "num_boost_round" || key == "nrounds") {
    return "the number of boosting rounds is `num_rounds`";
  }
  if (key == "eval_metric" || key == "early_stopping_rounds") {
    return "base learners train a fixed `num_rounds` without an evaluation set";
  }
  if (key == "booster") return "only the tree booster (gbtree) is supported";
  return nullptr;
}

std::string FormatDouble(double v) {
  return fmt::format("{}", v);
}

Result<std::string> ParseValue(const Spec& spec, const ConfigNode& node) {
  switch (spec.kind) {
    case Kind::kInt: {
      UPCAMP_ASSIGN_OR_RETURN(int64_t v, node.AsInt());
      if (v < spec.lo || v > spec.hi) {
        return node.Error("'{}' must be an integer in [{}, {}], got {}", spec.name, spec.lo,
                          spec.hi, v);
      }
      return std::to_string(v);
    }
    case Kind::kDouble: {
      UPCAMP_ASSIGN_OR_RETURN(double v, node.AsDouble());
      const bool low_ok = spec.lo_open ? v > spec.lo : v >= spec.lo;
      if (!std::isfinite(v) || !low_ok || v > spec.hi) {
        return node.Error("'{}' must be a number in {}{}, {}], got {}", spec.name,
                          spec.lo_open ? "(" : "[", spec.lo, spec.hi, node.scalar());
      }
      return FormatDouble(v);
    }
    case Kind::kChoice: {
      UPCAMP_ASSIGN_OR_RETURN(std::string v, node.AsString());
      const std::string_view choices = spec.choices;
      size_t start = 0;
      while (start <= choices.size()) {
        size_t end = choices.find('|', start);
        if (end == std::string_view::npos) end = choices.size();
        if (choices.substr(start, end - start) == v) return v;
        start = end + 1;
      }
      return node.Error("'{}' must be one of {}, got '{}'", spec.name, spec.choices, v);
    }
  }
  return node.Error("unreachable");
}

// ---- C API plumbing ---------------------------------------------------------------------------

// XGBoost logs through a per-thread callback registry; route its warnings into our log instead
// of letting it print to stderr on its own.
void EnsureLogRouting() {
  thread_local bool registered = false;
  if (registered) return;
  registered = true;
  XGBRegisterLogCallback([](const char* msg) {
    std::string_view m(msg);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.remove_suffix(1);
    if (m.find("WARNING") != std::string_view::npos) {
      spdlog::warn("xgboost: {}", m);
    } else {
      spdlog::debug("xgboost: {}", m);
    }
  });
}

// XGBoost's message without its stack trace.
std::string LastError() {
  std::string msg = XGBGetLastError();
  if (const size_t cut = msg.find("Stack trace:"); cut != std::string::npos) msg.resize(cut);
  while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
  return msg;
}

Status Check(int rc, std::string_view what) {
  if (rc == 0) return Status::Ok();
  return Status::Runtime("XGBoost: {} failed: {}", what, LastError());
}

class DMatrix {
 public:
  DMatrix() = default;
  ~DMatrix() {
    if (h_) XGDMatrixFree(h_);
  }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  static Result<std::unique_ptr<DMatrix>> Make(const DenseRows& x, int threads) {
    auto m = std::make_unique<DMatrix>();
    UPCAMP_RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat_omp(x.values.data(), static_cast<bst_ulong>(x.rows),
                                         static_cast<bst_ulong>(x.cols),
                                         std::numeric_limits<float>::quiet_NaN(), &m->h_, threads),
              "creating a DMatrix"));
    return m;
  }
  Status SetFloats(const char* field, std::span<const float> v) {
    return Check(XGDMatrixSetFloatInfo(h_, field, v.data(), static_cast<bst_ulong>(v.size())),
                 fmt::format("setting {}", field));
  }
  DMatrixHandle get() const { return h_; }

 private:
  DMatrixHandle h_ = nullptr;
};

Status SetParam(BoosterHandle h, const std::string& name, const std::string& value) {
  return Check(XGBoosterSetParam(h, name.c_str(), value.c_str()),
               fmt::format("setting {}={}", name, value));
}

}  // namespace

// ---- Params -----------------------------------------------------------------------------------

Result<Params> Params::FromConfig(const ConfigNode* node) {
  Params p;
  std::vector<std::string> allowed = {"num_rounds", "base_score"};
  for (const auto& s : Specs()) {
    allowed.emplace_back(s.name);
    if (s.alias) allowed.emplace_back(s.alias);
  }
  if (node && !node->IsNull()) {
    if (!node->IsMap()) return node->Error("expected a mapping of XGBoost parameters");
    for (const auto& [key, value] : node->map_items()) {
      if (const char* why = RefusedReason(key)) {
        return value.Error("'{}' cannot be set in the base learner's params: {}", key, why);
      }
    }
    UPCAMP_RETURN_IF_ERROR(node->CheckKeys(allowed));
  }
  auto find = [&](const char* name) -> const ConfigNode* {
    if (!node || node->IsNull() || !name) return nullptr;
    const ConfigNode* v = node->Find(name);
    return v && !v->IsNull() ? v : nullptr;
  };

  if (const ConfigNode* v = find("num_rounds")) {
    UPCAMP_ASSIGN_OR_RETURN(int64_t rounds, v->AsInt());
    if (rounds < 1 || rounds > kMaxRounds) {
      return v->Error("'num_rounds' must be an integer in [1, {}], got {}", kMaxRounds, rounds);
    }
    p.num_rounds = static_cast<int>(rounds);
  } else {
    p.num_rounds = kDefaultRounds;
  }
  for (const auto& spec : Specs()) {
    const ConfigNode* v = find(spec.name);
    const ConfigNode* a = find(spec.alias);
    if (v && a) {
      return a->Error("'{}' and its alias '{}' are both set; keep one", spec.name, spec.alias);
    }
    if (!v) v = a;
    std::string value = spec.def;
    if (v) {
      UPCAMP_ASSIGN_OR_RETURN(value, ParseValue(spec, *v));
    }
    p.booster.emplace_back(spec.name, std::move(value));
  }
  std::string base_score = "auto";
  if (const ConfigNode* v = find("base_score")) {
    if (v->IsScalar() && v->scalar() == "auto") {
      base_score = "auto";
    } else {
      UPCAMP_ASSIGN_OR_RETURN(double b, v->AsDouble());
      if (!std::isfinite(b)) return v->Error("'base_score' must be 'auto' or a finite number");
      base_score = FormatDouble(b);
    }
  }
  p.booster.emplace_back("base_score", base_score);
  return p;
}

nlohmann::json Params::ToJson() const {
  nlohmann::json j = nlohmann::json::object();
  j["num_rounds"] = num_rounds;
  for (const auto& [name, value] : booster) {
    double d = 0;
    const auto res = std::from_chars(value.data(), value.data() + value.size(), d);
    const bool numeric = res.ec == std::errc() && res.ptr == value.data() + value.size();
    if (!numeric) {
      j[name] = value;
    } else if (value.find_first_of(".eE") == std::string::npos) {
      j[name] = static_cast<int64_t>(d);
    } else {
      j[name] = d;
    }
  }
  return j;
}

std::string Params::Get(std::string_view name) const {
  for (const auto& [k, v] : booster) {
    if (k == name) return v;
  }
  return "";
}

std::string Params::Describe() {
  std::vector<std::string> parts = {fmt::format("num_rounds {}", kDefaultRounds)};
  for (const auto& s : Specs()) {
    parts.push_back(s.alias ? fmt::format("{} (or {}) {}", s.name, s.alias, s.def)
                            : fmt::format("{} {}", s.name, s.def));
  }
  parts.emplace_back("base_score auto");
  return fmt::format("{}", fmt::join(parts, ", "));
}

// ---- Booster ----------------------------------------------------------------------------------

Booster::Booster() : predict_mu_(std::make_unique<std::mutex>()) {}
Booster::Booster(void* handle) : handle_(handle), predict_mu_(std::make_unique<std::mutex>()) {}
Booster::~Booster() {
  if (handle_) XGBoosterFree(handle_);
}
Booster::Booster(Booster&& o) noexcept
    : handle_(std::exchange(o.handle_, nullptr)), predict_mu_(std::move(o.predict_mu_)) {}
Booster& Booster::operator=(Booster&& o) noexcept {
  if (this != &o) {
    if (handle_) XGBoosterFree(handle_);
    handle_ = std::exchange(o.handle_, nullptr);
    predict_mu_ = std::move(o.predict_mu_);
  }
  return *this;
}

Result<Booster> Booster::Train(const Params& params, Objective objective, const DenseRows& x,
                               std::span<const float> label, std::span<const float> weight,
                               uint64_t seed) {
  EnsureLogRouting();
  if (x.rows == 0) return Status::Data("XGBoost: no rows to train on");
  if (static_cast<int64_t>(label.size()) != x.rows ||
      (!weight.empty() && static_cast<int64_t>(weight.size()) != x.rows)) {
    return Status::Runtime("XGBoost: {} rows but {} labels and {} weights", x.rows, label.size(),
                           weight.size());
  }
  double sum_w = 0, sum_wy = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    if (!std::isfinite(label[i])) return Status::Data("XGBoost: label of row {} is not finite", i);
    if (!(w >= 0) || !std::isfinite(w)) {
      return Status::Data("XGBoost: weight of row {} is {} (must be finite and >= 0)", i, w);
    }
    if (objective == Objective::kBinary && label[i] != 0 && label[i] != 1) {
      return Status::Data("XGBoost: binary label of row {} is {} (must be 0 or 1)", i, label[i]);
    }
    sum_w += w;
    sum_wy += w * label[i];
  }
  if (!(sum_w > 0)) return Status::Data("XGBoost: all training weights are 0");

  std::string base_score = params.Get("base_score");
  if (base_score == "auto" || base_score.empty()) {
    double mean = sum_wy / sum_w;
    // Logistic loss needs a base probability strictly inside (0, 1).
    if (objective == Objective::kBinary) mean = std::clamp(mean, 1e-6, 1 - 1e-6);
    base_score = FormatDouble(mean);
  } else if (objective == Objective::kBinary) {
    const double b = std::stod(base_score);
    if (!(b > 0 && b < 1)) {
      return Status::Config(
          "XGBoost: base_score {} must be in (0, 1) for a binary:logistic "
          "stage (or 'auto')",
          base_score);
    }
  }

  UPCAMP_ASSIGN_OR_RETURN(auto dmat, DMatrix::Make(x, 1));
  UPCAMP_RETURN_IF_ERROR(dmat->SetFloats("label", label));
  if (!weight.empty()) UPCAMP_RETURN_IF_ERROR(dmat->SetFloats("weight", weight));

  DMatrixHandle dh = dmat->get();
  BoosterHandle h = nullptr;
  UPCAMP_RETURN_IF_ERROR(Check(XGBoosterCreate(&dh, 1, &h), "creating a booster"));
  Booster booster(h);
  UPCAMP_RETURN_IF_ERROR(SetParam(h, "nthread", "1"));
  UPCAMP_RETURN_IF_ERROR(SetParam(
      h, "objective", objective == Objective::kBinary ? "binary:logistic" : "reg:squarederror"));
  // XGBoost's seed is a signed 64-bit integer; 31 bits keep it portable to every binding.
  UPCAMP_RETURN_IF_ERROR(SetParam(h, "seed", std::to_string(seed & 0x7fffffffULL)));
  for (const auto& [name, value] : params.booster) {
    if (name == "base_score") continue;
    UPCAMP_RETURN_IF_ERROR(SetParam(h, name, value));
  }
  UPCAMP_RETURN_IF_ERROR(SetParam(h, "base_score", base_score));
  for (int round = 0; round < params.num_rounds; ++round) {
    UPCAMP_RETURN_IF_ERROR(
        Check(XGBoosterUpdateOneIter(h, round, dmat->get()), "training a boosting round"));
  }
  return booster;
}

Result<std::vector<double>> Booster::Predict(const DenseRows& x, int threads) const {
  EnsureLogRouting();
  if (!handle_) return Status::Runtime("XGBoost: predicting with an empty booster");
  if (x.rows == 0) return std::vector<double>{};
  threads = std::max(threads, 1);
  UPCAMP_ASSIGN_OR_RETURN(auto dmat, DMatrix::Make(x, threads));
  std::lock_guard lock(*predict_mu_);
  UPCAMP_RETURN_IF_ERROR(SetParam(handle_, "nthread", std::to_string(threads)));
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  UPCAMP_RETURN_IF_ERROR(Check(
      XGBoosterPredictFromDMatrix(handle_, dmat->get(), config, &shape, &dim, &out), "predicting"));
  bst_ulong n = 1;
  for (bst_ulong d = 0; d < dim; ++d) n *= shape[d];
  if (static_cast<int64_t>(n) != x.rows) {
    return Status::Runtime("XGBoost: {} predictions for {} rows", n, x.rows);
  }
  return std::vector<double>(out, out + n);
}

Result<std::vector<double>> Booster::TotalGain(int n_features) const {
  EnsureLogRouting();
  std::vector<double> gain(static_cast<size_t>(n_features), 0.0);
  bst_ulong n = 0, dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  UPCAMP_RETURN_IF_ERROR(
      Check(XGBoosterFeatureScore(handle_, R"({"importance_type": "total_gain"})", &n, &names, &dim,
                                  &shape, &scores),
            "computing feature importance"));
  // Without feature names XGBoost names column j "f<j>" and lists only the columns it split on.
  for (bst_ulong i = 0; i < n; ++i) {
    const std::string_view name = names[i];
    int j = -1;
    if (name.size() > 1 && name[0] == 'f') {
      std::from_chars(name.data() + 1, name.data() + name.size(), j);
    }
    if (j < 0 || j >= n_features) {
      return Status::Runtime("XGBoost: unexpected feature name '{}' in the importance", name);
    }
    gain[static_cast<size_t>(j)] += scores[i];
  }
  return gain;
}

Result<int> Booster::NumFeatures() const {
  bst_ulong n = 0;
  UPCAMP_RETURN_IF_ERROR(Check(XGBoosterGetNumFeature(handle_, &n), "reading the feature count"));
  return static_cast<int>(n);
}

Result<std::string> Booster::ToJsonText() const {
  EnsureLogRouting();
  bst_ulong len = 0;
  const char* buf = nullptr;
  UPCAMP_RETURN_IF_ERROR(
      Check(XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &len, &buf),
            "saving the model"));
  return std::string(buf, len);
}

Result<Booster> Booster::FromJsonText(std::string_view json, std::string_view what) {
  EnsureLogRouting();
  // XGBoost guesses the format from the first bytes and would try to read anything that is not
  // JSON as its legacy binary format; only hand it well-formed JSON models.
  const auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("learner")) {
    return Status::Data("{}: not an XGBoost JSON model", what);
  }
  BoosterHandle h = nullptr;
  UPCAMP_RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &h), "creating a booster"));
  Booster booster(h);
  if (XGBoosterLoadModelFromBuffer(h, json.data(), static_cast<bst_ulong>(json.size())) != 0) {
    return Status::Data("{}: XGBoost cannot load the model: {}", what, LastError());
  }
  return booster;
}

Status Booster::SaveFile(const std::string& path) const {
  UPCAMP_ASSIGN_OR_RETURN(std::string json, ToJsonText());
  return WriteFileAtomic(path, json);
}

Result<Booster> Booster::LoadFile(const std::string& path) {
  UPCAMP_ASSIGN_OR_RETURN(std::string json, ReadFileToString(path));
  return FromJsonText(json, path);
}

std::string Version() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return fmt::format("{}.{}.{}", major, minor, patch);
}

}  // namespace upcamp::models::xgb
