#include "models/forest/forest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/file_util.h"
#include "core/hash.h"
#include "core/parallel.h"

namespace upcamp::models::forest {
namespace {

const std::string kTypeName = "uplift_forest";
constexpr const char* kFormatName = "upcamp.uplift_forest";

// ---- params ---------------------------------------------------------------------------------

Status CheckRange(const ConfigNode& params, std::string_view key, double value, double lo,
                  double hi) {
  if (value >= lo && value <= hi) return Status::Ok();
  const ConfigNode* node = params.Find(key);
  return node->Error("'{}' must be in [{}, {}], got {}", key, lo, hi, value);
}

// ---- content hashing for row-order invariance ------------------------------------------------

inline uint64_t CanonicalBits(double x) {
  if (std::isnan(x)) return 0x7FF8000000000000ULL;
  if (x == 0.0) return 0;
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

inline uint64_t MixIn(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

}  // namespace

std::vector<uint32_t> CanonicalRanks(const FeatureMatrix& x, std::span<const uint8_t> treatment,
                                     std::span<const double> outcome, int threads) {
  const auto rows = static_cast<size_t>(x.rows());
  std::vector<uint64_t> hash(rows, 0x243F6A8885A308D3ULL);
  constexpr size_t kBlock = 8192;
  ParallelFor(threads, (rows + kBlock - 1) / kBlock, [&](size_t block, int) {
    const size_t lo = block * kBlock, hi = std::min(rows, lo + kBlock);
    for (int j = 0; j < x.cols(); ++j) {
      const double* col = x.column(j).data();
      for (size_t r = lo; r < hi; ++r) hash[r] = MixIn(hash[r], CanonicalBits(col[r]));
    }
    for (size_t r = lo; r < hi; ++r) {
      hash[r] = MixSeed(MixIn(MixIn(hash[r], treatment[r]), CanonicalBits(outcome[r])), 0);
    }
  });
  std::vector<std::pair<uint64_t, uint32_t>> order(rows);
  for (size_t r = 0; r < rows; ++r) order[r] = {hash[r], static_cast<uint32_t>(r)};
  std::sort(order.begin(), order.end());
  std::vector<uint32_t> rank(rows);
  for (size_t k = 0; k < rows; ++k) rank[order[k].second] = static_cast<uint32_t>(k);
  return rank;
}

uint64_t TreeSeed(uint64_t seed, size_t tree) {
  return MixSeed(KeyedHash(seed, "uplift_forest", "trees"), tree);
}

namespace {

// ---- JSON helpers -----------------------------------------------------------------------------

// Doubles that JSON cannot hold (thresholds can be +-inf) are written as strings.
nlohmann::json DoubleToJson(double v) {
  if (std::isfinite(v)) return v;
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

bool DoubleFromJson(const nlohmann::json& j, double* out) {
  if (j.is_number()) {
    *out = j.get<double>();
    return true;
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "inf")
      *out = std::numeric_limits<double>::infinity();
    else if (s == "-inf")
      *out = -std::numeric_limits<double>::infinity();
    else if (s == "nan")
      *out = std::numeric_limits<double>::quiet_NaN();
    else
      return false;
    return true;
  }
  return false;
}

}  // namespace

const char* const kUpliftForestParameters =
    "params: {n_trees: 100, max_depth: 6, min_samples_leaf: 100, min_samples_treatment: 10, "
    "max_features: 10, criterion: KL (KL|ED|Chi|DDP), honest: false, n_bins: 255, "
    "bootstrap: true, n_reg: 10, normalization: true}";

// ---- ForestParams ----------------------------------------------------------------------------

Result<ForestParams> ForestParams::FromConfig(const ConfigNode* params) {
  ForestParams p;
  if (params == nullptr || params->IsNull()) return p;
  if (!params->IsMap()) return params->Error("expected a map of uplift_forest params");
  UPCAMP_RETURN_IF_ERROR(params->CheckKeys(
      {"n_trees", "max_depth", "min_samples_leaf", "min_samples_treatment", "max_features",
       "criterion", "honest", "n_bins", "bootstrap", "n_reg", "normalization"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t n_trees, params->GetInt("n_trees", p.n_trees));
  UPCAMP_RETURN_IF_ERROR(CheckRange(*params, "n_trees", static_cast<double>(n_trees), 1, 100000));
  UPCAMP_ASSIGN_OR_RETURN(int64_t max_depth, params->GetInt("max_depth", p.tree.max_depth));
  UPCAMP_RETURN_IF_ERROR(CheckRange(*params, "max_depth", static_cast<double>(max_depth), 0, 64));
  UPCAMP_ASSIGN_OR_RETURN(int64_t msl, params->GetInt("min_samples_leaf", 100));
  UPCAMP_RETURN_IF_ERROR(
      CheckRange(*params, "min_samples_leaf", static_cast<double>(msl), 1, 1e12));
  UPCAMP_ASSIGN_OR_RETURN(int64_t mst, params->GetInt("min_samples_treatment", 10));
  UPCAMP_RETURN_IF_ERROR(
      CheckRange(*params, "min_samples_treatment", static_cast<double>(mst), 0, 1e12));
  UPCAMP_ASSIGN_OR_RETURN(int64_t max_features,
                          params->GetInt("max_features", p.tree.max_features));
  UPCAMP_RETURN_IF_ERROR(
      CheckRange(*params, "max_features", static_cast<double>(max_features), 1, 1e9));
  UPCAMP_ASSIGN_OR_RETURN(std::string criterion, params->GetString("criterion", "KL"));
  if (!ParseCriterion(criterion, &p.tree.criterion)) {
    return params->Find("criterion")
        ->Error("unknown criterion '{}' (known: KL, ED, Chi, DDP)", criterion);
  }
  UPCAMP_ASSIGN_OR_RETURN(p.tree.honest, params->GetBool("honest", p.tree.honest));
  UPCAMP_ASSIGN_OR_RETURN(int64_t n_bins, params->GetInt("n_bins", p.n_bins));
  UPCAMP_RETURN_IF_ERROR(CheckRange(*params, "n_bins", static_cast<double>(n_bins), 2, kMaxBins));
  UPCAMP_ASSIGN_OR_RETURN(p.tree.bootstrap, params->GetBool("bootstrap", p.tree.bootstrap));
  UPCAMP_ASSIGN_OR_RETURN(p.tree.n_reg, params->GetDouble("n_reg", p.tree.n_reg));
  UPCAMP_RETURN_IF_ERROR(CheckRange(*params, "n_reg", p.tree.n_reg, 0, 1e12));
  UPCAMP_ASSIGN_OR_RETURN(p.tree.normalization,
                          params->GetBool("normalization", p.tree.normalization));
  p.n_trees = static_cast<int>(n_trees);
  p.tree.max_depth = static_cast<int>(max_depth);
  p.tree.min_samples_leaf = static_cast<double>(msl);
  p.tree.min_samples_treatment = static_cast<double>(mst);
  p.tree.max_features = static_cast<int>(max_features);
  p.n_bins = static_cast<int>(n_bins);
  return p;
}

nlohmann::json ForestParams::ToJson() const {
  return {{"n_trees", n_trees},
          {"max_depth", tree.max_depth},
          {"min_samples_leaf", static_cast<int64_t>(tree.min_samples_leaf)},
          {"min_samples_treatment", static_cast<int64_t>(tree.min_samples_treatment)},
          {"max_features", tree.max_features},
          {"criterion", CriterionName(tree.criterion)},
          {"honest", tree.honest},
          {"n_bins", n_bins},
          {"bootstrap", tree.bootstrap},
          {"n_reg", tree.n_reg},
          {"normalization", tree.normalization}};
}

// ---- UpliftForest ----------------------------------------------------------------------------

const std::string& UpliftForest::type() const {
  return kTypeName;
}

nlohmann::json UpliftForest::config() const {
  return {{"type", kTypeName}, {"params", params_.ToJson()}};
}

Status UpliftForest::Fit(const TrainingData& data, const Context& ctx) {
  if (data.x == nullptr) return Status::Runtime("uplift_forest: no feature matrix to fit on");
  const FeatureMatrix& x = *data.x;
  const auto rows = static_cast<size_t>(x.rows());
  if (data.treatment.size() != rows || data.outcome.size() != rows) {
    return Status::Runtime("uplift_forest: {} feature rows but {} treatments and {} outcomes", rows,
                           data.treatment.size(), data.outcome.size());
  }
  if (rows == 0) return Status::Data("uplift_forest: no training rows");
  if (rows > UINT32_MAX) return Status::Data("uplift_forest: more than 2^32 training rows");
  if (x.cols() == 0) return Status::Data("uplift_forest: no feature columns");
  const bool binary = data.outcome_kind == OutcomeKind::kBinary;
  if (!binary && !SupportsContinuous(params_.tree.criterion)) {
    return Status::Config(
        "uplift_forest: criterion {} needs a binary (0/1) outcome; for a continuous outcome use "
        "criterion ED or DDP (they compare the groups' means)",
        CriterionName(params_.tree.criterion));
  }
  size_t n_treated = 0;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t t = data.treatment[r];
    if (t > 1) return Status::Data("uplift_forest: treatment must be 0 or 1, row {} has {}", r, t);
    n_treated += t;
    const double y = data.outcome[r];
    if (binary ? !(y == 0 || y == 1) : !std::isfinite(y)) {
      return Status::Data("uplift_forest: row {} has outcome {}, expected {}", r, y,
                          binary ? "0 or 1 (binary outcome)" : "a finite number");
    }
  }
  if (n_treated == 0 || n_treated == rows) {
    return Status::Data(
        "uplift_forest: the training rows need both treated and control rows "
        "({} of {} are treated)",
        n_treated, rows);
  }
  const int threads = std::max(1, ctx.threads);

  BinnedData bd;
  bd.rows = x.rows();
  bd.cols = x.cols();
  bd.treatment = data.treatment;
  bd.outcome = data.outcome;
  bd.binary = binary;
  bd.canonical = CanonicalRanks(x, data.treatment, data.outcome, threads);
  if (!binary) {
    bd.by_rank.resize(rows);
    for (size_t r = 0; r < rows; ++r) bd.by_rank[bd.canonical[r]] = static_cast<uint32_t>(r);
  }
  bd.codes.resize(rows * static_cast<size_t>(x.cols()));
  bd.bins.resize(static_cast<size_t>(x.cols()));
  {
    std::vector<BinningScratch> scratch(static_cast<size_t>(threads));
    ParallelFor(threads, static_cast<size_t>(x.cols()), [&](size_t j, int worker) {
      const int col = static_cast<int>(j);
      std::span<uint8_t> codes(bd.codes.data() + j * rows, rows);
      bd.bins[j] =
          BinColumn(x.column(col), params_.n_bins, codes, scratch[static_cast<size_t>(worker)]);
    });
  }

  std::vector<UpliftTree> trees(static_cast<size_t>(params_.n_trees));
  {
    std::vector<TreeScratch> scratch(static_cast<size_t>(threads));
    ParallelFor(threads, trees.size(), [&](size_t t, int worker) {
      trees[t] =
          GrowTree(bd, params_.tree, TreeSeed(ctx.seed, t), scratch[static_cast<size_t>(worker)]);
    });
  }
  trees_ = std::move(trees);
  bins_ = std::move(bd.bins);
  n_features_ = x.cols();
  feature_names_ = x.names();
  outcome_kind_ = data.outcome_kind;
  fitted_ = true;
  return Status::Ok();
}

Result<ForestPrediction> UpliftForest::PredictDetailed(const FeatureMatrix& x,
                                                       const Context& ctx) const {
  if (!fitted_) return Status::Runtime("uplift_forest: Predict before Fit or Load");
  if (x.cols() != n_features_) {
    return Status::Data("uplift_forest: the model was trained on {} features, got {}", n_features_,
                        x.cols());
  }
  const auto rows = static_cast<size_t>(x.rows());
  ForestPrediction out;
  out.uplift.assign(rows, 0);
  out.mean_treated.assign(rows, 0);
  out.mean_control.assign(rows, 0);
  out.n_treated.assign(rows, 0);
  out.n_control.assign(rows, 0);
  const double inv = 1.0 / static_cast<double>(trees_.size());
  constexpr size_t kBlock = 2048;
  ParallelFor(std::max(1, ctx.threads), (rows + kBlock - 1) / kBlock, [&](size_t block, int) {
    const size_t lo = block * kBlock, hi = std::min(rows, lo + kBlock);
    for (const UpliftTree& tree : trees_) {  // tree order fixed: sums do not depend on threads
      for (size_t r = lo; r < hi; ++r) {
        const TreeNode& leaf =
            tree.nodes[static_cast<size_t>(tree.FindLeaf(x, static_cast<int64_t>(r)))];
        out.mean_treated[r] += leaf.mean_treated;
        out.mean_control[r] += leaf.mean_control;
        out.n_treated[r] += leaf.n_treated;
        out.n_control[r] += leaf.n_control;
      }
    }
    for (size_t r = lo; r < hi; ++r) {
      out.mean_treated[r] *= inv;
      out.mean_control[r] *= inv;
      out.n_treated[r] *= inv;
      out.n_control[r] *= inv;
      out.uplift[r] = out.mean_treated[r] - out.mean_control[r];
    }
  });
  return out;
}

Result<std::vector<double>> UpliftForest::Predict(const FeatureMatrix& x,
                                                  const Context& ctx) const {
  UPCAMP_ASSIGN_OR_RETURN(ForestPrediction p, PredictDetailed(x, ctx));
  return std::move(p.uplift);
}

std::vector<double> UpliftForest::FeatureImportance() const {
  std::vector<double> importance(static_cast<size_t>(n_features_), 0.0);
  for (const UpliftTree& tree : trees_) {
    for (const TreeNode& node : tree.nodes) {
      if (!node.is_leaf()) importance[static_cast<size_t>(node.feature)] += node.gain * node.weight;
    }
  }
  const double total = std::accumulate(importance.begin(), importance.end(), 0.0);
  if (total > 0) {
    for (double& v : importance) v /= total;
  }
  return importance;
}

// ---- serialization ---------------------------------------------------------------------------

nlohmann::json UpliftForest::ToJson() const {
  nlohmann::json trees = nlohmann::json::array();
  for (const UpliftTree& tree : trees_) {
    nlohmann::json feature = nlohmann::json::array(), threshold = nlohmann::json::array(),
                   missing_left = nlohmann::json::array(), left = nlohmann::json::array(),
                   right = nlohmann::json::array(), gain = nlohmann::json::array(),
                   weight = nlohmann::json::array(), n_treated = nlohmann::json::array(),
                   n_control = nlohmann::json::array(), mean_treated = nlohmann::json::array(),
                   mean_control = nlohmann::json::array();
    for (const TreeNode& n : tree.nodes) {
      feature.push_back(n.feature);
      threshold.push_back(DoubleToJson(n.threshold));
      missing_left.push_back(n.missing_left ? 1 : 0);
      left.push_back(n.left);
      right.push_back(n.right);
      gain.push_back(n.gain);
      weight.push_back(n.weight);
      n_treated.push_back(n.n_treated);
      n_control.push_back(n.n_control);
      mean_treated.push_back(n.mean_treated);
      mean_control.push_back(n.mean_control);
    }
    trees.push_back({{"feature", std::move(feature)},
                     {"threshold", std::move(threshold)},
                     {"missing_left", std::move(missing_left)},
                     {"left", std::move(left)},
                     {"right", std::move(right)},
                     {"gain", std::move(gain)},
                     {"weight", std::move(weight)},
                     {"n_treated", std::move(n_treated)},
                     {"n_control", std::move(n_control)},
                     {"mean_treated", std::move(mean_treated)},
                     {"mean_control", std::move(mean_control)}});
  }
  return {{"format", kFormatName},
          {"format_version", kFormatVersion},
          {"params", params_.ToJson()},
          {"outcome", outcome_kind_ == OutcomeKind::kBinary ? "binary" : "continuous"},
          {"feature_names", feature_names_},
          {"trees", std::move(trees)}};
}

Status UpliftForest::FromJson(const nlohmann::json& doc, const std::string& what) {
  auto bad = [&](std::string_view msg) {
    return Status::Data("{}: not a valid uplift forest file: {}", what, msg);
  };
  if (!doc.is_object()) return bad("expected a JSON object");
  if (!doc.contains("format") || doc["format"] != kFormatName) {
    return bad(fmt::format("'format' is not \"{}\"", kFormatName));
  }
  if (!doc.contains("format_version") || !doc["format_version"].is_number_integer()) {
    return bad("no integer 'format_version'");
  }
  if (doc["format_version"].get<int64_t>() != kFormatVersion) {
    return Status::Data(
        "{}: uplift forest format version {} is not readable by this build "
        "(it reads version {}); score with the upcamp version that trained it",
        what, doc["format_version"].get<int64_t>(), kFormatVersion);
  }
  if (!doc.contains("params") || doc["params"] != params_.ToJson()) {
    return bad("its params differ from the model config it is loaded with");
  }
  if (!doc.contains("outcome") || !doc["outcome"].is_string() ||
      (doc["outcome"] != "binary" && doc["outcome"] != "continuous")) {
    return bad("'outcome' must be \"binary\" or \"continuous\"");
  }
  if (!doc.contains("feature_names") || !doc["feature_names"].is_array()) {
    return bad("no 'feature_names' array");
  }
  std::vector<std::string> names;
  for (const auto& n : doc["feature_names"]) {
    if (!n.is_string()) return bad("'feature_names' holds a non-string");
    names.push_back(n.get<std::string>());
  }
  if (names.empty()) return bad("'feature_names' is empty");
  if (!doc.contains("trees") || !doc["trees"].is_array()) return bad("no 'trees' array");
  if (doc["trees"].size() != static_cast<size_t>(params_.n_trees)) {
    return bad(fmt::format("{} trees, but n_trees is {}", doc["trees"].size(), params_.n_trees));
  }
  const auto n_features = static_cast<int64_t>(names.size());
  std::vector<UpliftTree> trees;
  for (size_t t = 0; t < doc["trees"].size(); ++t) {
    const auto& jt = doc["trees"][t];
    auto tree_bad = [&](std::string_view msg) { return bad(fmt::format("tree {}: {}", t, msg)); };
    if (!jt.is_object()) return tree_bad("not an object");
    static constexpr const char* kKeys[] = {
        "feature", "threshold", "missing_left", "left",         "right",       "gain",
        "weight",  "n_treated", "n_control",    "mean_treated", "mean_control"};
    size_t size = 0;
    for (const char* key : kKeys) {
      if (!jt.contains(key) || !jt[key].is_array()) {
        return tree_bad(fmt::format("no '{}' array", key));
      }
      if (key == kKeys[0]) size = jt[key].size();
      if (jt[key].size() != size) return tree_bad(fmt::format("'{}' has a different length", key));
    }
    if (size == 0) return tree_bad("no nodes");
    UpliftTree tree;
    tree.nodes.resize(size);
    std::vector<uint8_t> referenced(size, 0);
    for (size_t i = 0; i < size; ++i) {
      TreeNode& n = tree.nodes[i];
      auto node_bad = [&](std::string_view msg) {
        return tree_bad(fmt::format("node {}: {}", i, msg));
      };
      const auto& f = jt["feature"][i];
      const auto& l = jt["left"][i];
      const auto& r = jt["right"][i];
      const auto& ml = jt["missing_left"][i];
      if (!f.is_number_integer() || !l.is_number_integer() || !r.is_number_integer() ||
          !ml.is_number_integer()) {
        return node_bad("feature, left, right and missing_left must be integers");
      }
      const auto feature = f.get<int64_t>();
      if (feature < -1 || feature >= n_features) return node_bad("feature out of range");
      n.feature = static_cast<int32_t>(feature);
      n.missing_left = ml.get<int64_t>() != 0;
      const auto li = l.get<int64_t>(), ri = r.get<int64_t>();
      const auto self = static_cast<int64_t>(i), count = static_cast<int64_t>(size);
      if (n.feature >= 0) {
        // Children come after their parent and are referenced once: the nodes form a tree.
        if (li <= self || li >= count || ri <= self || ri >= count || li == ri) {
          return node_bad("child index out of range");
        }
        if (referenced[static_cast<size_t>(li)]++ || referenced[static_cast<size_t>(ri)]++) {
          return node_bad("a child is referenced twice");
        }
      } else if (li != -1 || ri != -1) {
        return node_bad("a leaf has children");
      }
      n.left = static_cast<int32_t>(li);
      n.right = static_cast<int32_t>(ri);
      double* doubles[] = {&n.threshold, &n.gain,         &n.weight,      &n.n_treated,
                           &n.n_control, &n.mean_treated, &n.mean_control};
      const char* keys[] = {"threshold", "gain",         "weight",      "n_treated",
                            "n_control", "mean_treated", "mean_control"};
      for (size_t k = 0; k < std::size(keys); ++k) {
        if (!DoubleFromJson(jt[keys[k]][i], doubles[k])) {
          return node_bad(fmt::format("'{}' is not a number", keys[k]));
        }
        if (k > 0 && !std::isfinite(*doubles[k])) {
          return node_bad(fmt::format("'{}' is not finite", keys[k]));
        }
      }
      if (std::isnan(n.threshold)) return node_bad("threshold is NaN");
    }
    trees.push_back(std::move(tree));
  }
  trees_ = std::move(trees);
  feature_names_ = std::move(names);
  n_features_ = static_cast<int>(n_features);
  outcome_kind_ = doc["outcome"] == "binary" ? OutcomeKind::kBinary : OutcomeKind::kContinuous;
  bins_.clear();
  fitted_ = true;
  return Status::Ok();
}

Result<SavedModel> UpliftForest::Save(const std::filesystem::path& dir) const {
  if (!fitted_) return Status::Runtime("uplift_forest: Save before Fit");
  const std::filesystem::path path = dir / kFileName;
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(path.string(), ToJson().dump()));
  SavedModel saved;
  saved.files = {kFileName};
  saved.state = {{"file", kFileName},
                 {"format_version", kFormatVersion},
                 {"n_trees", trees_.size()},
                 {"n_features", n_features_}};
  return saved;
}

Status UpliftForest::Load(const std::filesystem::path& dir, const nlohmann::json& state) {
  std::string file = kFileName;
  if (state.is_object() && state.contains("file")) {
    if (!state["file"].is_string())
      return Status::Data("uplift_forest state: 'file' is not a string");
    file = state["file"].get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
      return Status::Data("uplift_forest state: bad file name '{}'", file);
    }
  }
  const std::string path = (dir / file).string();
  UPCAMP_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Data("{}: not valid JSON (corrupt forest file)", path);
  UPCAMP_RETURN_IF_ERROR(FromJson(doc, path));
  if (state.is_object() && state.contains("n_features") &&
      state["n_features"] != nlohmann::json(n_features_)) {
    return Status::Data("{}: {} features, but the manifest says {}", path, n_features_,
                        state["n_features"].dump());
  }
  return Status::Ok();
}

Result<std::unique_ptr<UpliftModel>> MakeUpliftForest(const ConfigNode& model_node) {
  UPCAMP_RETURN_IF_ERROR(model_node.CheckKeys({"type", "params"}));
  UPCAMP_ASSIGN_OR_RETURN(ForestParams params, ForestParams::FromConfig(model_node.Find("params")));
  return std::unique_ptr<UpliftModel>(std::make_unique<UpliftForest>(std::move(params)));
}

}  // namespace upcamp::models::forest
