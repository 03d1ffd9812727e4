#pragma once
// Config trees with locations. YAML (and JSON, being YAML) files are parsed into ConfigNode
// trees that remember where each node came from ("train.yaml:12:5"), so every typed config can
// report a wrong or unknown key with the file, line and column, and suggest the key it probably
// meant. Bundles store configs as JSON; ToJson()/FromJson() convert both ways.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace upcamp {

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  /// Parses a YAML/JSON file; a syntax error is a config error with file:line:column.
  static Result<ConfigNode> LoadFile(const std::string& path);
  /// Parses YAML/JSON text; `source` names it in messages (a file name, "--config", ...).
  static Result<ConfigNode> Parse(std::string_view text, const std::string& source);
  /// Wraps JSON (e.g. from a bundle manifest); locations are `source` plus the key path.
  static ConfigNode FromJson(const nlohmann::json& json, const std::string& source);
  /// Builds nodes in code (tests, defaults).
  static ConfigNode Scalar(std::string value, std::string where = "<default>");
  static ConfigNode Map(std::vector<std::pair<std::string, ConfigNode>> items,
                        std::string where = "<default>");

  ConfigNode() = default;

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }

  /// "train.yaml:12:5" (1-based), or "manifest.json" for JSON sources.
  const std::string& where() const { return where_; }
  /// Dotted key path from the root: "model.params.max_depth", "data.features[2].args".
  const std::string& path() const { return path_; }
  /// Both, for messages: "train.yaml:12:5 (model.params.max_depth)".
  std::string Location() const;

  // Maps (key order is kept as written).
  const ConfigNode* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  Result<const ConfigNode*> Get(std::string_view key) const;  ///< error if absent
  const std::vector<std::pair<std::string, ConfigNode>>& map_items() const { return map_; }
  /// Error naming the first key not in `allowed`, with a "did you mean" suggestion.
  Status CheckKeys(std::initializer_list<std::string_view> allowed) const;
  Status CheckKeys(const std::vector<std::string>& allowed) const;

  // Sequences.
  const std::vector<ConfigNode>& items() const { return seq_; }

  // Scalars. Errors name the location and what was expected.
  const std::string& scalar() const { return scalar_; }
  Result<std::string> AsString() const;
  Result<int64_t> AsInt() const;
  Result<double> AsDouble() const;
  Result<bool> AsBool() const;
  /// `YYYY-MM-DD` → timestamp of that midnight.
  Result<int64_t> AsDate() const;
  /// A scalar or a sequence of scalars as strings.
  Result<std::vector<std::string>> AsStringList() const;

  // Typed lookups of an optional key: the default when absent or null.
  Result<std::string> GetString(std::string_view key, std::optional<std::string> def = {}) const;
  Result<int64_t> GetInt(std::string_view key, std::optional<int64_t> def = {}) const;
  Result<double> GetDouble(std::string_view key, std::optional<double> def = {}) const;
  Result<bool> GetBool(std::string_view key, std::optional<bool> def = {}) const;

  /// Error at this node: "<where> (<path>): <message>".
  template <typename... Args>
  Status Error(fmt::format_string<Args...> f, Args&&... a) const {
    return Status::Config("{}: {}", Location(), fmt::format(f, std::forward<Args>(a)...));
  }

  /// Plain JSON of the tree: scalars become numbers/bools when they look like them (YAML core
  /// schema), else strings.
  nlohmann::json ToJson() const;

 private:
  friend class ConfigBuilder;
  Kind kind_ = Kind::kNull;
  std::string where_, path_;
  std::string scalar_;
  bool quoted_ = false;  // a quoted YAML scalar or a JSON string stays a string in ToJson()
  std::vector<ConfigNode> seq_;
  std::vector<std::pair<std::string, ConfigNode>> map_;
};

/// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace upcamp
