// `upcamp list calcers|transforms|models|metrics`: the registries, for humans and scripts (--json).

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "features/registry.h"
#include "features/transform_registry.h"
#include "metrics/registry.h"
#include "models/registry.h"
#include "models/xgboost/booster.h"

namespace upcamp::cli {
namespace {

struct ListArgs {
  std::string what;
  bool json = false;
};

Status Print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return Status::Io("cannot write to stdout");
  }
  return Status::Ok();
}

// Calcers and transforms share their registry fields: name, summary, arguments, columns.
template <typename Registry>
Status ListNamedComponents(const Registry& registry, bool json) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  std::string text;
  for (const auto& c : registry) {
    j.push_back({{"name", c.name},
                 {"summary", c.summary},
                 {"arguments", c.arguments},
                 {"columns", c.columns}});
    text += fmt::format("{}\n  {}\n  arguments: {}\n  columns:   {}\n\n", c.name, c.summary,
                        c.arguments, c.columns);
  }
  return Print(json ? j.dump(2) + "\n" : text);
}

Status ListMetrics(bool json) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  std::string text;
  for (const auto& m : metrics::ScalarMetrics()) {
    j.push_back(
        {{"name", m.name}, {"summary", m.summary}, {"binary_outcome_only", m.binary_outcome_only}});
    text += fmt::format("{:<28} {}{}\n", m.name, m.summary,
                        m.binary_outcome_only ? " (binary outcome)" : "");
  }
  return Print(json ? j.dump(2) + "\n" : text);
}

Status ListModels(bool json) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  std::string text;
  for (const auto& m : models::AllModels()) {
    j.push_back({{"name", m.name},
                 {"summary", m.summary},
                 {"parameters", m.parameters},
                 {"binary_outcome_only", m.binary_outcome_only}});
    text += fmt::format("{}{}\n  {}\n  parameters: {}\n\n", m.name,
                        m.binary_outcome_only ? " (binary outcome)" : "", m.summary, m.parameters);
  }
  if (!json) {
    text += fmt::format("XGBoost base learner params (defaults): {}\n",
                        models::xgb::Params::Describe());
  }
  return Print(json ? j.dump(2) + "\n" : text);
}

}  // namespace

void AddListCommand(CLI::App& app, CommandAction* selected) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* cmd = app.add_subcommand(
      "list", "List what upcamp knows: feature calcers, transforms, uplift models or metrics");
  cmd->add_option("what", args->what, "calcers | transforms | models | metrics")
      ->required()
      ->check(CLI::IsMember({"calcers", "transforms", "models", "metrics"}));
  cmd->add_flag("--json", args->json, "Machine-readable output");
  cmd->callback([args, selected] {
    *selected = [args](const GlobalOptions&) -> Status {
      if (args->what == "calcers") return ListNamedComponents(AllCalcers(), args->json);
      if (args->what == "transforms") return ListNamedComponents(AllTransforms(), args->json);
      if (args->what == "models") return ListModels(args->json);
      return ListMetrics(args->json);
    };
  });
}

}  // namespace upcamp::cli
