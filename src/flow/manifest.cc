#include "flow/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/file_util.h"
#include "core/hash.h"

namespace upcamp::flow {
namespace {

namespace fs = std::filesystem;

// Reads a file once: its XXH3-64 and size; fsyncs it if asked (same open, so one pass).
Status HashFile(const std::string& path, bool sync, ManifestFile* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open", path);
  Hasher h;
  uint64_t size = 0;
  std::string buf(1 << 20, '\0');
  Status st;
  while (true) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      st = Status::FromErrno(errno, "read", path);
      break;
    }
    if (n == 0) break;
    h.Bytes(buf.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  if (st.ok() && sync && ::fsync(fd) != 0) st = Status::FromErrno(errno, "fsync", path);
  ::close(fd);
  UPCAMP_RETURN_IF_ERROR(st);
  out->size = size;
  out->xxh3 = h.HexDigest();
  return Status::Ok();
}

// Every entry under `dir`, as relative paths; regular files in `files`, folders in `dirs`.
Status ListTree(const std::string& dir, std::vector<std::string>* files,
                std::vector<std::string>* dirs) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Status::Io("{}: cannot list folder: {}", dir, ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::Io("{}: cannot list folder: {}", dir, ec.message());
    const fs::file_status s = it->symlink_status(ec);
    if (ec) return Status::Io("{}: cannot stat: {}", it->path().string(), ec.message());
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    if (fs::is_directory(s)) {
      if (dirs != nullptr) dirs->push_back(rel);
    } else if (fs::is_regular_file(s)) {
      files->push_back(rel);
    } else {
      return Status::Data("{}: stage outputs must be regular files or folders",
                          it->path().string());
    }
  }
  std::sort(files->begin(), files->end());
  return Status::Ok();
}

}  // namespace

Result<std::vector<ManifestFile>> ScanOutputs(const std::string& dir, bool sync) {
  std::vector<std::string> names, dirs;
  UPCAMP_RETURN_IF_ERROR(ListTree(dir, &names, &dirs));
  std::vector<ManifestFile> files(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    files[i].path = names[i];
    UPCAMP_RETURN_IF_ERROR(HashFile(dir + "/" + names[i], sync, &files[i]));
  }
  if (sync) {
    // Deepest folders first, so each folder's entries are durable before its parent's.
    std::sort(dirs.rbegin(), dirs.rend());
    for (const auto& d : dirs) UPCAMP_RETURN_IF_ERROR(SyncDirectory(dir + "/" + d));
    UPCAMP_RETURN_IF_ERROR(SyncDirectory(dir));
  }
  return files;
}

std::string OutputsDigest(const std::vector<ManifestFile>& files) {
  Hasher h;
  h.Str("upcamp-flow-outputs-v1").U64(files.size());
  for (const auto& f : files) h.Str(f.path).U64(f.size).Str(f.xxh3);
  return h.HexDigest();
}

Status WriteManifest(const std::string& path, const Manifest& m) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : m.files)
    files.push_back({{"path", f.path}, {"size", f.size}, {"xxh3", f.xxh3}});
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  for (const auto& [k, v] : m.input_digests) inputs[k] = v;
  const nlohmann::ordered_json j = {
      {"format", "upcamp-flow-manifest"},
      {"version", kManifestVersion},
      {"stage", m.stage},
      {"fingerprint", m.fingerprint},
      {"code_version", m.code_version},
      {"rows", m.rows},
      {"bytes", m.bytes},
      {"outputs_digest", m.outputs_digest},
      {"input_digests", inputs},
      {"started_at", m.started_at},
      {"finished_at", m.finished_at},
      {"duration_s", m.duration_s},
      {"files", files},
  };
  return WriteJsonFileAtomic(path, j);
}

Result<Manifest> ReadManifest(const std::string& path) {
  UPCAMP_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  Manifest m;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.at("format").get<std::string>() != "upcamp-flow-manifest") {
      return Status::Data("{}: not a stage manifest", path);
    }
    const int version = j.at("version").get<int>();
    if (version != kManifestVersion) {
      return Status::Data("{}: manifest version {} (this upcamp reads {})", path, version,
                          kManifestVersion);
    }
    m.stage = j.at("stage").get<std::string>();
    m.fingerprint = j.at("fingerprint").get<std::string>();
    m.code_version = j.at("code_version").get<std::string>();
    m.rows = j.at("rows").get<int64_t>();
    m.bytes = j.at("bytes").get<uint64_t>();
    m.outputs_digest = j.at("outputs_digest").get<std::string>();
    m.input_digests = j.at("input_digests").get<std::map<std::string, std::string>>();
    m.started_at = j.at("started_at").get<double>();
    m.finished_at = j.at("finished_at").get<double>();
    m.duration_s = j.at("duration_s").get<double>();
    for (const auto& f : j.at("files")) {
      m.files.push_back({f.at("path").get<std::string>(), f.at("size").get<uint64_t>(),
                         f.at("xxh3").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Data("{}: damaged stage manifest: {}", path, e.what());
  }
  // The digest is recomputed rather than trusted, so an edited file list is caught too.
  if (OutputsDigest(m.files) != m.outputs_digest) {
    return Status::Data("{}: damaged stage manifest: file list does not match its digest", path);
  }
  return m;
}

Status VerifyOutputs(const std::string& dir, const Manifest& m, bool checksums) {
  std::vector<std::string> present;
  if (!fs::is_directory(dir)) return Status::Data("{}: output folder is missing", dir);
  UPCAMP_RETURN_IF_ERROR(ListTree(dir, &present, nullptr));
  std::set<std::string> expected;
  for (const auto& f : m.files) expected.insert(f.path);
  for (const auto& p : present) {
    if (expected.count(p) == 0)
      return Status::Data("{}/{}: file not in the stage manifest", dir, p);
  }
  for (const auto& f : m.files) {
    const std::string path = dir + "/" + f.path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::Data("{}: output file is missing", path);
    if (static_cast<uint64_t>(st.st_size) != f.size) {
      return Status::Data("{}: size {} bytes, the manifest says {} (truncated or changed)", path,
                          st.st_size, f.size);
    }
    if (!checksums) continue;
    ManifestFile actual;
    UPCAMP_RETURN_IF_ERROR(HashFile(path, false, &actual));
    if (actual.xxh3 != f.xxh3) {
      return Status::Data("{}: checksum {} does not match the manifest's {} (file changed)", path,
                          actual.xxh3, f.xxh3);
    }
  }
  return Status::Ok();
}

}  // namespace upcamp::flow
