#pragma once
// Run history: an embedded SQLite database, `<runs_dir>/history.sqlite` (WAL mode, so readers
// such as `upcamp runs list` never block a running flow). Two tables:
//
//   runs             one row per run id: config (JSON), status of the latest attempt, attempts,
//                    times (Unix seconds), host, pid, heartbeat, error
//   stage_executions one row per (run id, attempt, stage): status, fingerprint, why it was
//                    recomputed, times, rows, bytes, error
//
// Run status: running | finished | partial (run with --until) | failed (a stage returned an error)
// | crashed (the process died: no clean finish was recorded). Stage status: pending | running |
// finished (computed) | restored (reused from an earlier attempt) | failed | crashed.
//
// "crashed" is decided when reading: a run recorded as running whose process is gone — on this
// host, nobody holds the run's lock file (the kernel drops a flock when a process dies, even on
// SIGKILL); on another host, its heartbeat is older than `stale_after_s`. The next attempt on the
// run id also writes "crashed" into the rows of the dead attempt.
//
// The database is history, not state: resume decisions come from the manifests in the run
// folders, so deleting the database (or rows pruned by the retention policy) loses only history.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace upcamp::flow {

struct RunRecord {
  std::string run_id;
  nlohmann::json config;
  std::string status;  ///< as shown: "running" turns into "crashed" if the process is gone
  int attempts = 0;
  double created_at = 0;   ///< first attempt started (Unix seconds)
  double started_at = 0;   ///< latest attempt started
  double finished_at = 0;  ///< latest attempt ended (0 while running or crashed)
  double heartbeat_at = 0;
  std::string host;
  int64_t pid = 0;
  std::string error;     ///< the failing stage's error, for failed runs
  int stages_total = 0;  ///< in the latest attempt
  int stages_done = 0;   ///< finished or restored, in the latest attempt
};

struct StageRecord {
  std::string run_id;
  int attempt = 0;
  int position = 0;  ///< index in the flow
  std::string stage;
  std::string status;
  std::string fingerprint;
  std::string reason;  ///< why it was computed (empty for restored / pending)
  double started_at = 0;
  double finished_at = 0;
  int64_t rows = 0;
  uint64_t bytes = 0;
  std::string error;
};

/// Bounds the database: runs beyond the `max_runs` most recently started are deleted, and for
/// each run only the stage rows of its last `max_attempts_per_run` attempts are kept. Run folders
/// on disk are never touched (deleting data is the user's call).
struct RetentionPolicy {
  int max_runs = 1000;
  int max_attempts_per_run = 20;
};

class RunHistory {
 public:
  /// Opens `<runs_dir>/history.sqlite`. With `create`, creates the folder and database if
  /// missing; without, a missing database is an I/O error (callers check HistoryExists first).
  static Result<std::unique_ptr<RunHistory>> Open(const std::string& runs_dir, bool create);
  static bool HistoryExists(const std::string& runs_dir);
  ~RunHistory();
  RunHistory(const RunHistory&) = delete;
  RunHistory& operator=(const RunHistory&) = delete;

  // --- Writing (the engine, while holding the run's lock) ---

  /// Starts a new attempt of `run_id` (creating the run row on the first one); an attempt left
  /// "running" by a dead process is marked crashed first. Returns the new attempt number (1, 2,
  /// ..).
  Result<int> BeginAttempt(const std::string& run_id, const nlohmann::json& config,
                           const std::string& host, int64_t pid);
  /// Adds the stages this attempt will consider, as pending, in flow order.
  Status AddPendingStages(const std::string& run_id, int attempt,
                          const std::vector<std::string>& stages);
  Status StageRunning(const std::string& run_id, int attempt, const std::string& stage,
                      const std::string& fingerprint, const std::string& reason);
  /// Ends a stage: status "finished", "restored" or "failed".
  Status StageEnded(const std::string& run_id, int attempt, const std::string& stage,
                    const std::string& status, const std::string& fingerprint, int64_t rows,
                    uint64_t bytes, const std::string& error);
  /// Ends the attempt: status "finished", "partial" or "failed".
  Status EndAttempt(const std::string& run_id, int attempt, const std::string& status,
                    const std::string& error);
  Status Heartbeat(const std::string& run_id);
  Status ApplyRetention(const RetentionPolicy& policy);

  // --- Reading ---

  /// Runs, most recently started first; `limit` <= 0 means all.
  Result<std::vector<RunRecord>> ListRuns(int limit = 0);
  Result<std::optional<RunRecord>> GetRun(const std::string& run_id);
  /// Stage rows of one attempt (0 = the latest), in flow order.
  Result<std::vector<StageRecord>> GetStages(const std::string& run_id, int attempt = 0);

  /// A running run on another host is shown crashed when its heartbeat is older than this.
  double stale_after_s = 120;

 private:
  struct Impl;
  explicit RunHistory(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `upcamp runs list`: a table of runs (most recent first) or, with `json`, a JSON array.
/// An empty or missing history prints a line saying so (JSON: `[]`).
Result<std::string> FormatRunList(const std::string& runs_dir, bool json, int limit = 0);

/// The status of one run: its record and the stages of its latest attempt (table or JSON object);
/// an unknown run id is a usage error naming the runs folder. Used by `upcamp runs show` and
/// `upcamp campaign status`.
Result<std::string> FormatRunStatus(const std::string& runs_dir, const std::string& run_id,
                                    bool json);

/// The host name recorded with runs.
std::string HostName();

}  // namespace upcamp::flow
