#pragma once
// The explicit registry of transforms: one table in transform_registry.cc, listable with
// `upcamp list transforms`, looped over by the contract tests. An unknown name lists the valid
// ones. Also the JSON side of the bundle: fitted transforms to and from their JSON entries.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "features/transform.h"

namespace upcamp {

struct TransformInfo {
  const char* name;
  const char* summary;    ///< one line
  const char* arguments;  ///< "col_value (required); bins (int count or list of edges); ..."
  const char* columns;    ///< output columns, with {col} etc. placeholders
  /// Validates `args` (unknown keys are errors naming the key and line) and builds the transform.
  Result<std::unique_ptr<Transform>> (*make)(const ConfigNode& args);
  /// Minimal valid args (JSON text) over a table with columns x (float64), n (int64), g (string)
  /// and t (float64 target), writing `out`: the contract tests build every transform from them.
  const char* example_args;
};

const std::vector<TransformInfo>& AllTransforms();

/// Builds one transform from a config entry `{name: ..., args: {...}}`.
Result<std::unique_ptr<Transform>> MakeTransform(const ConfigNode& entry);

/// Builds every transform of a `transforms:` list (a list of `{name, args}`; null = none).
Result<std::vector<std::unique_ptr<Transform>>> MakeTransforms(const ConfigNode& list);

/// Rebuilds a fitted transform from its FittedTransform::ToJson() entry. `where` names the entry
/// in messages ("bundle/manifest.json: transforms[2]"). Unknown names, versions newer than this
/// build reads, invalid args and malformed states are data errors saying what to do.
Result<std::unique_ptr<FittedTransform>> FittedTransformFromJson(const nlohmann::json& entry,
                                                                 const std::string& where);

/// A list of fitted transforms as a JSON array of ToJson() entries, and back.
nlohmann::json FittedTransformsToJson(const FittedTransforms& fitted);
Result<FittedTransforms> FittedTransformsFromJson(const nlohmann::json& array,
                                                  const std::string& where);

}  // namespace upcamp
