#include "features/transform_registry.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

#include "features/transforms/transforms.h"

namespace upcamp {

const std::vector<TransformInfo>& AllTransforms() {
  static const std::vector<TransformInfo> kTransforms = {
      {"expression",
       "Evaluates an arithmetic/logical expression over columns into a float64 column",
       "expression (text, required; see features/expression.h); col_result (required)",
       "{col_result}", &transforms::MakeExpression,
       R"({"expression": "x * 2", "col_result": "out"})"},
      {"divide_cols", "Numerator / denominator as float64 (x/0 = ±inf, 0/0 missing, as pandas)",
       "col_numerator, col_denominator, col_result (all required)", "{col_result}",
       &transforms::MakeDivideCols,
       R"({"col_numerator": "x", "col_denominator": "n", "col_result": "out"})"},
      {"binning",
       "Right-closed bins like pandas.cut: fixed edges, or N equal-width bins fitted on training",
       "col_value, col_result (required); bins (int count, or list of increasing edges; "
       "required); labels (list of texts or numbers, one per bin; false = bin number; default: "
       "interval text \"(a, b]\")",
       "{col_result}", &transforms::MakeBinning,
       R"({"col_value": "x", "col_result": "out", "bins": 2})"},
      {"one_hot_encode",
       "One 0/1 int64 column per training category; unseen or missing values give all zeros",
       "cols (list of column names, required); category_limit (int, default 1000: fit fails "
       "above it)",
       "ohe__{col}__{value} per column and category (the source columns are kept)",
       &transforms::MakeOneHotEncode, R"({"cols": ["g"]})"},
      {"loo_mean_target_encoder",
       "Mean target per category: leave-one-out on the training rows, full mean at scoring",
       "col_categorical, col_target, col_result (all required)", "{col_result}",
       &transforms::MakeLooMeanTargetEncoder,
       R"({"col_categorical": "g", "col_target": "t", "col_result": "out"})"},
  };
  return kTransforms;
}

namespace {

const TransformInfo* FindTransform(const std::string& name) {
  for (const auto& info : AllTransforms()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

std::string KnownNames() {
  std::vector<std::string> names;
  for (const auto& info : AllTransforms()) names.emplace_back(info.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

Result<std::unique_ptr<Transform>> MakeTransform(const ConfigNode& entry) {
  if (!entry.IsMap()) return entry.Error("expected {{name: ..., args: {{...}}}}");
  UPCAMP_RETURN_IF_ERROR(entry.CheckKeys({"name", "args"}));
  UPCAMP_ASSIGN_OR_RETURN(std::string name, entry.GetString("name"));
  const TransformInfo* info = FindTransform(name);
  if (!info) return entry.Error("unknown transform '{}' (known: {})", name, KnownNames());
  const ConfigNode* args = entry.Find("args");
  if (args && !args->IsNull() && !args->IsMap()) {
    return args->Error("'args' of transform '{}' must be a mapping of argument names to values",
                       name);
  }
  static const ConfigNode kNoArgs = ConfigNode::Map({}, "<no args>");
  return info->make(args && !args->IsNull() ? *args : kNoArgs);
}

Result<std::vector<std::unique_ptr<Transform>>> MakeTransforms(const ConfigNode& list) {
  std::vector<std::unique_ptr<Transform>> out;
  if (list.IsNull()) return out;
  if (!list.IsSequence()) return list.Error("expected a list of transforms {{name, args}}");
  for (const auto& entry : list.items()) {
    UPCAMP_ASSIGN_OR_RETURN(auto transform, MakeTransform(entry));
    out.push_back(std::move(transform));
  }
  return out;
}

Result<std::unique_ptr<FittedTransform>> FittedTransformFromJson(const nlohmann::json& entry,
                                                                 const std::string& where) {
  if (!entry.is_object()) {
    return Status::Data("{}: expected a fitted transform {{name, version, args, state}}, got {}",
                        where, entry.dump());
  }
  for (const auto& [key, value] : entry.items()) {
    if (key != "name" && key != "version" && key != "args" && key != "state") {
      return Status::Data("{}: unknown key '{}' in a fitted transform (name, version, args, state)",
                          where, key);
    }
  }
  for (const char* key : {"name", "version", "state"}) {
    if (!entry.contains(key)) return Status::Data("{}: fitted transform without '{}'", where, key);
  }
  if (!entry["name"].is_string()) return Status::Data("{}: 'name' must be a text", where);
  const std::string name = entry["name"].get<std::string>();
  const TransformInfo* info = FindTransform(name);
  if (!info) {
    return Status::Data(
        "{}: unknown transform '{}' (this build knows: {}); the model was written by a newer or "
        "different upcamp: score with that version, or retrain the model",
        where, name, KnownNames());
  }
  if (!entry["version"].is_number_integer()) {
    return Status::Data("{}: 'version' of transform '{}' must be an integer", where, name);
  }
  const nlohmann::json args = entry.value("args", nlohmann::json::object());
  if (!args.is_object() && !args.is_null()) {
    return Status::Data("{}: 'args' of transform '{}' must be an object", where, name);
  }
  // The args are validated exactly as a config's are; an error is about the bundle, though.
  const ConfigNode args_node = ConfigNode::FromJson(
      args.is_null() ? nlohmann::json::object() : args, fmt::format("{} args", where));
  auto transform = info->make(args_node);
  if (!transform.ok()) {
    return Status(ErrorCode::kData, fmt::format("{}: invalid args of transform '{}': {}", where,
                                                name, transform.status().message()));
  }
  const auto version = static_cast<int>(std::clamp<int64_t>(entry["version"].get<int64_t>(),
                                                            std::numeric_limits<int>::min(),
                                                            std::numeric_limits<int>::max()));
  auto fitted = (*transform)->Restore(entry["state"], version);
  if (!fitted.ok()) return fitted.status().WithPrefix(where);
  return fitted;
}

nlohmann::json FittedTransformsToJson(const FittedTransforms& fitted) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : fitted) out.push_back(t->ToJson());
  return out;
}

Result<FittedTransforms> FittedTransformsFromJson(const nlohmann::json& array,
                                                  const std::string& where) {
  if (!array.is_array()) return Status::Data("{}: expected a list of fitted transforms", where);
  FittedTransforms out;
  for (size_t i = 0; i < array.size(); ++i) {
    UPCAMP_ASSIGN_OR_RETURN(auto t,
                            FittedTransformFromJson(array[i], fmt::format("{}[{}]", where, i)));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace upcamp
