#include "flow/stage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "core/hash.h"

namespace upcamp::flow {

std::string StageContext::OutputPath(std::string_view file) const {
  return output_dir_ + "/" + std::string(file);
}

Result<std::string> StageContext::InputDir(std::string_view stage) const {
  auto it = input_dirs_.find(stage);
  if (it == input_dirs_.end()) {
    std::string declared;
    for (const auto& in : spec_.inputs) declared += (declared.empty() ? "" : ", ") + in;
    return Status::Runtime("stage '{}' reads stage '{}', which is not among its inputs [{}]",
                           spec_.name, stage, declared);
  }
  return it->second;
}

Result<std::string> StageContext::InputPath(std::string_view stage, std::string_view file) const {
  UPCAMP_ASSIGN_OR_RETURN(std::string dir, InputDir(stage));
  return dir + "/" + std::string(file);
}

namespace {

Result<uint64_t> HashFileContent(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open", path);
  Hasher h;
  std::string buf(1 << 20, '\0');
  while (true) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "read", path);
    }
    if (n == 0) break;
    h.Bytes(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return h.Digest();
}

}  // namespace

Result<std::string> StageFingerprint(
    const StageSpec& spec,
    const std::map<std::string, std::string, std::less<>>& input_fingerprints) {
  // The leading tag versions the fingerprint scheme itself: changing what goes in here must
  // change every fingerprint, so old manifests are not trusted under new rules.
  Hasher h;
  h.Str("upcamp-flow-stage-v1").Str(spec.name).Str(spec.code_version);
  // nlohmann::json keeps object keys sorted, so dump() is canonical for equal configs.
  h.Str(spec.params.dump());
  h.U64(spec.inputs.size());
  for (const auto& in : spec.inputs) {
    auto it = input_fingerprints.find(in);
    if (it == input_fingerprints.end()) {
      return Status::Runtime("stage '{}': no fingerprint for its input stage '{}'", spec.name, in);
    }
    h.Str(in).Str(it->second);
  }
  h.U64(spec.external_files.size());
  for (const auto& f : spec.external_files) {
    struct stat st {};
    if (::stat(f.path.c_str(), &st) != 0) {
      return Status::FromErrno(errno, "read input file", f.path)
          .WithPrefix(fmt::format("stage '{}'", spec.name));
    }
    // The absolute path, so that resuming from another working folder does not look like a
    // different input.
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::absolute(f.path, ec);
    h.Str(ec ? f.path : abs.lexically_normal().string()).U64(static_cast<uint64_t>(st.st_size));
    h.I64(static_cast<int64_t>(st.st_mtim.tv_sec)).I64(static_cast<int64_t>(st.st_mtim.tv_nsec));
    h.U64(f.hash_content ? 1 : 0);
    if (f.hash_content) {
      UPCAMP_ASSIGN_OR_RETURN(uint64_t content, HashFileContent(f.path));
      h.U64(content);
    }
  }
  return h.HexDigest();
}

Status ValidateName(std::string_view name, std::string_view what) {
  if (name.empty()) return Status::Usage("{} is empty", what);
  if (name.size() > 128) return Status::Usage("{} '{}' is longer than 128 characters", what, name);
  if (name[0] == '.') return Status::Usage("{} '{}' must not start with '.'", what, name);
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Status::Usage("{} '{}' contains '{}': use letters, digits, '_', '-' and '.'", what,
                           name, c);
    }
  }
  return Status::Ok();
}

}  // namespace upcamp::flow
