// `upcamp features`: runs a feature config over a catalog as of a date and writes one row per
// client. Argument parsing and wiring only; the work is in src/features.

#include <chrono>

#include "cli/command.h"
#include "core/civil_time.h"
#include "core/config.h"
#include "core/log.h"
#include "data/catalog.h"
#include "data/table_io.h"
#include "features/engine.h"
#include "features/registry.h"

namespace upcamp::cli {

// A client list: a table file with a client_id column, one client per row.
Result<std::vector<std::string>> LoadClientList(const std::string& path, const Context& ctx) {
  TableReadOptions o;
  o.columns = {"client_id"};
  o.schema = {{"client_id", DataType::kString}};
  UPCAMP_ASSIGN_OR_RETURN(Table t, ReadTableFile(path, o, ctx));
  const Column& ids = t.column(0);
  if (ids.type() != DataType::kString) {
    return Status::Data("{}: client_id must be text or integer keys", path);
  }
  std::vector<std::string> out;
  out.reserve(t.num_rows());
  for (size_t i = 0; i < t.num_rows(); ++i) {
    if (ids.IsNull(i)) return Status::Data("{}:{}: empty client_id", path, i + 2);
    out.emplace_back(ids.dictionary().Get(ids.codes()[i]));
  }
  return out;
}

namespace {

struct FeaturesArgs {
  std::string catalog, config, date_to, out, clients;
};

// The config is a list of {name, args}, or a mapping whose `features` key holds that list.
Result<std::vector<std::unique_ptr<Calcer>>> LoadFeatureConfig(const std::string& path) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::LoadFile(path));
  if (root.IsMap()) {
    UPCAMP_RETURN_IF_ERROR(root.CheckKeys({"features"}));
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* list, root.Get("features"));
    return MakeCalcers(*list);
  }
  return MakeCalcers(root);
}

Status Run(const FeaturesArgs& a, const GlobalOptions& g) {
  const Context ctx = g.MakeContext();
  const auto start = std::chrono::steady_clock::now();
  const auto date_to = ParseDate(a.date_to);
  if (!date_to) return Status::Usage("--date-to must be YYYY-MM-DD, got '{}'", a.date_to);
  UPCAMP_ASSIGN_OR_RETURN(auto calcers, LoadFeatureConfig(a.config));
  UPCAMP_ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(a.catalog));
  ExtractOptions options;
  options.params.date_to = *date_to;
  if (!a.clients.empty()) {
    UPCAMP_ASSIGN_OR_RETURN(options.clients, LoadClientList(a.clients, ctx));
  }
  CatalogSource source(catalog);
  UPCAMP_ASSIGN_OR_RETURN(Table features, ExtractFeatures(calcers, source, options, ctx));
  const auto write_start = std::chrono::steady_clock::now();
  UPCAMP_RETURN_IF_ERROR(WriteTableFile(features, a.out, ctx));
  spdlog::debug(
      "features: wrote {} in {:.2f} s", a.out,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("features: {} clients x {} columns as of {} -> {} ({:.1f} s)", features.num_rows(),
               features.num_columns() - 1, a.date_to, a.out, secs);
  return Status::Ok();
}

}  // namespace

void AddFeaturesCommand(CLI::App& app, CommandAction* selected) {
  auto args = std::make_shared<FeaturesArgs>();
  CLI::App* cmd =
      app.add_subcommand("features", "Compute customer features from a catalog as of a date");
  cmd->footer(
      "The config is a YAML list of calcers, e.g.\n"
      "  - {name: receipts_basic, args: {delta: 60}}\n"
      "  - {name: age_gender}\n"
      "Windows are [date_to - delta days, date_to): nothing at or after --date-to is seen.\n"
      "Output: client_id + one column per feature; .csv(.gz|.zst) or .ucol by extension.\n"
      "See `upcamp list calcers` and docs/features.md.");
  cmd->add_option("--catalog", args->catalog, "catalog.yaml naming the tables")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--config", args->config, "Feature config (YAML list of {name, args})")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--date-to", args->date_to, "Feature date YYYY-MM-DD (windows end here)")
      ->required();
  cmd->add_option("--out", args->out, "Output table file (.csv, .csv.gz, .csv.zst, .ucol)")
      ->required();
  cmd->add_option("--clients", args->clients,
                  "Only these clients (a table file with a client_id column); one row each, in "
                  "that order")
      ->check(CLI::ExistingFile);
  cmd->callback(
      [args, selected] { *selected = [args](const GlobalOptions& g) { return Run(*args, g); }; });
}

}  // namespace upcamp::cli
