// binning(col_value, col_result, bins, labels): right-closed bins like pandas.cut(right=True).
//
// bins: a list of strictly increasing edges e0 < e1 < ... < en gives the bins (e0, e1], (e1, e2],
//   ..., (e(n-1), en]; values outside (e0, en] and missing values give a missing result. ±inf
//   edges are allowed (YAML .inf / -.inf, or "inf" / "-inf").
// bins: an integer k fits k equal-width edges on the training column exactly as pandas.cut does
//   for an integer (pandas/core/reshape/tile.py, _bins_to_cuts' caller):
//     mn, mx = min and max of the non-missing training values, + 0.0 (so -0.0 becomes 0.0);
//              an infinite value is an error
//     if mn == mx: mn -= 0.001*|mn| (0.001 if mn == 0); mx += 0.001*|mx| (0.001 if mx == 0);
//                  edges = linspace(mn, mx, k + 1)
//     else:        edges = linspace(mn, mx, k + 1); edges[0] -= 0.001 * (mx - mn)
//   where linspace(a, b, m)[i] = a + i * ((b - a) / (m - 1)) and its last element is exactly b
//   (numpy's formula). So the training minimum falls in the first bin and the maximum in the last.
// labels: omitted → the interval text pandas prints, "(0.994, 3.0]" (edges rounded by pandas'
//   _round_frac/_infer_precision with precision 3; integer edges written as integers print as
//   integers, "(0, 10]"); false → the bin number 0..n-1 as float64 (pandas labels=False); a list of
//   n distinct numbers → float64; otherwise a list of n distinct texts → a string column.
//
// State: {"edges": [...], "labels": [...]} — the edges actually used and one label per bin (texts
// or numbers), so scoring never recomputes them.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "features/transforms/common.h"
#include "features/transforms/transforms.h"

namespace upcamp::transforms {
namespace {

const std::string kName = "binning";
constexpr int kVersion = 1;  // of the state format; bump when it changes

enum class LabelMode { kIntervals, kIndex, kTexts, kNumbers };

struct Args {
  std::string col_value, col_result;
  int64_t count = 0;                     ///< > 0: equal-width bins fitted on training data
  std::vector<double> edges;             ///< count == 0: the fixed edges
  bool int_edges = false;                ///< every fixed edge was written as an integer
  std::vector<int64_t> int_edge_values;  ///< those integers, exactly (when int_edges)
  nlohmann::json bins_json;  ///< `bins` as written back (count, or edges with ±inf as text)
  LabelMode mode = LabelMode::kIntervals;
  std::vector<std::string> texts;  ///< kTexts
  std::vector<double> numbers;     ///< kNumbers

  size_t num_bins() const { return count > 0 ? static_cast<size_t>(count) : edges.size() - 1; }

  nlohmann::json ToJson() const {
    nlohmann::json labels;  // null: interval text
    if (mode == LabelMode::kIndex) labels = false;
    if (mode == LabelMode::kTexts) labels = texts;
    if (mode == LabelMode::kNumbers) {
      labels = nlohmann::json::array();
      for (double v : numbers) labels.push_back(v);
    }
    return {{"col_value", col_value},
            {"col_result", col_result},
            {"bins", bins_json},
            {"labels", std::move(labels)}};
  }
  std::string What() const { return fmt::format("transform binning ('{}')", col_result); }
};

// pandas' _round_frac: round to `precision` significant digits of the fractional part.
double RoundFrac(double x, int precision) {
  if (!std::isfinite(x) || x == 0) return x;
  double whole = 0;
  const double frac = std::modf(x, &whole);
  const int digits = whole == 0
                         ? -static_cast<int>(std::floor(std::log10(std::abs(frac)))) - 1 + precision
                         : precision;
  return NumpyAround(x, digits);
}

// pandas' _infer_precision: the smallest precision >= base at which the rounded edges stay
// distinct.
int InferPrecision(int base, const std::vector<double>& edges) {
  for (int precision = base; precision < 20; ++precision) {
    std::vector<double> levels;
    levels.reserve(edges.size());
    for (double e : edges) levels.push_back(RoundFrac(e, precision));
    std::sort(levels.begin(), levels.end());
    if (std::adjacent_find(levels.begin(), levels.end()) == levels.end()) return precision;
  }
  return base;
}

// "(a, b]" per bin. Integer edges print as integers (pandas keeps an int64 array of edges).
std::vector<std::string> IntervalLabels(const std::vector<double>& edges,
                                        const std::vector<int64_t>* int_edges) {
  std::vector<std::string> text;
  text.reserve(edges.size());
  if (int_edges) {
    for (int64_t e : *int_edges) text.push_back(std::to_string(e));
  } else {
    const int precision = InferPrecision(3, edges);
    for (double e : edges) text.push_back(PythonFloatRepr(RoundFrac(e, precision)));
  }
  std::vector<std::string> labels;
  for (size_t i = 0; i + 1 < edges.size(); ++i) {
    labels.push_back(fmt::format("({}, {}]", text[i], text[i + 1]));
  }
  return labels;
}

// The equal-width edges pandas.cut fits for an integer number of bins (see the top of the file).
std::vector<double> EqualWidthEdges(double mn, double mx, int64_t k) {
  // pandas takes `mi + 0.0` of both, which turns a -0.0 maximum into 0.0 (its label "0.0").
  mn += 0.0;
  mx += 0.0;
  bool adjust_first = true;
  if (mn == mx) {
    mn -= mn != 0 ? 0.001 * std::abs(mn) : 0.001;
    mx += mx != 0 ? 0.001 * std::abs(mx) : 0.001;
    adjust_first = false;
  }
  // numpy.linspace(mn, mx, k + 1, endpoint=True).
  std::vector<double> edges(static_cast<size_t>(k) + 1);
  const double delta = mx - mn;
  const auto div = static_cast<double>(k);
  const double step = delta / div;
  for (size_t i = 0; i < edges.size(); ++i) {
    const auto fi = static_cast<double>(i);
    edges[i] = (step == 0 ? fi / div * delta : fi * step) + mn;
  }
  edges.back() = mx;
  if (adjust_first) edges.front() -= (mx - mn) * 0.001;
  return edges;
}

struct State {
  std::vector<double> edges;
  std::vector<std::string> texts;  // string output
  std::vector<double> numbers;     // float64 output (when texts is empty)
};

class Fitted : public FittedTransform {
 public:
  Fitted(Args a, State s) : a_(std::move(a)), s_(std::move(s)) {}
  const std::string& name() const override { return kName; }
  nlohmann::json args() const override { return a_.ToJson(); }
  int version() const override { return kVersion; }
  nlohmann::json state() const override {
    nlohmann::json edges = nlohmann::json::array(), labels = nlohmann::json::array();
    for (double e : s_.edges) edges.push_back(DoubleToJson(e));
    if (!s_.texts.empty()) {
      labels = s_.texts;
    } else {
      for (double v : s_.numbers) labels.push_back(v);
    }
    return {{"edges", std::move(edges)}, {"labels", std::move(labels)}};
  }
  std::vector<std::string> InputColumns() const override { return {a_.col_value}; }
  std::vector<std::string> OutputColumns() const override { return {a_.col_result}; }

  Status Apply(Table& table) const override {
    UPCAMP_ASSIGN_OR_RETURN(std::vector<double> values,
                            NumericValues(table, a_.col_value, a_.What()));
    // bin[r]: -1 for missing or outside (e0, en]; else i with e(i) < v <= e(i+1).
    std::vector<int32_t> bin(values.size(), -1);
    const auto& e = s_.edges;
    for (size_t r = 0; r < values.size(); ++r) {
      const double v = values[r];
      if (std::isnan(v)) continue;
      const auto idx = std::lower_bound(e.begin(), e.end(), v) - e.begin();  // first e >= v
      if (idx > 0 && static_cast<size_t>(idx) < e.size()) bin[r] = static_cast<int32_t>(idx - 1);
    }
    if (!s_.texts.empty()) {
      auto dict = std::make_shared<StringDictionary>();
      std::vector<int32_t> code_of_bin;
      for (const auto& t : s_.texts) code_of_bin.push_back(dict->GetOrAdd(t));
      for (auto& b : bin) b = b < 0 ? kNullCode : code_of_bin[static_cast<size_t>(b)];
      return table.SetColumn(Column::String(a_.col_result, std::move(bin), std::move(dict)));
    }
    std::vector<double> out(bin.size());
    for (size_t r = 0; r < bin.size(); ++r) {
      out[r] = bin[r] < 0 ? kNullFloat64 : s_.numbers[static_cast<size_t>(bin[r])];
    }
    return table.SetColumn(Column::Float64(a_.col_result, std::move(out)));
  }

 private:
  Args a_;
  State s_;
};

class Binning : public Transform {
 public:
  explicit Binning(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  int version() const override { return kVersion; }
  nlohmann::json args() const override { return a_.ToJson(); }
  std::vector<std::string> FitInputs() const override { return {a_.col_value}; }

  Result<std::unique_ptr<FittedTransform>> Fit(const Table& train) const override {
    UPCAMP_ASSIGN_OR_RETURN(std::vector<double> values,
                            NumericValues(train, a_.col_value, a_.What()));
    State s;
    if (a_.count > 0) {
      double mn = std::numeric_limits<double>::infinity();
      double mx = -mn;
      size_t n = 0;
      for (double v : values) {
        if (std::isnan(v)) continue;
        if (std::isinf(v)) {
          return Status::Data(
              "{}: column '{}' holds an infinite value, so {} equal-width bins cannot be fitted "
              "(give the edges as a list, or clean the column first)",
              a_.What(), a_.col_value, a_.count);
        }
        mn = std::min(mn, v);
        mx = std::max(mx, v);
        ++n;
      }
      if (n == 0) {
        return Status::Data("{}: column '{}' has no non-missing value to fit {} bins on", a_.What(),
                            a_.col_value, a_.count);
      }
      s.edges = EqualWidthEdges(mn, mx, a_.count);
    } else {
      s.edges = a_.edges;
    }
    FillLabels(s);
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(s)));
  }

 protected:
  Result<std::unique_ptr<FittedTransform>> RestoreState(
      const nlohmann::json& state) const override {
    State s;
    UPCAMP_ASSIGN_OR_RETURN(s.edges, StateDoubles(state, "edges"));
    if (s.edges.size() != a_.num_bins() + 1) {
      return StateError("{} edges for {} bins", s.edges.size(), a_.num_bins());
    }
    for (size_t i = 0; i < s.edges.size(); ++i) {
      if (std::isnan(s.edges[i]) || (i > 0 && !(s.edges[i - 1] < s.edges[i]))) {
        return StateError("edges must be numbers that increase strictly");
      }
    }
    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* labels, StateField(state, "labels"));
    if (!labels->is_array() || labels->size() != a_.num_bins()) {
      return StateError("'labels' must be a list of {} labels", a_.num_bins());
    }
    const bool texts = a_.mode == LabelMode::kIntervals || a_.mode == LabelMode::kTexts;
    for (const auto& l : *labels) {
      if (texts && l.is_string()) {
        s.texts.push_back(l.get<std::string>());
      } else if (!texts && l.is_number()) {
        s.numbers.push_back(l.get<double>());
      } else {
        return StateError("label {} should be a {}", l.dump(), texts ? "text" : "number");
      }
    }
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(s)));
  }

 private:
  void FillLabels(State& s) const {
    switch (a_.mode) {
      case LabelMode::kIntervals:
        s.texts =
            IntervalLabels(s.edges, a_.count == 0 && a_.int_edges ? &a_.int_edge_values : nullptr);
        break;
      case LabelMode::kIndex:
        for (size_t i = 0; i + 1 < s.edges.size(); ++i) s.numbers.push_back(static_cast<double>(i));
        break;
      case LabelMode::kTexts:
        s.texts = a_.texts;
        break;
      case LabelMode::kNumbers:
        s.numbers = a_.numbers;
        break;
    }
  }

  Args a_;
};

// A bin edge: a number, or an infinity spelled inf / .inf / infinity (any case, optional sign).
Result<double> ParseEdge(const ConfigNode& node, bool* is_int) {
  *is_int = false;
  if (auto i = node.AsInt(); i.ok()) {
    *is_int = true;
    return static_cast<double>(*i);
  }
  if (auto d = node.AsDouble(); d.ok()) return *d;
  if (node.IsScalar()) {
    std::string t = node.scalar();
    double sign = 1;
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
      sign = t[0] == '-' ? -1 : 1;
      t.erase(0, 1);
    }
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "inf" || t == ".inf" || t == "infinity") {
      return sign * std::numeric_limits<double>::infinity();
    }
  }
  return node.Error("expected a bin edge (a number, or -.inf / .inf), got '{}'",
                    node.IsScalar() ? node.scalar() : "a non-scalar value");
}

Status ReadBins(const ConfigNode& args, Args& a) {
  const ConfigNode* bins = args.Find("bins");
  if (!bins || bins->IsNull()) {
    return args.Error(
        "missing required argument 'bins' (a number of equal-width bins, e.g. 5, or a list of "
        "edges, e.g. [0, 18, 35, 60, .inf])");
  }
  if (bins->IsScalar()) {
    auto count = bins->AsInt();
    if (!count.ok()) {
      return bins->Error("'bins' must be a whole number of bins or a list of edges, got '{}'",
                         bins->scalar());
    }
    if (*count < 1 || *count > 100000) {
      return bins->Error("'bins' must be 1..100000 bins, got {}", *count);
    }
    a.count = *count;
    a.bins_json = *count;
    return Status::Ok();
  }
  if (!bins->IsSequence()) return bins->Error("'bins' must be a number or a list of edges");
  const auto& items = bins->items();
  if (items.size() < 2) {
    return bins->Error("'bins' needs at least 2 edges (one bin), got {}", items.size());
  }
  a.int_edges = true;
  a.bins_json = nlohmann::json::array();
  for (size_t i = 0; i < items.size(); ++i) {
    bool is_int = false;
    UPCAMP_ASSIGN_OR_RETURN(double e, ParseEdge(items[i], &is_int));
    if (i > 0 && !(a.edges.back() < e)) {
      return items[i].Error(
          "bin edges must increase strictly (pandas.cut: bins must increase monotonically and be "
          "unique): {} after {}",
          items[i].scalar(), items[i - 1].scalar());
    }
    a.int_edges = a.int_edges && is_int;
    a.edges.push_back(e);
    if (is_int) {
      a.int_edge_values.push_back(*items[i].AsInt());
      a.bins_json.push_back(*items[i].AsInt());
    } else {
      a.bins_json.push_back(DoubleToJson(e));
    }
  }
  return Status::Ok();
}

Status ReadLabels(const ConfigNode& args, Args& a) {
  const ConfigNode* labels = args.Find("labels");
  if (!labels || labels->IsNull()) {
    a.mode = LabelMode::kIntervals;
    return Status::Ok();
  }
  const size_t n = a.num_bins();
  if (labels->IsScalar()) {
    auto b = labels->AsBool();
    if (b.ok() && !*b) {
      a.mode = LabelMode::kIndex;
      return Status::Ok();
    }
    return labels->Error(
        "'labels' must be a list of {} labels, or false for bin numbers 0..{} (omit it for the "
        "interval text \"(a, b]\"), got '{}'",
        n, n - 1, labels->scalar());
  }
  if (!labels->IsSequence()) return labels->Error("'labels' must be a list of {} labels", n);
  const auto& items = labels->items();
  if (items.size() != n) {
    return labels->Error("'labels' has {} labels for {} bins; give exactly one per bin",
                         items.size(), n);
  }
  bool all_numbers = true;
  for (const auto& item : items) {
    if (!item.IsScalar()) return item.Error("a label must be a text or a number");
    all_numbers = all_numbers && item.ToJson().is_number();
  }
  a.mode = all_numbers ? LabelMode::kNumbers : LabelMode::kTexts;
  std::set<std::string> seen_texts;
  std::set<double> seen_numbers;
  for (const auto& item : items) {
    const bool fresh = all_numbers ? seen_numbers.insert(*item.AsDouble()).second
                                   : seen_texts.insert(item.scalar()).second;
    if (!fresh) {
      return item.Error("label '{}' appears twice; labels must be distinct", item.scalar());
    }
    if (all_numbers) {
      a.numbers.push_back(*item.AsDouble());
    } else {
      a.texts.push_back(item.scalar());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Transform>> MakeBinning(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"col_value", "col_result", "bins", "labels"}));
  Args a;
  UPCAMP_ASSIGN_OR_RETURN(a.col_value, ReadColumnName(args, "col_value"));
  UPCAMP_ASSIGN_OR_RETURN(a.col_result, ReadColumnName(args, "col_result"));
  UPCAMP_RETURN_IF_ERROR(ReadBins(args, a));
  UPCAMP_RETURN_IF_ERROR(ReadLabels(args, a));
  return std::unique_ptr<Transform>(std::make_unique<Binning>(std::move(a)));
}

}  // namespace upcamp::transforms
