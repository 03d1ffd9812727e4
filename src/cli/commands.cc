// The command table and the top-level parser.

#include <cstdio>
#include <exception>

#include "cli/command.h"
#include "core/log.h"
#include "core/version.h"

namespace upcamp::cli {

void AddSynthCommand(CLI::App& app, CommandAction* selected);
void AddTableCommand(CLI::App& app, CommandAction* selected);
void AddFeaturesCommand(CLI::App& app, CommandAction* selected);
void AddListCommand(CLI::App& app, CommandAction* selected);
void AddTrainCommand(CLI::App& app, CommandAction* selected);
void AddScoreCommand(CLI::App& app, CommandAction* selected);
void AddMetricsCommand(CLI::App& app, CommandAction* selected);
void AddRunsCommand(CLI::App& app, CommandAction* selected);
void AddCampaignCommand(CLI::App& app, CommandAction* selected);

const std::vector<CommandRegistration>& AllCommands() {
  static const std::vector<CommandRegistration> kCommands = {
      {"synth", AddSynthCommand},
      {"table", AddTableCommand},
      {"features", AddFeaturesCommand},
      {"train", AddTrainCommand},
      {"score", AddScoreCommand},
      {"metrics", AddMetricsCommand},
      {"campaign", AddCampaignCommand},
      {"list", AddListCommand},
      {"runs", AddRunsCommand},
  };
  return kCommands;
}

Context GlobalOptions::MakeContext() const {
  Context ctx;
  ctx.threads = Context::ResolveThreads(threads);
  ctx.quiet = quiet;
  return ctx;
}

int RunMain(int argc, char** argv) {
  CLI::App app{"upcamp: uplift-modelled marketing campaigns, end to end.\n"
               "Purchase logs -> features -> uplift model bundle -> randomized, frozen campaign ->\n"
               "honest evaluation. Run `upcamp COMMAND --help` for a command's options.",
               "upcamp"};
  app.set_version_flag("--version", std::string("upcamp ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand

  GlobalOptions global;
  app.add_option("--threads", global.threads, "Worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--runs-dir", global.runs_dir, "Folder of campaign runs and run history")
      ->capture_default_str();
  app.add_flag("--quiet,-q", global.quiet, "Only warnings and errors on stderr");
  app.add_flag("--verbose,-v", global.verbose, "Debug logging");
  app.footer("Exit codes: 0 success, 1 runtime failure, 2 usage or config error, 3 data error.");

  CommandAction selected;
  for (const auto& cmd : AllCommands()) cmd.add(app, &selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // CLI11 reports --help/--version as "errors" with code 0; real parse errors are usage errors.
    return rc == 0 ? 0 : 2;
  }

  InitLogging(global.quiet, global.verbose);
  if (!selected) {
    std::fprintf(stderr, "upcamp: usage error: no command given (see upcamp --help)\n");
    return 2;
  }
  Status st;
  try {
    st = selected(global);
  } catch (const std::bad_alloc&) {
    st = Status::Runtime("out of memory");
  } catch (const std::exception& e) {
    st = Status::Runtime("internal error: {}", e.what());
  }
  if (!st.ok()) {
    std::fprintf(stderr, "upcamp: %s\n", st.ToString().c_str());
    return ExitCodeFor(st.code());
  }
  return 0;
}

}  // namespace upcamp::cli
