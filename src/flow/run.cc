#include "flow/run.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/file_util.h"
#include "core/log.h"
#include "flow/history.h"
#include "flow/lock.h"
#include "flow/manifest.h"

namespace upcamp::flow {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFaultEnv = "UPCAMP_FAULT";
constexpr const char* kBeforeOutputs = "before_outputs";
constexpr const char* kAfterOutputs = "after_outputs";
constexpr const char* kAfterRename = "after_rename";
constexpr const char* kAfterManifest = "after_manifest";

// UPCAMP_FAULT=WHERE:POINT[:stop]
struct Fault {
  std::string where;
  std::string point;
  bool stop = false;
};

Result<std::optional<Fault>> ParseFault() {
  const char* v = std::getenv(kFaultEnv);
  if (v == nullptr || *v == '\0') return std::optional<Fault>();
  const std::string s(v);
  std::vector<std::string> parts;
  for (size_t begin = 0;;) {
    const size_t colon = s.find(':', begin);
    parts.push_back(s.substr(begin, colon == std::string::npos ? colon : colon - begin));
    if (colon == std::string::npos) break;
    begin = colon + 1;
  }
  const bool valid = (parts.size() == 2 || (parts.size() == 3 && parts[2] == "stop")) &&
                     !parts[0].empty() && !parts[1].empty();
  if (!valid) {
    return Status::Usage("{}={}: expected STAGE:POINT or STAGE:POINT:stop", kFaultEnv, s);
  }
  return std::optional<Fault>(Fault{parts[0], parts[1], parts.size() == 3});
}

// A fault naming a stage of this flow must name one of the engine's points (a typo would
// otherwise silently never fire); other names are the caller's own steps (InjectFault).
Status ValidateFault(const std::map<std::string, size_t, std::less<>>& index) {
  UPCAMP_ASSIGN_OR_RETURN(const std::optional<Fault> fault, ParseFault());
  if (!fault || index.count(fault->where) == 0) return Status::Ok();
  for (const char* point : {kBeforeOutputs, kAfterOutputs, kAfterRename, kAfterManifest}) {
    if (fault->point == point) return Status::Ok();
  }
  return Status::Usage("{}={}:{}: POINT must be one of {}, {}, {}, {}", kFaultEnv, fault->where,
                       fault->point, kBeforeOutputs, kAfterOutputs, kAfterRename, kAfterManifest);
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Writes the run's heartbeat to the history from its own thread and connection, so that a run
// on another host can be told alive or dead even while one stage computes for hours.
class HeartbeatThread {
 public:
  HeartbeatThread(std::string runs_dir, std::string run_id, double interval_s) {
    if (interval_s <= 0) return;
    thread_ =
        std::thread([this, runs_dir = std::move(runs_dir), run_id = std::move(run_id), interval_s] {
          auto history = RunHistory::Open(runs_dir, false);
          if (!history.ok()) {
            spdlog::warn("run {}: no heartbeat: {}", run_id, history.status().ToString());
            return;
          }
          std::unique_lock<std::mutex> lock(mu_);
          while (!cv_.wait_for(lock, std::chrono::duration<double>(interval_s),
                               [this] { return stop_; })) {
            const Status st = (*history)->Heartbeat(run_id);
            if (!st.ok()) spdlog::debug("run {}: heartbeat: {}", run_id, st.ToString());
          }
        });
  }
  ~HeartbeatThread() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  HeartbeatThread(const HeartbeatThread&) = delete;
  HeartbeatThread& operator=(const HeartbeatThread&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

std::string NameList(const std::vector<StageSpec>& stages) {
  std::string out;
  for (const auto& s : stages) out += (out.empty() ? "" : ", ") + s.name;
  return out;
}

Status ValidateFlow(const RunOptions& o, const std::vector<StageSpec>& stages,
                    std::map<std::string, size_t, std::less<>>* index) {
  UPCAMP_RETURN_IF_ERROR(ValidateName(o.run_id, "run id"));
  if (stages.empty()) return Status::Runtime("a flow needs at least one stage");
  for (size_t i = 0; i < stages.size(); ++i) {
    const StageSpec& s = stages[i];
    UPCAMP_RETURN_IF_ERROR(ValidateName(s.name, "stage name"));
    if (index->count(s.name) != 0) return Status::Runtime("stage '{}' is listed twice", s.name);
    if (!s.run) return Status::Runtime("stage '{}' has no run function", s.name);
    for (const auto& in : s.inputs) {
      if (index->count(in) == 0) {
        return Status::Runtime("stage '{}' reads '{}', which is not a stage listed before it",
                               s.name, in);
      }
    }
    (*index)[s.name] = i;
  }
  for (const auto& [what, name] :
       {std::pair<const char*, std::string>{"force", o.force_stage}, {"until", o.until_stage}}) {
    if (!name.empty() && index->count(name) == 0) {
      return Status::Usage("--{} {}: no such stage (stages: {})", what, name, NameList(stages));
    }
  }
  return Status::Ok();
}

// Leftovers of a process that died while a stage was writing; we hold the lock, so none is live.
Status RemoveStaleTemps(const std::string& stages_dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(stages_dir, ec)) {
    if (e.path().filename().string().rfind(".tmp-", 0) != 0) continue;
    fs::remove_all(e.path(), ec);
    if (ec) return Status::Io("{}: cannot remove: {}", e.path().string(), ec.message());
  }
  if (ec) return Status::Io("{}: cannot list folder: {}", stages_dir, ec.message());
  return Status::Ok();
}

std::string ManifestPath(const std::string& stages_dir, const std::string& stage) {
  return stages_dir + "/" + stage + ".manifest.json";
}

// Why a stage cannot be restored; empty if it can (then *manifest holds its manifest).
std::string RestoreBlocker(const StageSpec& spec, const std::string& fingerprint,
                           const std::map<std::string, std::string>& digests,
                           const std::string& stages_dir, bool verify, Manifest* manifest) {
  const std::string path = ManifestPath(stages_dir, spec.name);
  if (!FileExists(path)) return "no earlier result";
  auto m = ReadManifest(path);
  if (!m.ok()) return m.status().message();
  if (m->fingerprint != fingerprint) {
    return m->code_version != spec.code_version
               ? fmt::format("code version changed ({} -> {})", m->code_version, spec.code_version)
               : "fingerprint changed (params, input files or upstream stages)";
  }
  for (const auto& in : spec.inputs) {
    auto it = m->input_digests.find(in);
    if (it == m->input_digests.end() || it->second != digests.at(in)) {
      return fmt::format("output of input stage '{}' changed", in);
    }
  }
  const Status st = VerifyOutputs(stages_dir + "/" + spec.name, *m, verify);
  if (!st.ok()) return st.message();
  *manifest = std::move(m).value();
  return "";
}

// Calls `fn`, turning an exception into an error.
Status CallGuarded(const std::function<Status()>& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Status::Runtime("out of memory");
  } catch (const std::exception& e) {
    return Status::Runtime("internal error: {}", e.what());
  }
}

}  // namespace

void InjectFault(std::string_view where, std::string_view point) {
  auto fault = ParseFault();
  if (!fault.ok() || !fault->has_value()) return;
  const Fault& f = **fault;
  if (f.where != where || f.point != point) return;
  // Dies (or stops) on the spot, as `kill -9` or an OOM kill would: no destructors, no flushing
  // of ours.
  spdlog::warn("{}: {} the process at {}:{}", kFaultEnv, f.stop ? "stopping" : "killing", where,
               point);
  spdlog::default_logger()->flush();
  ::raise(f.stop ? SIGSTOP : SIGKILL);
}

Result<RunLock> LockRun(const std::string& runs_dir, const std::string& run_id) {
  UPCAMP_RETURN_IF_ERROR(ValidateName(run_id, "run id"));
  const std::string dir = RunDir(runs_dir, run_id);
  UPCAMP_RETURN_IF_ERROR(MakeDirectories(dir));
  return RunLock::Acquire(dir + "/.lock", run_id);
}

const char* ActionName(StageOutcome::Action action) {
  switch (action) {
    case StageOutcome::Action::kRestored:
      return "restored";
    case StageOutcome::Action::kComputed:
      return "computed";
    case StageOutcome::Action::kSkipped:
      return "skipped";
  }
  return "?";
}

const StageOutcome* RunSummary::Find(std::string_view stage) const {
  for (const auto& s : stages) {
    if (s.name == stage) return &s;
  }
  return nullptr;
}

int RunSummary::Count(StageOutcome::Action action) const {
  int n = 0;
  for (const auto& s : stages) n += s.action == action ? 1 : 0;
  return n;
}

std::string RunDir(const std::string& runs_dir, const std::string& run_id) {
  return runs_dir + "/" + run_id;
}

std::string StageOutputDir(const std::string& runs_dir, const std::string& run_id,
                           const std::string& stage) {
  return RunDir(runs_dir, run_id) + "/stages/" + stage;
}

Result<std::string> FinishedStageDir(const std::string& runs_dir, const std::string& run_id,
                                     const std::string& stage, bool verify_checksums) {
  const std::string stages_dir = RunDir(runs_dir, run_id) + "/stages";
  const std::string manifest_path = ManifestPath(stages_dir, stage);
  if (!FileExists(manifest_path)) {
    return Status::Data("stage '{}' of run '{}' is not finished (no {})", stage, run_id,
                        manifest_path);
  }
  UPCAMP_ASSIGN_OR_RETURN(Manifest m, ReadManifest(manifest_path));
  const std::string dir = stages_dir + "/" + stage;
  UPCAMP_RETURN_IF_ERROR(VerifyOutputs(dir, m, verify_checksums));
  return dir;
}

Result<RunSummary> RunFlow(const RunOptions& o, const std::vector<StageSpec>& stages) {
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, size_t, std::less<>> index;
  UPCAMP_RETURN_IF_ERROR(ValidateFlow(o, stages, &index));
  UPCAMP_RETURN_IF_ERROR(ValidateFault(index));
  const size_t n = stages.size();

  // --until: the stage and everything it reads, transitively.
  std::vector<bool> selected(n, o.until_stage.empty());
  if (!o.until_stage.empty()) {
    selected[index.at(o.until_stage)] = true;
    for (size_t i = n; i-- > 0;) {
      if (!selected[i]) continue;
      for (const auto& in : stages[i].inputs) selected[index.at(in)] = true;
    }
  }
  // --force: the stage and everything that reads it, transitively.
  std::vector<bool> forced(n, false);
  if (!o.force_stage.empty()) {
    const size_t f = index.at(o.force_stage);
    forced[f] = true;
    for (size_t i = f + 1; i < n; ++i) {
      for (const auto& in : stages[i].inputs) forced[i] = forced[i] || forced[index.at(in)];
    }
  }

  RunSummary summary;
  summary.run_id = o.run_id;
  summary.run_dir = RunDir(o.runs_dir, o.run_id);
  const std::string stages_dir = summary.run_dir + "/stages";
  std::optional<RunLock> own_lock;
  if (o.lock == nullptr) {
    UPCAMP_ASSIGN_OR_RETURN(RunLock lock, LockRun(o.runs_dir, o.run_id));
    own_lock.emplace(std::move(lock));
  } else if (o.lock->path() != summary.run_dir + "/.lock") {
    return Status::Runtime("internal: run '{}' was given the lock {}, not {}/.lock", o.run_id,
                           o.lock->path(), summary.run_dir);
  }
  UPCAMP_RETURN_IF_ERROR(MakeDirectories(stages_dir));
  UPCAMP_ASSIGN_OR_RETURN(auto history, RunHistory::Open(o.runs_dir, true));
  UPCAMP_ASSIGN_OR_RETURN(summary.attempt,
                          history->BeginAttempt(o.run_id, o.config, HostName(), ::getpid()));
  const int attempt = summary.attempt;
  UPCAMP_RETURN_IF_ERROR(history->ApplyRetention(RetentionPolicy{}));
  HeartbeatThread heartbeat(o.runs_dir, o.run_id, o.heartbeat_interval_s);
  UPCAMP_RETURN_IF_ERROR(RemoveStaleTemps(stages_dir));
  {
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i) {
      if (selected[i]) names.push_back(stages[i].name);
    }
    UPCAMP_RETURN_IF_ERROR(history->AddPendingStages(o.run_id, attempt, names));
  }
  spdlog::info("run {}: attempt {}, {} stages in {}", o.run_id, attempt, n, summary.run_dir);

  // Records a stage's failure and the run's, then returns the error with the stage named.
  auto fail = [&](const std::string& stage, const std::string& fingerprint, const Status& st) {
    const Status err = st.WithPrefix(fmt::format("stage '{}'", stage));
    spdlog::error("run {}: {}", o.run_id, err.message());
    Status rec =
        history->StageEnded(o.run_id, attempt, stage, "failed", fingerprint, 0, 0, st.message());
    if (rec.ok()) rec = history->EndAttempt(o.run_id, attempt, "failed", err.message());
    if (!rec.ok()) spdlog::warn("run {}: cannot record the failure: {}", o.run_id, rec.ToString());
    return err;
  };

  std::map<std::string, std::string, std::less<>> fingerprints;
  std::map<std::string, std::string> digests;  // outputs_digest of each finished stage
  for (size_t i = 0; i < n; ++i) {
    const StageSpec& spec = stages[i];
    StageOutcome out;
    out.name = spec.name;
    auto fp = StageFingerprint(spec, fingerprints);
    if (!fp.ok()) {
      if (!selected[i]) {
        // Not needed by --until; anything downstream of it is not selected either.
        summary.stages.push_back(std::move(out));
        continue;
      }
      return fail(spec.name, "", fp.status());
    }
    out.fingerprint = *fp;
    fingerprints[spec.name] = *fp;
    if (!selected[i]) {
      summary.stages.push_back(std::move(out));
      continue;
    }
    const auto stage_t0 = std::chrono::steady_clock::now();
    const std::string out_dir = stages_dir + "/" + spec.name;
    const std::string manifest_path = ManifestPath(stages_dir, spec.name);

    Manifest manifest;
    std::string reason;
    if (forced[i]) {
      reason = spec.name == o.force_stage ? "forced" : "downstream of a forced stage";
    } else {
      reason = RestoreBlocker(spec, *fp, digests, stages_dir, o.verify_checksums, &manifest);
    }
    if (reason.empty()) {
      digests[spec.name] = manifest.outputs_digest;
      out.action = StageOutcome::Action::kRestored;
      out.output_dir = out_dir;
      out.rows = manifest.rows;
      out.bytes = manifest.bytes;
      out.duration_s = SecondsSince(stage_t0);
      UPCAMP_RETURN_IF_ERROR(history->StageEnded(o.run_id, attempt, spec.name, "restored", *fp,
                                                 manifest.rows, manifest.bytes, ""));
      spdlog::info("run {}: stage {}: restored ({} rows, {})", o.run_id, spec.name,
                   HumanCount(static_cast<double>(manifest.rows)),
                   HumanBytes(static_cast<double>(manifest.bytes)));
      summary.stages.push_back(std::move(out));
      continue;
    }

    // Compute. The old manifest goes first: from here until the new one is committed the stage
    // is unfinished, whatever is on disk.
    UPCAMP_RETURN_IF_ERROR(history->StageRunning(o.run_id, attempt, spec.name, *fp, reason));
    spdlog::info("run {}: stage {}: started ({})", o.run_id, spec.name, reason);
    const double started_at = NowSeconds();
    std::error_code ec;
    if (FileExists(manifest_path)) {
      if (::unlink(manifest_path.c_str()) != 0) {
        return fail(spec.name, *fp, Status::FromErrno(errno, "remove", manifest_path));
      }
      if (Status st = SyncDirectory(stages_dir); !st.ok()) return fail(spec.name, *fp, st);
    }
    fs::remove_all(out_dir, ec);
    const std::string tmp = fmt::format("{}/.tmp-{}-{}", stages_dir, spec.name, ::getpid());
    if (!ec) fs::remove_all(tmp, ec);
    if (!ec) fs::create_directory(tmp, ec);
    if (ec) {
      return fail(spec.name, *fp,
                  Status::Io("{}: cannot prepare output folder: {}", stages_dir, ec.message()));
    }
    InjectFault(spec.name, kBeforeOutputs);

    std::map<std::string, std::string, std::less<>> input_dirs;
    for (const auto& in : spec.inputs) input_dirs[in] = stages_dir + "/" + in;
    StageContext sc(spec, tmp, std::move(input_dirs), o.ctx);
    const Status st = CallGuarded([&] { return spec.run(sc); });
    Result<std::vector<ManifestFile>> files = st.ok() ? ScanOutputs(tmp, /*sync=*/true) : st;
    if (!files.ok()) {
      fs::remove_all(tmp, ec);
      return fail(spec.name, *fp, files.status());
    }
    InjectFault(spec.name, kAfterOutputs);

    if (::rename(tmp.c_str(), out_dir.c_str()) != 0) {
      return fail(spec.name, *fp, Status::FromErrno(errno, "rename output folder to", out_dir));
    }
    if (Status s2 = SyncDirectory(stages_dir); !s2.ok()) return fail(spec.name, *fp, s2);
    InjectFault(spec.name, kAfterRename);

    manifest = Manifest{};
    manifest.stage = spec.name;
    manifest.fingerprint = *fp;
    manifest.code_version = spec.code_version;
    manifest.rows = sc.rows();
    manifest.files = std::move(files).value();
    for (const auto& f : manifest.files) manifest.bytes += f.size;
    manifest.outputs_digest = OutputsDigest(manifest.files);
    for (const auto& in : spec.inputs) manifest.input_digests[in] = digests.at(in);
    manifest.started_at = started_at;
    manifest.finished_at = NowSeconds();
    manifest.duration_s = SecondsSince(stage_t0);
    if (Status s3 = WriteManifest(manifest_path, manifest); !s3.ok()) {
      return fail(spec.name, *fp, s3);
    }
    InjectFault(spec.name, kAfterManifest);

    digests[spec.name] = manifest.outputs_digest;
    out.action = StageOutcome::Action::kComputed;
    out.output_dir = out_dir;
    out.rows = manifest.rows;
    out.bytes = manifest.bytes;
    out.duration_s = manifest.duration_s;
    out.reason = reason;
    UPCAMP_RETURN_IF_ERROR(history->StageEnded(o.run_id, attempt, spec.name, "finished", *fp,
                                               manifest.rows, manifest.bytes, ""));
    spdlog::info("run {}: stage {}: finished: {} rows, {} in {:.2f} s", o.run_id, spec.name,
                 HumanCount(static_cast<double>(out.rows)),
                 HumanBytes(static_cast<double>(out.bytes)), out.duration_s);
    summary.stages.push_back(std::move(out));
  }

  summary.duration_s = SecondsSince(t0);
  if (o.publish) {
    const Status st = CallGuarded([&] { return o.publish(summary); });
    if (!st.ok()) {
      spdlog::error("run {}: {}", o.run_id, st.message());
      const Status rec = history->EndAttempt(o.run_id, attempt, "failed", st.message());
      if (!rec.ok()) {
        spdlog::warn("run {}: cannot record the failure: {}", o.run_id, rec.ToString());
      }
      return st;
    }
  }
  const bool all = summary.Count(StageOutcome::Action::kSkipped) == 0;
  UPCAMP_RETURN_IF_ERROR(history->EndAttempt(o.run_id, attempt, all ? "finished" : "partial", ""));
  summary.duration_s = SecondsSince(t0);
  spdlog::info(
      "run {}: {} ({} computed, {} restored{}) in {:.2f} s", o.run_id, all ? "finished" : "partial",
      summary.Count(StageOutcome::Action::kComputed),
      summary.Count(StageOutcome::Action::kRestored),
      all ? "" : fmt::format(", {} skipped", summary.Count(StageOutcome::Action::kSkipped)),
      summary.duration_s);
  return summary;
}

}  // namespace upcamp::flow
