#pragma once
// A stage of a multi-stage run: an immutable description (what it is, what it reads, what it
// depends on) plus the function that computes it. The flow engine (flow/run.h) decides whether a
// stage must run or can be restored from an earlier run, by its fingerprint:
//
//   fingerprint = stable hash of (name, code_version, params, inputs' fingerprints,
//                                 external files' absolute path + size + mtime [+ content hash])
//
// Change any of those — edit the config slice in `params`, touch an input file, bump
// `code_version` after changing what the stage computes — and the stage and everything
// downstream of it is recomputed; otherwise its committed output is reused.
//
// A stage writes files (`.ucol` tables, CSV, JSON, ...) into StageContext::output_dir(), a fresh
// private folder; the engine makes them durable and visible atomically when `run` returns OK.
// `run` must be deterministic given its params, inputs and Context::seed (resume promises
// byte-identical output), must not write anywhere else, and must not depend on the thread count.

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "core/status.h"

namespace upcamp::flow {

/// A file outside the run that a stage reads (a catalog table, a model bundle file, ...).
struct ExternalFile {
  std::string path;
  /// Also hash the file's bytes into the fingerprint (costs a full read on every run). Without
  /// it, a change is detected by size and modification time only.
  bool hash_content = false;
};

class StageContext;

/// The immutable description of one stage. Cheap to copy.
struct StageSpec {
  /// Unique within a flow; letters, digits, '_', '-', '.' (it names a folder); not starting '.'.
  std::string name;
  /// Bump whenever the code computing this stage changes its output (e.g. "features-v3").
  std::string code_version;
  /// Names of the stages whose outputs this stage reads; each must be listed before it in the flow.
  std::vector<std::string> inputs;
  /// The slice of the configuration this stage depends on (hashed in canonical, key-sorted form).
  nlohmann::json params = nlohmann::json::object();
  /// Files outside the run that the stage reads.
  std::vector<ExternalFile> external_files;
  /// Computes the stage: reads inputs, writes output files into ctx.output_dir(). An error
  /// (or an exception) marks the stage failed; nothing it wrote becomes visible.
  std::function<Status(StageContext& ctx)> run;
};

/// What a running stage sees. Created by the engine; valid only during `run`.
class StageContext {
 public:
  StageContext(const StageSpec& spec, std::string output_dir,
               std::map<std::string, std::string, std::less<>> input_dirs, const Context& ctx)
      : spec_(spec),
        output_dir_(std::move(output_dir)),
        input_dirs_(std::move(input_dirs)),
        ctx_(ctx) {}

  const StageSpec& spec() const { return spec_; }
  const nlohmann::json& params() const { return spec_.params; }
  const Context& ctx() const { return ctx_; }

  /// The (initially empty) folder to write this stage's output files into. Subfolders are allowed.
  const std::string& output_dir() const { return output_dir_; }
  /// output_dir() + "/" + file.
  std::string OutputPath(std::string_view file) const;

  /// The finished output folder of input stage `stage` (one of spec().inputs); an error names
  /// the stage and its declared inputs otherwise.
  Result<std::string> InputDir(std::string_view stage) const;
  /// InputDir(stage) + "/" + file.
  Result<std::string> InputPath(std::string_view stage, std::string_view file) const;

  /// Records how many rows the stage produced (shown in logs, the manifest and the history).
  void SetRows(int64_t rows) { rows_ = rows; }
  int64_t rows() const { return rows_; }

 private:
  const StageSpec& spec_;
  std::string output_dir_;
  std::map<std::string, std::string, std::less<>> input_dirs_;
  const Context& ctx_;
  int64_t rows_ = 0;
};

/// The fingerprint of `spec` (16 hex chars) given its inputs' fingerprints (by stage name; every
/// entry of spec.inputs must be present). Stats external files (and reads them if hash_content);
/// a missing external file is an I/O error naming the stage and the file.
Result<std::string> StageFingerprint(
    const StageSpec& spec,
    const std::map<std::string, std::string, std::less<>>& input_fingerprints);

/// Checks that `name` is usable as a stage or run name (non-empty, <= 128 chars, letters, digits,
/// '_', '-', '.', not starting with '.'); `what` names it in the error ("stage", "run id").
Status ValidateName(std::string_view name, std::string_view what);

}  // namespace upcamp::flow
