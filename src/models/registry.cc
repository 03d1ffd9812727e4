#include "models/registry.h"

#include <string_view>

namespace upcamp::models {

// Each model family adds its entry here (one line per model, alphabetical within a family).
const std::vector<ModelInfo>& AllModels() {
  static const std::vector<ModelInfo> kModels = {
  };
  return kModels;
}

namespace {

const ModelInfo* FindModel(std::string_view name) {
  for (const auto& info : AllModels()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

std::string KnownNames() {
  std::string out;
  for (const auto& info : AllModels()) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

Result<std::unique_ptr<UpliftModel>> MakeModel(const ConfigNode& model_node) {
  if (!model_node.IsMap()) return model_node.Error("expected a model {{type: ..., ...}}");
  UPCAMP_ASSIGN_OR_RETURN(std::string type, model_node.GetString("type"));
  const ModelInfo* info = FindModel(type);
  if (!info) return model_node.Error("unknown model type '{}' (known: {})", type, KnownNames());
  return info->make(model_node);
}

Result<std::unique_ptr<UpliftModel>> LoadModel(const nlohmann::json& config,
                                               const std::filesystem::path& dir,
                                               const nlohmann::json& state,
                                               const std::string& where) {
  const ConfigNode node = ConfigNode::FromJson(config, where);
  auto made = MakeModel(node);
  if (!made.ok()) {
    return Status::Data("{}: the bundle's model config is not readable by this build ({}); "
                        "retrain the model or score with the upcamp version that wrote it",
                        where, made.status().message());
  }
  std::unique_ptr<UpliftModel> model = std::move(made).value();
  UPCAMP_RETURN_IF_ERROR(model->Load(dir, state));
  return model;
}

}  // namespace upcamp::models
