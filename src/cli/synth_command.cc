// `upcamp synth` and `upcamp synth respond`: argument parsing and wiring only (src/synth).

#include <memory>
#include <string>

#include "cli/command.h"
#include "core/civil_time.h"
#include "core/log.h"
#include "synth/generator.h"
#include "synth/params.h"
#include "synth/respond.h"

namespace upcamp::cli {
namespace {

struct SynthArgs {
  std::string out;
  int64_t clients = synth::SynthParams{}.clients;
  uint64_t seed = synth::SynthParams{}.seed;
  std::string id_format = "hex";
  std::string history_from = "2018-11-21";
  std::string history_to = "2019-03-18";
  std::string treatment_date = "2019-03-21";
  int post_days = synth::SynthParams{}.post_days;
  int stores = synth::SynthParams{}.stores;
  int products = synth::SynthParams{}.products;
  std::string compress = "none";
};

struct RespondArgs {
  std::string data, assignment, out;
  uint64_t draw = 0;
};

Status ParseDateOption(const std::string& text, const char* option, int64_t* out) {
  const auto d = ParseDate(text);
  if (!d) return Status::Usage("{} must be a date YYYY-MM-DD, got '{}'", option, text);
  *out = *d;
  return Status::Ok();
}

Status RunSynth(const SynthArgs& a, const GlobalOptions& global) {
  if (a.out.empty()) {
    return Status::Usage("synth: --out DIR is required (or use `upcamp synth respond`)");
  }
  synth::SynthParams params;
  params.clients = a.clients;
  params.seed = a.seed;
  params.id_format = a.id_format == "int" ? synth::IdFormat::kInt : synth::IdFormat::kHex;
  UPCAMP_RETURN_IF_ERROR(ParseDateOption(a.history_from, "--history-from", &params.history_from));
  UPCAMP_RETURN_IF_ERROR(ParseDateOption(a.history_to, "--history-to", &params.history_to));
  UPCAMP_RETURN_IF_ERROR(
      ParseDateOption(a.treatment_date, "--treatment-date", &params.treatment_date));
  params.post_days = a.post_days;
  params.stores = a.stores;
  params.products = a.products;
  synth::SynthOutputOptions output;
  output.compress = a.compress;

  const Context ctx = global.MakeContext();
  synth::SynthSummary s;
  UPCAMP_RETURN_IF_ERROR(synth::GenerateDataset(params, output, a.out, ctx, &s));
  spdlog::info(
      "synth: {} clients, {} receipts, {} purchase lines, {} products, {} stores in {:.1f} s "
      "({} threads)",
      s.clients, s.receipts, s.purchase_lines, s.products, s.stores, s.seconds, ctx.threads);
  uint64_t total = 0;
  for (const auto& [name, bytes] : s.files) {
    spdlog::info("synth: wrote {}/{} ({})", a.out, name, HumanBytes(static_cast<double>(bytes)));
    total += bytes;
  }
  spdlog::info("synth: {} in total; campaign: {} treated, {} control", HumanBytes(total), s.treated,
               s.clients - s.treated);
  return Status::Ok();
}

Status RunRespond(const RespondArgs& a, const GlobalOptions& global) {
  synth::RespondSummary s;
  UPCAMP_RETURN_IF_ERROR(
      synth::SimulateResponses(a.data, a.assignment, a.out, global.MakeContext(), &s, a.draw));
  spdlog::info("synth respond: {} clients ({} offer, {} no_offer) -> {}", s.clients, s.offered,
               s.clients - s.offered, a.out);
  return Status::Ok();
}

}  // namespace

void AddSynthCommand(CLI::App& app, CommandAction* selected) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* cmd =
      app.add_subcommand("synth", "Generate a synthetic retail dataset in the reference schema");
  cmd->footer(
      "Writes the reference (X5 RetailHero) tables: client_profile, products, receipts,\n"
      "purchases, campaigns (a past 50/50 randomized campaign with outcomes), truth.csv (each\n"
      "client's true expected outcomes with and without the offer) and catalog.yaml.\n"
      "Deterministic for a seed, whatever the thread count. See docs/synth.md.");
  cmd->add_option("--out", args->out, "Output folder (created if missing)");
  cmd->add_option("--clients", args->clients, "Number of clients")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_option("--id-format", args->id_format, "Client ids: hex (X5-like) or int")
      ->check(CLI::IsMember({"hex", "int"}))
      ->capture_default_str();
  cmd->add_option("--history-from", args->history_from, "First day of the purchase history")
      ->capture_default_str();
  cmd->add_option("--history-to", args->history_to, "Last day of the purchase history (inclusive)")
      ->capture_default_str();
  cmd->add_option("--treatment-date", args->treatment_date,
                  "Treatment date of the past campaign (after --history-to)")
      ->capture_default_str();
  cmd->add_option("--post-days", args->post_days, "Days of the campaign's outcome window")
      ->capture_default_str();
  cmd->add_option("--stores", args->stores, "Number of stores")->capture_default_str();
  cmd->add_option("--products", args->products, "Number of products")->capture_default_str();
  cmd->add_option("--compress", args->compress,
                  "Compression of receipts and purchases: none, gz or zst")
      ->check(CLI::IsMember({"none", "gz", "zst"}))
      ->capture_default_str();

  auto rargs = std::make_shared<RespondArgs>();
  CLI::App* respond = cmd->add_subcommand(
      "respond", "Simulate the responses of a frozen campaign with the generator's model");
  respond->footer(
      "Writes client_id, target_purchases_sum, target_purchases_count and\n"
      "target_campaign_points_spent for every client of the assignment (columns client_id and\n"
      "treatment = offer | no_offer), drawn from the behaviour model that generated --data.");
  respond->add_option("--data", rargs->data, "Folder written by `upcamp synth`")->required();
  respond
      ->add_option("--assignment", rargs->assignment,
                   "CSV with client_id and treatment (offer | no_offer); other columns ignored")
      ->required();
  respond->add_option("--out", rargs->out, "Output CSV (.csv, .csv.gz or .csv.zst)")->required();
  respond
      ->add_option("--draw", rargs->draw,
                   "Which independent realization of the outcomes to draw (0: the default one; "
                   "others for simulation studies)")
      ->capture_default_str();
  respond->callback([selected, rargs] {
    *selected = [rargs](const GlobalOptions& g) { return RunRespond(*rargs, g); };
  });

  // CLI11 runs the parent's callback after the subcommand's: keep `respond`'s action.
  cmd->callback([selected, args, respond] {
    if (respond->parsed()) return;
    *selected = [args](const GlobalOptions& g) { return RunSynth(*args, g); };
  });
}

}  // namespace upcamp::cli
