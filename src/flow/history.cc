#include "flow/history.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>

#include "core/file_util.h"
#include "core/log.h"
#include "flow/lock.h"

namespace upcamp::flow {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id       TEXT PRIMARY KEY,
  config       TEXT NOT NULL,
  status       TEXT NOT NULL,
  attempts     INTEGER NOT NULL,
  created_at   REAL NOT NULL,
  started_at   REAL NOT NULL,
  finished_at  REAL,
  heartbeat_at REAL NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
CREATE TABLE IF NOT EXISTS stage_executions (
  run_id       TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  position     INTEGER NOT NULL,
  stage        TEXT NOT NULL,
  status       TEXT NOT NULL,
  fingerprint  TEXT NOT NULL DEFAULT '',
  reason       TEXT NOT NULL DEFAULT '',
  started_at   REAL,
  finished_at  REAL,
  rows         INTEGER NOT NULL DEFAULT 0,
  bytes        INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, attempt, stage)
);
)sql";

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One prepared statement; binds by position (1-based), steps, reads columns.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, const std::string& v) {
    if (ok())
      rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    if (ok()) rc_ = sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v) {
    if (ok()) rc_ = sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  /// Steps once: true if a row is available.
  Result<bool> Step() {
    if (!ok()) return Error();
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    rc_ = rc;
    return Error();
  }
  Status Run() {
    auto r = Step();
    return r.ok() ? Status::Ok() : r.status();
  }
  std::string Text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double Real(int i) const { return sqlite3_column_double(stmt_, i); }

 private:
  bool ok() const { return rc_ == SQLITE_OK; }
  Status Error() const {
    return Status::Io("{}: run history database error: {}", sqlite3_db_filename(db_, "main"),
                      sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status st = Status::Io("{}: run history database error: {}", sqlite3_db_filename(db, "main"),
                           err != nullptr ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

std::string HistoryPath(const std::string& runs_dir) {
  return runs_dir + "/history.sqlite";
}

}  // namespace

struct RunHistory::Impl {
  std::string runs_dir;
  sqlite3* db = nullptr;
  ~Impl() { sqlite3_close(db); }
};

RunHistory::RunHistory(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunHistory::~RunHistory() = default;

bool RunHistory::HistoryExists(const std::string& runs_dir) {
  return FileExists(HistoryPath(runs_dir));
}

Result<std::unique_ptr<RunHistory>> RunHistory::Open(const std::string& runs_dir, bool create) {
  const std::string path = HistoryPath(runs_dir);
  if (create) {
    UPCAMP_RETURN_IF_ERROR(MakeDirectories(runs_dir));
  } else if (!FileExists(path)) {
    return Status::Io("{}: no run history here", path);
  }
  auto impl = std::make_unique<Impl>();
  impl->runs_dir = runs_dir;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    return Status::Io("{}: cannot open run history database: {}", path,
                      impl->db != nullptr ? sqlite3_errmsg(impl->db) : "out of memory");
  }
  sqlite3_busy_timeout(impl->db, 10000);
  // WAL: readers (runs list) never block the writer and vice versa. synchronous=NORMAL may lose
  // the last history rows on power loss, never corrupt the file; the manifests are the truth.
  UPCAMP_RETURN_IF_ERROR(Exec(impl->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  Stmt version(impl->db, "PRAGMA user_version");
  UPCAMP_ASSIGN_OR_RETURN(bool has_row, version.Step());
  const int64_t v = has_row ? version.Int(0) : 0;
  if (v > kSchemaVersion) {
    return Status::Data("{}: run history schema version {} is newer than this upcamp's ({})", path,
                        v, kSchemaVersion);
  }
  if (v < kSchemaVersion) {
    UPCAMP_RETURN_IF_ERROR(Exec(impl->db, kSchema));
    UPCAMP_RETURN_IF_ERROR(
        Exec(impl->db, fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str()));
  }
  return std::unique_ptr<RunHistory>(new RunHistory(std::move(impl)));
}

Result<int> RunHistory::BeginAttempt(const std::string& run_id, const nlohmann::json& config,
                                     const std::string& host, int64_t pid) {
  sqlite3* db = impl_->db;
  const double now = NowSeconds();
  UPCAMP_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<int> {
    Stmt get(db, "SELECT attempts, status FROM runs WHERE run_id = ?");
    get.Bind(1, run_id);
    UPCAMP_ASSIGN_OR_RETURN(bool exists, get.Step());
    int attempt = 1;
    if (exists) {
      attempt = static_cast<int>(get.Int(0)) + 1;
      // The caller holds the run's lock, so an attempt still recorded as running is dead.
      if (get.Text(1) == "running") {
        Stmt stages(db,
                    "UPDATE stage_executions SET status = 'crashed' WHERE run_id = ? AND "
                    "attempt = ? AND status = 'running'");
        UPCAMP_RETURN_IF_ERROR(stages.Bind(1, run_id).Bind(2, attempt - 1).Run());
      }
      Stmt upd(db,
               "UPDATE runs SET config = ?, status = 'running', attempts = ?, started_at = ?, "
               "finished_at = NULL, heartbeat_at = ?, host = ?, pid = ?, error = '' "
               "WHERE run_id = ?");
      UPCAMP_RETURN_IF_ERROR(upd.Bind(1, config.dump())
                                 .Bind(2, attempt)
                                 .Bind(3, now)
                                 .Bind(4, now)
                                 .Bind(5, host)
                                 .Bind(6, pid)
                                 .Bind(7, run_id)
                                 .Run());
    } else {
      Stmt ins(db,
               "INSERT INTO runs (run_id, config, status, attempts, created_at, started_at, "
               "heartbeat_at, host, pid) VALUES (?, ?, 'running', 1, ?, ?, ?, ?, ?)");
      UPCAMP_RETURN_IF_ERROR(ins.Bind(1, run_id)
                                 .Bind(2, config.dump())
                                 .Bind(3, now)
                                 .Bind(4, now)
                                 .Bind(5, now)
                                 .Bind(6, host)
                                 .Bind(7, pid)
                                 .Run());
    }
    return attempt;
  };
  Result<int> r = body();
  if (!r.ok()) {
    (void)Exec(db, "ROLLBACK");
    return r;
  }
  UPCAMP_RETURN_IF_ERROR(Exec(db, "COMMIT"));
  return r;
}

Status RunHistory::AddPendingStages(const std::string& run_id, int attempt,
                                    const std::vector<std::string>& stages) {
  sqlite3* db = impl_->db;
  UPCAMP_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status st;
  for (size_t i = 0; i < stages.size() && st.ok(); ++i) {
    Stmt ins(db,
             "INSERT OR REPLACE INTO stage_executions (run_id, attempt, position, stage, status) "
             "VALUES (?, ?, ?, ?, 'pending')");
    st = ins.Bind(1, run_id).Bind(2, attempt).Bind(3, static_cast<int>(i)).Bind(4, stages[i]).Run();
  }
  if (!st.ok()) {
    (void)Exec(db, "ROLLBACK");
    return st;
  }
  return Exec(db, "COMMIT");
}

Status RunHistory::StageRunning(const std::string& run_id, int attempt, const std::string& stage,
                                const std::string& fingerprint, const std::string& reason) {
  Stmt upd(impl_->db,
           "UPDATE stage_executions SET status = 'running', fingerprint = ?, reason = ?, "
           "started_at = ? WHERE run_id = ? AND attempt = ? AND stage = ?");
  return upd.Bind(1, fingerprint)
      .Bind(2, reason)
      .Bind(3, NowSeconds())
      .Bind(4, run_id)
      .Bind(5, attempt)
      .Bind(6, stage)
      .Run();
}

Status RunHistory::StageEnded(const std::string& run_id, int attempt, const std::string& stage,
                              const std::string& status, const std::string& fingerprint,
                              int64_t rows, uint64_t bytes, const std::string& error) {
  const double now = NowSeconds();
  Stmt upd(impl_->db,
           "UPDATE stage_executions SET status = ?, fingerprint = ?, rows = ?, bytes = ?, "
           "error = ?, started_at = COALESCE(started_at, ?), finished_at = ? "
           "WHERE run_id = ? AND attempt = ? AND stage = ?");
  return upd.Bind(1, status)
      .Bind(2, fingerprint)
      .Bind(3, rows)
      .Bind(4, static_cast<int64_t>(bytes))
      .Bind(5, error)
      .Bind(6, now)
      .Bind(7, now)
      .Bind(8, run_id)
      .Bind(9, attempt)
      .Bind(10, stage)
      .Run();
}

Status RunHistory::EndAttempt(const std::string& run_id, int attempt, const std::string& status,
                              const std::string& error) {
  Stmt upd(impl_->db,
           "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE run_id = ? AND "
           "attempts = ?");
  return upd.Bind(1, status)
      .Bind(2, NowSeconds())
      .Bind(3, error)
      .Bind(4, run_id)
      .Bind(5, attempt)
      .Run();
}

Status RunHistory::Heartbeat(const std::string& run_id) {
  Stmt upd(impl_->db, "UPDATE runs SET heartbeat_at = ? WHERE run_id = ?");
  return upd.Bind(1, NowSeconds()).Bind(2, run_id).Run();
}

Status RunHistory::ApplyRetention(const RetentionPolicy& policy) {
  sqlite3* db = impl_->db;
  UPCAMP_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Stmt old_runs(db,
                "DELETE FROM runs WHERE run_id IN (SELECT run_id FROM runs ORDER BY started_at "
                "DESC LIMIT -1 OFFSET ?)");
  Status st = old_runs.Bind(1, std::max(policy.max_runs, 1)).Run();
  if (st.ok()) {
    Stmt orphans(db,
                 "DELETE FROM stage_executions WHERE run_id NOT IN (SELECT run_id FROM runs) OR "
                 "attempt <= (SELECT attempts FROM runs r WHERE r.run_id = "
                 "stage_executions.run_id) - ?");
    st = orphans.Bind(1, std::max(policy.max_attempts_per_run, 1)).Run();
  }
  if (!st.ok()) {
    (void)Exec(db, "ROLLBACK");
    return st;
  }
  return Exec(db, "COMMIT");
}

namespace {

// "running" as recorded, but is the process still there?
bool ProcessGone(const RunRecord& r, const std::string& runs_dir, double stale_after_s) {
  if (r.host == HostName()) {
    const std::string lock = runs_dir + "/" + r.run_id + "/.lock";
    if (FileExists(lock)) return !LockIsHeld(lock);
    return ::kill(static_cast<pid_t>(r.pid), 0) != 0 && errno == ESRCH;
  }
  return NowSeconds() - r.heartbeat_at > stale_after_s;
}

constexpr const char* kRunColumns =
    "SELECT r.run_id, r.config, r.status, r.attempts, r.created_at, r.started_at, "
    "COALESCE(r.finished_at, 0), r.heartbeat_at, r.host, r.pid, r.error, "
    "(SELECT COUNT(*) FROM stage_executions s WHERE s.run_id = r.run_id AND s.attempt = "
    "r.attempts), "
    "(SELECT COUNT(*) FROM stage_executions s WHERE s.run_id = r.run_id AND s.attempt = "
    "r.attempts AND s.status IN ('finished', 'restored')) FROM runs r ";

RunRecord ReadRun(const Stmt& s, const std::string& runs_dir, double stale_after_s) {
  RunRecord r;
  r.run_id = s.Text(0);
  r.config = nlohmann::json::parse(s.Text(1), nullptr, /*allow_exceptions=*/false);
  r.status = s.Text(2);
  r.attempts = static_cast<int>(s.Int(3));
  r.created_at = s.Real(4);
  r.started_at = s.Real(5);
  r.finished_at = s.Real(6);
  r.heartbeat_at = s.Real(7);
  r.host = s.Text(8);
  r.pid = s.Int(9);
  r.error = s.Text(10);
  r.stages_total = static_cast<int>(s.Int(11));
  r.stages_done = static_cast<int>(s.Int(12));
  if (r.status == "running" && ProcessGone(r, runs_dir, stale_after_s)) r.status = "crashed";
  return r;
}

}  // namespace

Result<std::vector<RunRecord>> RunHistory::ListRuns(int limit) {
  Stmt s(impl_->db,
         fmt::format("{} ORDER BY r.started_at DESC, r.run_id LIMIT ?", kRunColumns).c_str());
  s.Bind(1, limit > 0 ? limit : -1);
  std::vector<RunRecord> out;
  while (true) {
    UPCAMP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRun(s, impl_->runs_dir, stale_after_s));
  }
  return out;
}

Result<std::optional<RunRecord>> RunHistory::GetRun(const std::string& run_id) {
  Stmt s(impl_->db, fmt::format("{} WHERE r.run_id = ?", kRunColumns).c_str());
  s.Bind(1, run_id);
  UPCAMP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<RunRecord>();
  return std::optional<RunRecord>(ReadRun(s, impl_->runs_dir, stale_after_s));
}

Result<std::vector<StageRecord>> RunHistory::GetStages(const std::string& run_id, int attempt) {
  UPCAMP_ASSIGN_OR_RETURN(auto run, GetRun(run_id));
  if (!run) return std::vector<StageRecord>();
  if (attempt <= 0) attempt = run->attempts;
  const bool attempt_dead = run->attempts == attempt && run->status == "crashed";
  Stmt s(impl_->db,
         "SELECT run_id, attempt, position, stage, status, fingerprint, reason, "
         "COALESCE(started_at, 0), COALESCE(finished_at, 0), rows, bytes, error "
         "FROM stage_executions WHERE run_id = ? AND attempt = ? ORDER BY position");
  s.Bind(1, run_id).Bind(2, attempt);
  std::vector<StageRecord> out;
  while (true) {
    UPCAMP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    StageRecord r;
    r.run_id = s.Text(0);
    r.attempt = static_cast<int>(s.Int(1));
    r.position = static_cast<int>(s.Int(2));
    r.stage = s.Text(3);
    r.status = s.Text(4);
    r.fingerprint = s.Text(5);
    r.reason = s.Text(6);
    r.started_at = s.Real(7);
    r.finished_at = s.Real(8);
    r.rows = s.Int(9);
    r.bytes = static_cast<uint64_t>(s.Int(10));
    r.error = s.Text(11);
    // A stage of a dead attempt that was running crashed with it.
    if (attempt_dead && r.status == "running") r.status = "crashed";
    out.push_back(std::move(r));
  }
  return out;
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// --- Reports ---

namespace {

std::string LocalTime(double t) {
  if (t <= 0) return "-";
  const time_t secs = static_cast<time_t>(t);
  struct tm tm {};
  localtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string IsoUtc(double t) {
  if (t <= 0) return "";
  const time_t secs = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Duration(double start, double end) {
  if (start <= 0 || end <= 0 || end < start) return "-";
  const double s = end - start;
  if (s < 60) return fmt::format("{:.2f} s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{}h{:02}m", static_cast<int>(s) / 3600, (static_cast<int>(s) % 3600) / 60);
}

// A plain text table: columns padded to their widest cell, two spaces apart.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

nlohmann::ordered_json RunJson(const RunRecord& r) {
  return {{"run_id", r.run_id},
          {"status", r.status},
          {"attempts", r.attempts},
          {"created_at", IsoUtc(r.created_at)},
          {"started_at", IsoUtc(r.started_at)},
          {"finished_at", IsoUtc(r.finished_at)},
          {"heartbeat_at", IsoUtc(r.heartbeat_at)},
          {"host", r.host},
          {"pid", r.pid},
          {"stages_total", r.stages_total},
          {"stages_done", r.stages_done},
          {"error", r.error},
          {"config", r.config}};
}

nlohmann::ordered_json StageJson(const StageRecord& s) {
  return {
      {"stage", s.stage},
      {"status", s.status},
      {"fingerprint", s.fingerprint},
      {"reason", s.reason},
      {"started_at", IsoUtc(s.started_at)},
      {"finished_at", IsoUtc(s.finished_at)},
      {"duration_s", s.finished_at > 0 && s.started_at > 0 ? s.finished_at - s.started_at : 0.0},
      {"rows", s.rows},
      {"bytes", s.bytes},
      {"error", s.error}};
}

}  // namespace

Result<std::string> FormatRunList(const std::string& runs_dir, bool json, int limit) {
  std::vector<RunRecord> runs;
  if (RunHistory::HistoryExists(runs_dir)) {
    UPCAMP_ASSIGN_OR_RETURN(auto history, RunHistory::Open(runs_dir, false));
    UPCAMP_ASSIGN_OR_RETURN(runs, history->ListRuns(limit));
  }
  if (json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& r : runs) j.push_back(RunJson(r));
    return j.dump(2) + "\n";
  }
  if (runs.empty()) return fmt::format("no runs in {}\n", runs_dir);
  std::vector<std::vector<std::string>> rows = {
      {"RUN ID", "STATUS", "STAGES", "ATTEMPTS", "STARTED", "DURATION", "HOST", "PID"}};
  for (const auto& r : runs) {
    rows.push_back({r.run_id, r.status, fmt::format("{}/{}", r.stages_done, r.stages_total),
                    std::to_string(r.attempts), LocalTime(r.started_at),
                    Duration(r.started_at, r.finished_at), r.host, std::to_string(r.pid)});
  }
  return Table(rows);
}

Result<std::string> FormatRunStatus(const std::string& runs_dir, const std::string& run_id,
                                    bool json) {
  std::optional<RunRecord> run;
  std::vector<StageRecord> stages;
  if (RunHistory::HistoryExists(runs_dir)) {
    UPCAMP_ASSIGN_OR_RETURN(auto history, RunHistory::Open(runs_dir, false));
    UPCAMP_ASSIGN_OR_RETURN(run, history->GetRun(run_id));
    if (run) {
      UPCAMP_ASSIGN_OR_RETURN(stages, history->GetStages(run_id));
    }
  }
  if (!run) {
    return Status::Usage("no run '{}' in the history of {} (see `upcamp runs list`)", run_id,
                         runs_dir);
  }
  if (json) {
    nlohmann::ordered_json j = RunJson(*run);
    j["stages"] = nlohmann::ordered_json::array();
    for (const auto& s : stages) j["stages"].push_back(StageJson(s));
    return j.dump(2) + "\n";
  }
  std::string out = fmt::format("run {}: {} (attempt {}, {}/{} stages done)\n", run->run_id,
                                run->status, run->attempts, run->stages_done, run->stages_total);
  out += fmt::format("started {}  duration {}  host {}  pid {}\n", LocalTime(run->started_at),
                     Duration(run->started_at, run->finished_at), run->host, run->pid);
  if (!run->error.empty()) out += "error: " + run->error + "\n";
  out += "\n";
  std::vector<std::vector<std::string>> rows = {
      {"STAGE", "STATUS", "ROWS", "BYTES", "DURATION", "STARTED", "WHY COMPUTED / ERROR"}};
  for (const auto& s : stages) {
    const bool has_data = s.status == "finished" || s.status == "restored";
    rows.push_back({s.stage, s.status, has_data ? std::to_string(s.rows) : "-",
                    has_data ? HumanBytes(static_cast<double>(s.bytes)) : "-",
                    Duration(s.started_at, s.finished_at), LocalTime(s.started_at),
                    !s.error.empty() ? s.error : s.reason});
  }
  return out + Table(rows);
}

}  // namespace upcamp::flow
