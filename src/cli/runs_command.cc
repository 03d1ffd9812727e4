// `upcamp runs list|show`: the run history of --runs-dir (flow/history.h), for humans and (--json)
// scripts.

#include <cstdio>

#include "cli/command.h"
#include "flow/history.h"

namespace upcamp::cli {
namespace {

struct RunsArgs {
  bool json = false;
  int limit = 0;
  std::string run_id;
};

Status Print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return Status::Io("cannot write to stdout");
  }
  return Status::Ok();
}

}  // namespace

void AddRunsCommand(CLI::App& app, CommandAction* selected) {
  CLI::App* cmd =
      app.add_subcommand("runs", "Run history: campaign and training runs in --runs-dir");
  cmd->require_subcommand(1);

  auto list_args = std::make_shared<RunsArgs>();
  CLI::App* list = cmd->add_subcommand(
      "list",
      "Every run, most recent first: status (running, finished, partial, failed, "
      "crashed), stages done, attempts, start time, duration, host and pid");
  list->add_flag("--json", list_args->json, "Machine-readable output (a JSON array)");
  list->add_option("--limit", list_args->limit, "Show only the N most recent runs")
      ->check(CLI::NonNegativeNumber);
  list->callback([list_args, selected] {
    *selected = [list_args](const GlobalOptions& g) -> Status {
      UPCAMP_ASSIGN_OR_RETURN(std::string text,
                              flow::FormatRunList(g.runs_dir, list_args->json, list_args->limit));
      return Print(text);
    };
  });

  auto show_args = std::make_shared<RunsArgs>();
  CLI::App* show = cmd->add_subcommand(
      "show",
      "One run: its status and the stages of its latest attempt (status, rows, bytes, "
      "duration, why a stage was recomputed, errors)");
  show->add_option("--run-id", show_args->run_id, "The run")->required();
  show->add_flag("--json", show_args->json, "Machine-readable output (a JSON object)");
  show->callback([show_args, selected] {
    *selected = [show_args](const GlobalOptions& g) -> Status {
      UPCAMP_ASSIGN_OR_RETURN(
          std::string text, flow::FormatRunStatus(g.runs_dir, show_args->run_id, show_args->json));
      return Print(text);
    };
  });
}

}  // namespace upcamp::cli
