#include "features/transforms/common.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace upcamp::transforms {

Result<std::string> ReadColumnName(const ConfigNode& args, std::string_view key) {
  const ConfigNode* node = args.IsMap() ? args.Find(key) : nullptr;
  if (!node || node->IsNull()) return args.Error("missing required argument '{}'", key);
  UPCAMP_ASSIGN_OR_RETURN(std::string name, node->AsString());
  if (name.empty()) return node->Error("'{}' must name a column, got an empty text", key);
  return name;
}

Status CheckColumns(const Table& table, const std::vector<std::string>& names,
                    std::string_view what) {
  std::vector<std::string> missing;
  for (const auto& n : names) {
    if (!table.FindColumn(n) && std::find(missing.begin(), missing.end(), n) == missing.end()) {
      missing.push_back(n);
    }
  }
  if (missing.empty()) return Status::Ok();
  return Status::Data("{}: the table has no column {} (columns: {})", what,
                      fmt::join(missing, ", "), fmt::join(table.ColumnNames(), ", "));
}

Result<std::vector<double>> NumericValues(const Table& table, const std::string& name,
                                          std::string_view what) {
  UPCAMP_ASSIGN_OR_RETURN(const Column* col, table.GetColumn(name, what));
  const size_t n = col->size();
  std::vector<double> out(n);
  switch (col->type()) {
    case DataType::kFloat64: {
      auto v = col->float64s();
      std::copy(v.begin(), v.end(), out.begin());
      return out;
    }
    case DataType::kInt64: {
      auto v = col->int64s();
      for (size_t i = 0; i < n; ++i) {
        out[i] = v[i] == kNullInt64 ? kNullFloat64 : static_cast<double>(v[i]);
      }
      return out;
    }
    case DataType::kBool: {
      auto v = col->bools();
      for (size_t i = 0; i < n; ++i) out[i] = v[i] == kNullBool ? kNullFloat64 : v[i];
      return out;
    }
    case DataType::kString:
    case DataType::kTimestamp:
      break;
  }
  return Status::Data("{}: column '{}' must be numeric (int64, float64 or bool), it is {}", what,
                      name, DataTypeName(col->type()));
}

std::string PythonFloatRepr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form: "-d.ddde+XX".
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
  std::string out;
  if (!s.empty() && s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }
  std::string_view exp_text = s.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  int exp10 = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp10);
  if (exp10 < -4 || exp10 >= 16) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += fmt::format("e{}{:02d}", exp10 < 0 ? '-' : '+', std::abs(exp10));
  } else if (exp10 < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp10 - 1), '0');
    out += digits;
  } else {
    const auto int_digits = static_cast<size_t>(exp10) + 1;
    if (digits.size() <= int_digits) {
      out += digits;
      out.append(int_digits - digits.size(), '0');
      out += ".0";
    } else {
      out.append(digits, 0, int_digits);
      out += '.';
      out.append(digits, int_digits);
    }
  }
  return out;
}

namespace {

// numpy's power_of_ten(): exact table up to 1e8, then repeated multiplication by 10.
double NumpyPowerOfTen(int n) {
  static constexpr double kP10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  if (n < 9) return kP10[n];
  double r = 1e9;
  while (n-- > 9) r *= 10.0;
  return r;
}

}  // namespace

double NumpyAround(double x, int decimals) {
  if (decimals >= 0) {
    const double f = NumpyPowerOfTen(decimals);
    return std::nearbyint(x * f) / f;
  }
  const double f = NumpyPowerOfTen(-decimals);
  return std::nearbyint(x / f) * f;
}

nlohmann::json DoubleToJson(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

bool DoubleFromJson(const nlohmann::json& j, double* out) {
  if (j.is_number()) {
    *out = j.get<double>();
    return true;
  }
  if (j.is_null()) {
    *out = kNullFloat64;
    return true;
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "inf") {
      *out = std::numeric_limits<double>::infinity();
      return true;
    }
    if (s == "-inf") {
      *out = -std::numeric_limits<double>::infinity();
      return true;
    }
  }
  return false;
}

Result<const nlohmann::json*> StateField(const nlohmann::json& state, std::string_view key) {
  if (!state.is_object()) return StateError("expected an object, got {}", state.dump());
  auto it = state.find(key);
  if (it == state.end()) return StateError("missing key '{}'", key);
  return &*it;
}

Result<std::vector<double>> StateDoubles(const nlohmann::json& state, std::string_view key) {
  UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* j, StateField(state, key));
  if (!j->is_array()) return StateError("'{}' must be a list of numbers", key);
  std::vector<double> out(j->size());
  for (size_t i = 0; i < j->size(); ++i) {
    if (!DoubleFromJson((*j)[i], &out[i])) {
      return StateError("'{}[{}]' is not a number: {}", key, i, (*j)[i].dump());
    }
  }
  return out;
}

// ---- Categories ---------------------------------------------------------------------------------

Result<Categories> Categories::Fit(const Column& column, std::string_view what) {
  Categories c;
  switch (column.type()) {
    case DataType::kString: {
      c.kind_ = Kind::kString;
      const auto& dict = column.dictionary();
      std::vector<uint8_t> used(static_cast<size_t>(dict.size()), 0);
      for (int32_t code : column.codes()) {
        if (code != kNullCode) used[static_cast<size_t>(code)] = 1;
      }
      for (int32_t code = 0; code < dict.size(); ++code) {
        if (used[static_cast<size_t>(code)]) c.strings_.emplace_back(dict.Get(code));
      }
      std::sort(c.strings_.begin(), c.strings_.end());
      c.strings_.erase(std::unique(c.strings_.begin(), c.strings_.end()), c.strings_.end());
      return c;
    }
    case DataType::kInt64:
    case DataType::kBool: {
      c.kind_ = Kind::kInteger;
      if (column.type() == DataType::kInt64) {
        for (int64_t v : column.int64s()) {
          if (v != kNullInt64) c.integers_.push_back(v);
        }
      } else {
        for (uint8_t v : column.bools()) {
          if (v != kNullBool) c.integers_.push_back(v);
        }
      }
      std::sort(c.integers_.begin(), c.integers_.end());
      c.integers_.erase(std::unique(c.integers_.begin(), c.integers_.end()), c.integers_.end());
      return c;
    }
    case DataType::kFloat64: {
      c.kind_ = Kind::kFloat;
      for (double v : column.float64s()) {
        if (!std::isnan(v)) c.floats_.push_back(v + 0.0);  // + 0.0 turns -0.0 into 0.0
      }
      std::sort(c.floats_.begin(), c.floats_.end());
      c.floats_.erase(std::unique(c.floats_.begin(), c.floats_.end()), c.floats_.end());
      return c;
    }
    case DataType::kTimestamp:
      break;
  }
  return Status::Data("{}: column '{}' is a {} column; categories must be strings or numbers", what,
                      column.name(), DataTypeName(column.type()));
}

size_t Categories::size() const {
  switch (kind_) {
    case Kind::kString:
      return strings_.size();
    case Kind::kInteger:
      return integers_.size();
    case Kind::kFloat:
      return floats_.size();
  }
  return 0;
}

std::string Categories::Text(size_t i) const {
  switch (kind_) {
    case Kind::kString:
      return strings_[i];
    case Kind::kInteger:
      return std::to_string(integers_[i]);
    case Kind::kFloat:
      return PythonFloatRepr(floats_[i]);
  }
  return {};
}

nlohmann::json Categories::ToJson() const {
  nlohmann::json values = nlohmann::json::array();
  const char* kind = "string";
  switch (kind_) {
    case Kind::kString:
      for (const auto& s : strings_) values.push_back(s);
      break;
    case Kind::kInteger:
      kind = "integer";
      for (int64_t v : integers_) values.push_back(v);
      break;
    case Kind::kFloat:
      kind = "float";
      for (double v : floats_) values.push_back(DoubleToJson(v));
      break;
  }
  return {{"kind", kind}, {"values", std::move(values)}};
}

Result<Categories> Categories::FromJson(const nlohmann::json& j) {
  UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* kind, StateField(j, "kind"));
  UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* values, StateField(j, "values"));
  if (!values->is_array()) return StateError("categories 'values' must be a list");
  Categories c;
  if (*kind == "string") {
    c.kind_ = Kind::kString;
  } else if (*kind == "integer") {
    c.kind_ = Kind::kInteger;
  } else if (*kind == "float") {
    c.kind_ = Kind::kFloat;
  } else {
    return StateError("unknown categories kind {} (string, integer or float)", kind->dump());
  }
  for (const nlohmann::json& v : *values) {
    double d = 0;
    if (c.kind_ == Kind::kString && v.is_string()) {
      c.strings_.push_back(v.get<std::string>());
    } else if (c.kind_ == Kind::kInteger && v.is_number_integer()) {
      c.integers_.push_back(v.get<int64_t>());
    } else if (c.kind_ == Kind::kFloat && DoubleFromJson(v, &d) && !std::isnan(d)) {
      c.floats_.push_back(d);
    } else {
      return StateError("category {} is not a valid {} value", v.dump(), kind->dump());
    }
  }
  // Sorted and distinct, as Fit leaves them: Lookup and the output names rely on it.
  auto strictly_increasing = [](const auto& v) {
    return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
  };
  if (!strictly_increasing(c.strings_) || !strictly_increasing(c.integers_) ||
      !strictly_increasing(c.floats_)) {
    return StateError("categories must be sorted and distinct");
  }
  return c;
}

Result<std::vector<int32_t>> Categories::Lookup(const Column& column, std::string_view what) const {
  const size_t n = column.size();
  std::vector<int32_t> out(n, -1);
  const DataType type = column.type();
  const bool numeric =
      type == DataType::kInt64 || type == DataType::kFloat64 || type == DataType::kBool;
  if (kind_ == Kind::kString) {
    if (type != DataType::kString) {
      return Status::Data(
          "{}: column '{}' held strings when the transform was fitted but is {} now", what,
          column.name(), DataTypeName(type));
    }
    std::unordered_map<std::string_view, int32_t> index;
    index.reserve(strings_.size());
    for (size_t i = 0; i < strings_.size(); ++i)
      index.emplace(strings_[i], static_cast<int32_t>(i));
    const auto& dict = column.dictionary();
    std::vector<int32_t> by_code(static_cast<size_t>(dict.size()), -1);
    for (int32_t code = 0; code < dict.size(); ++code) {
      auto it = index.find(dict.Get(code));
      if (it != index.end()) by_code[static_cast<size_t>(code)] = it->second;
    }
    auto codes = column.codes();
    for (size_t r = 0; r < n; ++r) {
      if (codes[r] != kNullCode) out[r] = by_code[static_cast<size_t>(codes[r])];
    }
    return out;
  }
  if (!numeric) {
    return Status::Data("{}: column '{}' held numbers when the transform was fitted but is {} now",
                        what, column.name(), DataTypeName(type));
  }
  if (kind_ == Kind::kInteger && type == DataType::kInt64) {
    // Exact integer matching (ids beyond 2^53 stay distinct).
    std::unordered_map<int64_t, int32_t> index;
    index.reserve(integers_.size());
    for (size_t i = 0; i < integers_.size(); ++i) {
      index.emplace(integers_[i], static_cast<int32_t>(i));
    }
    auto v = column.int64s();
    for (size_t r = 0; r < n; ++r) {
      if (v[r] == kNullInt64) continue;
      auto it = index.find(v[r]);
      if (it != index.end()) out[r] = it->second;
    }
    return out;
  }
  std::unordered_map<double, int32_t> index;
  const size_t k = size();
  index.reserve(k);
  for (size_t i = 0; i < k; ++i) {
    const double key = kind_ == Kind::kInteger ? static_cast<double>(integers_[i]) : floats_[i];
    index.emplace(key + 0.0, static_cast<int32_t>(i));
  }
  for (size_t r = 0; r < n; ++r) {
    const double v = column.AsDouble(r);
    if (std::isnan(v)) continue;
    auto it = index.find(v + 0.0);
    if (it != index.end()) out[r] = it->second;
  }
  return out;
}

}  // namespace upcamp::transforms
