#pragma once
// The explicit registry of feature calcers: one table in registry.cc, listable with
// `upcamp list calcers`, looped over by the contract tests. An unknown name lists the valid ones.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "features/calcer.h"

namespace upcamp {

struct CalcerInfo {
  const char* name;
  const char* summary;    ///< one line
  const char* arguments;  ///< "delta (int, days, required); col_category (default level_3)"
  const char* columns;    ///< output columns, with {delta} etc. placeholders
  /// Validates `args` (unknown keys are errors naming the key and line) and builds the calcer.
  Result<std::unique_ptr<Calcer>> (*make)(const ConfigNode& args);
};

const std::vector<CalcerInfo>& AllCalcers();

/// Builds one calcer from a config entry `{name: ..., args: {...}}`.
Result<std::unique_ptr<Calcer>> MakeCalcer(const ConfigNode& entry);

/// Builds every calcer of a feature config (a list of `{name, args}`).
Result<std::vector<std::unique_ptr<Calcer>>> MakeCalcers(const ConfigNode& list);

/// The config entry of a calcer as JSON: {"name": ..., "args": {...}} with defaults filled in.
nlohmann::json CalcerToJson(const Calcer& calcer);

}  // namespace upcamp
