#pragma once
// The flow engine: runs a list of stages (flow/stage.h) under a run id, persisting every stage so
// that re-running the same run id after an error, `kill -9` or a power cut continues where it
// stopped and gives byte-identical output.
//
// Layout of a run folder (`<runs_dir>/<run_id>/`):
//
//   .lock                        flock()ed by the process running it (holds "pid host")
//   stages/<stage>/              the stage's output files (visible only once complete)
//   stages/<stage>.manifest.json committed last: fingerprint, rows, checksums, timings
//   stages/.tmp-<stage>-<pid>/   where a running stage writes (removed on the next run)
//
// and `<runs_dir>/history.sqlite` holds the run history (flow/history.h).
//
// Each stage, in the given order:
//   restored  if its manifest exists, its fingerprint matches, its inputs' output digests match
//             those it was computed from, and its files verify (sizes and XXH3 checksums);
//   computed  otherwise: old manifest and output removed, `run` writes into a temp folder, the
//             files are fsynced, the folder is renamed into place, then the manifest is committed.
// A changed stage therefore recomputes itself and, through the fingerprints, all its downstream.
//
// Fault injection for tests: UPCAMP_FAULT=STAGE:POINT makes the process SIGKILL itself when
// stage STAGE reaches POINT, one of
//   before_outputs  the stage is marked running, `run` not yet called
//   after_outputs   `run` returned and its files are synced, folder not yet renamed
//   after_rename    output folder in place, manifest not yet committed
//   after_manifest  manifest committed, history not yet updated
// UPCAMP_FAULT=STAGE:POINT:stop stops it instead (SIGSTOP), so that a test can act while the run
// holds its lock at a known point and then let it go on (SIGCONT). Callers name points of their
// own steps with InjectFault (e.g. the campaign's "publish:after_result").

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "flow/lock.h"
#include "flow/stage.h"

namespace upcamp::flow {

struct RunSummary;

struct RunOptions {
  /// Folder holding run folders and the history database (the CLI's --runs-dir).
  std::string runs_dir = "runs";
  /// The run to create or resume (a name: letters, digits, '_', '-', '.').
  std::string run_id;
  /// The run's whole configuration, stored in the history for `runs list` / status (not hashed:
  /// each stage's fingerprint covers its own params slice).
  nlohmann::json config = nlohmann::json::object();
  /// If set: recompute this stage and everything downstream even if they could be restored.
  std::string force_stage;
  /// If set: run only this stage and the stages it (transitively) reads; the run's status is then
  /// "partial" unless every stage ended up finished.
  std::string until_stage;
  /// Verify output checksums of restored stages (reads every output byte; XXH3 runs at several
  /// GB/s). Off: sizes only.
  bool verify_checksums = true;
  /// Seconds between heartbeats written to the history while a run is alive (a run whose
  /// heartbeat is older than `stale_after_s` on another host is shown as crashed).
  double heartbeat_interval_s = 10;
  /// Threads and seed handed to every stage.
  Context ctx;
  /// The run's lock, if the caller already holds it (LockRun): to check or change the run folder
  /// atomically with the run, e.g. to refuse a run that another process has just published.
  /// Null: RunFlow takes the lock itself and releases it when it returns.
  const RunLock* lock = nullptr;
  /// If set, called once every selected stage is finished, still under the run's lock and before
  /// the attempt is recorded as ended: to publish results outside `stages/` without another
  /// process on the run id interleaving. An error fails the attempt (history: `failed`, the error
  /// returned as is); a crash during it leaves the attempt `crashed`. Not called when a stage
  /// failed.
  std::function<Status(const RunSummary& summary)> publish;
};

/// What happened to one stage in this invocation.
struct StageOutcome {
  enum class Action { kRestored, kComputed, kSkipped };
  std::string name;
  Action action = Action::kSkipped;
  std::string fingerprint;
  std::string output_dir;  ///< the finished folder (empty when skipped)
  int64_t rows = 0;
  uint64_t bytes = 0;
  double duration_s = 0;  ///< of this invocation (restore = verification time)
  std::string reason;     ///< why it was recomputed ("no manifest", "fingerprint changed", ...)
};
const char* ActionName(StageOutcome::Action action);

struct RunSummary {
  std::string run_id;
  std::string run_dir;
  int attempt = 0;                   ///< 1 for the first invocation of this run id, then 2, 3, ...
  std::vector<StageOutcome> stages;  ///< in flow order
  double duration_s = 0;

  const StageOutcome* Find(std::string_view stage) const;
  int Count(StageOutcome::Action action) const;
};

/// Runs (or resumes) the flow `stages` as run `options.run_id`. Stages must be listed in
/// dependency order (each reads only stages before it). Refuses, with an error naming the
/// holder's pid and host, if another process is running the same run id. A failing stage stops
/// the run: its error is returned (prefixed with the stage name), the history marks the stage and
/// the run failed, and finished stages stay finished for the next attempt.
Result<RunSummary> RunFlow(const RunOptions& options, const std::vector<StageSpec>& stages);

/// Takes the lock of run `run_id` without waiting, creating `<runs_dir>/<run_id>/`, as RunFlow
/// does. Another process holding it is a runtime error naming its pid and host.
Result<RunLock> LockRun(const std::string& runs_dir, const std::string& run_id);

/// Fault injection (see UPCAMP_FAULT above): kills (or stops) the process if UPCAMP_FAULT is
/// `where:point` (or `where:point:stop`); otherwise does nothing. RunFlow calls it with each
/// stage's name at the points listed above; a caller may name its own steps (`where` must not be
/// a stage of its flow, whose points RunFlow checks).
void InjectFault(std::string_view where, std::string_view point);

/// `<runs_dir>/<run_id>`.
std::string RunDir(const std::string& runs_dir, const std::string& run_id);
/// `<runs_dir>/<run_id>/stages/<stage>`: where a finished stage's outputs live.
std::string StageOutputDir(const std::string& runs_dir, const std::string& run_id,
                           const std::string& stage);

/// The output folder of `stage` of run `run_id` if that stage is finished (manifest present,
/// files verified); otherwise a data error saying what is wrong. For reading results after a run.
Result<std::string> FinishedStageDir(const std::string& runs_dir, const std::string& run_id,
                                     const std::string& stage, bool verify_checksums = true);

}  // namespace upcamp::flow
