#pragma once
// Wiring between CLI11 and the library: each command file adds its subcommand and, when chosen,
// hands back an action. Commands do argument parsing and wiring only; the work is in the modules.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/context.h"
#include "core/status.h"

namespace upcamp::cli {

/// Options every command accepts (INTERFACE.md: --threads, --runs-dir, --quiet).
struct GlobalOptions {
  int threads = 0;  ///< 0 = all cores
  std::string runs_dir = "runs";
  bool quiet = false;
  bool verbose = false;

  Context MakeContext() const;
};

/// What main() runs after parsing: the chosen subcommand's work.
using CommandAction = std::function<Status(const GlobalOptions&)>;

/// Adds one top-level subcommand to `app`; when it is selected, its callback stores its action
/// into `*selected`.
using CommandAdder = void (*)(CLI::App& app, CommandAction* selected);

struct CommandRegistration {
  const char* name;
  CommandAdder add;
};

/// The explicit table of top-level commands (commands.cc), in --help order.
const std::vector<CommandRegistration>& AllCommands();

/// A client list file (--clients): a table file with a client_id column, one client per row.
Result<std::vector<std::string>> LoadClientList(const std::string& path, const Context& ctx);

/// Runs the CLI; returns the process exit code.
int RunMain(int argc, char** argv);

}  // namespace upcamp::cli
