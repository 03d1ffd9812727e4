#include "core/config.h"

#include <fast_float/fast_float.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/civil_time.h"
#include "core/file_util.h"

namespace upcamp {

class ConfigBuilder {
 public:
  explicit ConfigBuilder(std::string source) : source_(std::move(source)) {}

  Result<ConfigNode> FromYaml(const YAML::Node& y, const std::string& path) {
    ConfigNode n;
    n.path_ = path;
    const YAML::Mark m = y.Mark();
    n.where_ = m.line >= 0 ? fmt::format("{}:{}:{}", source_, m.line + 1, m.column + 1) : source_;
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        n.kind_ = ConfigNode::Kind::kNull;
        break;
      case YAML::NodeType::Scalar:
        n.kind_ = ConfigNode::Kind::kScalar;
        n.scalar_ = y.Scalar();
        n.quoted_ = y.Tag() == "!";
        break;
      case YAML::NodeType::Sequence: {
        n.kind_ = ConfigNode::Kind::kSequence;
        size_t i = 0;
        for (const auto& item : y) {
          UPCAMP_ASSIGN_OR_RETURN(ConfigNode child,
                                  FromYaml(item, fmt::format("{}[{}]", path, i++)));
          n.seq_.push_back(std::move(child));
        }
        break;
      }
      case YAML::NodeType::Map: {
        n.kind_ = ConfigNode::Kind::kMap;
        for (auto it = y.begin(); it != y.end(); ++it) {
          if (!it->first.IsScalar()) {
            const YAML::Mark km = it->first.Mark();
            return Status::Config("{}:{}:{}: keys must be plain names", source_, km.line + 1,
                                  km.column + 1);
          }
          const std::string key = it->first.Scalar();
          if (n.Find(key)) {
            const YAML::Mark km = it->first.Mark();
            return Status::Config("{}:{}:{}: duplicate key '{}'", source_, km.line + 1,
                                  km.column + 1, key);
          }
          UPCAMP_ASSIGN_OR_RETURN(ConfigNode child,
                                  FromYaml(it->second, path.empty() ? key : path + "." + key));
          if (child.kind_ == ConfigNode::Kind::kNull) {
            const YAML::Mark km = it->first.Mark();
            child.where_ = fmt::format("{}:{}:{}", source_, km.line + 1, km.column + 1);
          }
          n.map_.emplace_back(key, std::move(child));
        }
        break;
      }
    }
    return n;
  }

  ConfigNode FromJson(const nlohmann::json& j, const std::string& path) {
    ConfigNode n;
    n.path_ = path;
    n.where_ = source_;
    if (j.is_null()) {
      n.kind_ = ConfigNode::Kind::kNull;
    } else if (j.is_object()) {
      n.kind_ = ConfigNode::Kind::kMap;
      for (const auto& [k, v] : j.items()) {
        n.map_.emplace_back(k, FromJson(v, path.empty() ? k : path + "." + k));
      }
    } else if (j.is_array()) {
      n.kind_ = ConfigNode::Kind::kSequence;
      for (size_t i = 0; i < j.size(); ++i)
        n.seq_.push_back(FromJson(j[i], fmt::format("{}[{}]", path, i)));
    } else {
      n.kind_ = ConfigNode::Kind::kScalar;
      if (j.is_string()) {
        n.scalar_ = j.get<std::string>();
        n.quoted_ = true;
      } else if (j.is_boolean()) {
        n.scalar_ = j.get<bool>() ? "true" : "false";
      } else if (j.is_number_integer()) {
        n.scalar_ = std::to_string(j.get<int64_t>());
      } else if (j.is_number_unsigned()) {
        n.scalar_ = std::to_string(j.get<uint64_t>());
      } else {
        n.scalar_ = j.dump();  // shortest round-trip double
      }
    }
    return n;
  }

 private:
  std::string source_;
};

Result<ConfigNode> ConfigNode::LoadFile(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok()) return Status::Config("{}", text.status().message());
  return Parse(*text, path);
}

Result<ConfigNode> ConfigNode::Parse(std::string_view text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::Config("{}:{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.mark.column + 1,
                          e.msg);
  }
  ConfigBuilder b(source);
  try {
    return b.FromYaml(root, "");
  } catch (const YAML::Exception& e) {
    return Status::Config("{}:{}:{}: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
}

ConfigNode ConfigNode::FromJson(const nlohmann::json& json, const std::string& source) {
  ConfigBuilder b(source);
  return b.FromJson(json, "");
}

ConfigNode ConfigNode::Scalar(std::string value, std::string where) {
  ConfigNode n;
  n.kind_ = Kind::kScalar;
  n.scalar_ = std::move(value);
  n.where_ = std::move(where);
  return n;
}

ConfigNode ConfigNode::Map(std::vector<std::pair<std::string, ConfigNode>> items,
                           std::string where) {
  ConfigNode n;
  n.kind_ = Kind::kMap;
  n.where_ = std::move(where);
  n.map_ = std::move(items);
  return n;
}

std::string ConfigNode::Location() const {
  if (path_.empty()) return where_;
  return fmt::format("{} ({})", where_, path_);
}

const ConfigNode* ConfigNode::Find(std::string_view key) const {
  for (const auto& [k, v] : map_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<const ConfigNode*> ConfigNode::Get(std::string_view key) const {
  if (!IsMap()) return Error("expected a mapping with key '{}'", key);
  if (const ConfigNode* n = Find(key)) return n;
  return Error("missing required key '{}'", key);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Status ConfigNode::CheckKeys(const std::vector<std::string>& allowed) const {
  if (IsNull()) return Status::Ok();
  if (!IsMap()) return Error("expected a mapping (keys: {})", fmt::join(allowed, ", "));
  for (const auto& [key, value] : map_) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string best;
    size_t best_d = 3;  // suggest only close matches
    for (const auto& a : allowed) {
      const size_t d = EditDistance(key, a);
      if (d < best_d) {
        best_d = d;
        best = a;
      }
    }
    const std::string where = value.IsNull() || value.where_.empty() ? where_ : value.where_;
    const std::string at = path_.empty() ? "" : fmt::format(" in '{}'", path_);
    return Status::Config("{}: unknown key '{}'{}{} (allowed: {})", where, key, at,
                          best.empty() ? "" : fmt::format("; did you mean '{}'?", best),
                          fmt::join(allowed, ", "));
  }
  return Status::Ok();
}

Status ConfigNode::CheckKeys(std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> v;
  for (auto a : allowed) v.emplace_back(a);
  return CheckKeys(v);
}

Result<std::string> ConfigNode::AsString() const {
  if (!IsScalar()) return Error("expected a text value");
  return scalar_;
}

Result<int64_t> ConfigNode::AsInt() const {
  if (IsScalar()) {
    int64_t v = 0;
    const char* b = scalar_.data();
    const char* e = b + scalar_.size();
    if (b != e && *b == '+') ++b;
    auto res = std::from_chars(b, e, v);
    if (res.ec == std::errc() && res.ptr == e) return v;
  }
  return Error("expected an integer, got '{}'", IsScalar() ? scalar_ : "a non-scalar value");
}

Result<double> ConfigNode::AsDouble() const {
  if (IsScalar()) {
    double v = 0;
    const char* b = scalar_.data();
    const char* e = b + scalar_.size();
    if (b != e && *b == '+') ++b;
    auto res = fast_float::from_chars(b, e, v);
    if (res.ec == std::errc() && res.ptr == e && std::isfinite(v)) return v;
  }
  return Error("expected a number, got '{}'", IsScalar() ? scalar_ : "a non-scalar value");
}

Result<bool> ConfigNode::AsBool() const {
  if (IsScalar()) {
    if (scalar_ == "true" || scalar_ == "True" || scalar_ == "yes") return true;
    if (scalar_ == "false" || scalar_ == "False" || scalar_ == "no") return false;
  }
  return Error("expected true or false, got '{}'", IsScalar() ? scalar_ : "a non-scalar value");
}

Result<int64_t> ConfigNode::AsDate() const {
  if (IsScalar()) {
    if (auto d = ParseDate(scalar_)) return *d;
  }
  return Error("expected a date YYYY-MM-DD, got '{}'", IsScalar() ? scalar_ : "a non-scalar value");
}

Result<std::vector<std::string>> ConfigNode::AsStringList() const {
  if (IsScalar()) return std::vector<std::string>{scalar_};
  if (!IsSequence()) return Error("expected a list of names");
  std::vector<std::string> out;
  for (const auto& item : seq_) {
    UPCAMP_ASSIGN_OR_RETURN(std::string s, item.AsString());
    out.push_back(std::move(s));
  }
  return out;
}

#define UPCAMP_CONFIG_GETTER(Name, Type, As)                                           \
  Result<Type> ConfigNode::Name(std::string_view key, std::optional<Type> def) const { \
    const ConfigNode* n = IsMap() ? Find(key) : nullptr;                               \
    if (!n || n->IsNull()) {                                                           \
      if (def) return *def;                                                            \
      return Error("missing required key '{}'", key);                                  \
    }                                                                                  \
    return n->As();                                                                    \
  }
UPCAMP_CONFIG_GETTER(GetString, std::string, AsString)
UPCAMP_CONFIG_GETTER(GetInt, int64_t, AsInt)
UPCAMP_CONFIG_GETTER(GetDouble, double, AsDouble)
UPCAMP_CONFIG_GETTER(GetBool, bool, AsBool)
#undef UPCAMP_CONFIG_GETTER

nlohmann::json ConfigNode::ToJson() const {
  switch (kind_) {
    case Kind::kNull:
      return nullptr;
    case Kind::kScalar: {
      if (quoted_) return scalar_;
      if (auto i = AsInt(); i.ok()) return *i;
      if (auto d = AsDouble(); d.ok()) return *d;
      if (scalar_ == "true" || scalar_ == "false") return scalar_ == "true";
      if (scalar_ == "null" || scalar_ == "~") return nullptr;
      return scalar_;
    }
    case Kind::kSequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& s : seq_) a.push_back(s.ToJson());
      return a;
    }
    case Kind::kMap: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [k, v] : map_) o[k] = v.ToJson();
      return o;
    }
  }
  return nullptr;
}

}  // namespace upcamp
