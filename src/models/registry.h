#pragma once
// The explicit registry of uplift models: one table in registry.cc, listed by
// `upcamp list models`, looped over by the contract tests (determinism, save/load, sign flip).

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "models/model.h"

namespace upcamp::models {

struct ModelInfo {
  const char* name;
  const char* summary;     ///< one line
  const char* parameters;  ///< the keys of the model node, with defaults
  bool binary_outcome_only;
  /// Validates the whole `model:` node ({type, base, params}) and builds an unfitted model.
  Result<std::unique_ptr<UpliftModel>> (*make)(const ConfigNode& model_node);
};

const std::vector<ModelInfo>& AllModels();

/// Builds a model from a `model:` node; an unknown type lists the valid ones.
Result<std::unique_ptr<UpliftModel>> MakeModel(const ConfigNode& model_node);

/// Rebuilds a saved model: MakeModel(config) then Load(dir, state). `where` names the manifest.
Result<std::unique_ptr<UpliftModel>> LoadModel(const nlohmann::json& config,
                                               const std::filesystem::path& dir,
                                               const nlohmann::json& state,
                                               const std::string& where);

}  // namespace upcamp::models
