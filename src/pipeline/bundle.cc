#include "pipeline/bundle.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/civil_time.h"
#include "core/config.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/version.h"
#include "features/registry.h"
#include "features/transform_registry.h"
#include "models/registry.h"

namespace upcamp::pipeline {
namespace fs = std::filesystem;

namespace {

std::string DigestOf(const std::string& content) {
  return Sha256Hex({reinterpret_cast<const uint8_t*>(content.data()), content.size()});
}

// Manifest fields read with a named error instead of a JSON exception.
Result<const nlohmann::json*> Field(const nlohmann::json& object, const char* key,
                                    const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return Status::Data("{}: missing '{}'", where, key);
  return &*it;
}

// A relative file name inside the bundle: no absolute paths, no "..", so a crafted manifest
// cannot make us read outside the bundle.
bool IsSafeRelativeName(const std::string& name) {
  if (name.empty() || name.front() == '/') return false;
  for (const auto& part : fs::path(name)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

std::string CreatedTimestamp() {
  int64_t seconds = static_cast<int64_t>(std::time(nullptr));
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
    char* end = nullptr;
    const long long v = std::strtoll(epoch, &end, 10);
    if (end && *end == '\0') seconds = v;
  }
  std::string text = FormatTimestamp(seconds);  // "YYYY-MM-DD HH:MM:SS"
  text[10] = 'T';
  return text + "Z";
}

Status WriteBundleManifest(const std::string& dir, nlohmann::json manifest,
                           const std::vector<std::string>& files) {
  nlohmann::json digests = nlohmann::json::object();
  for (const auto& name : files) {
    if (!IsSafeRelativeName(name) || name == kManifestName) {
      return Status::Runtime("bundle file name '{}' is not a plain relative name", name);
    }
    UPCAMP_ASSIGN_OR_RETURN(std::string content, ReadFileToString((fs::path(dir) / name).string()));
    digests[name] = DigestOf(content);
  }
  manifest["files"] = std::move(digests);
  return WriteJsonFileAtomic((fs::path(dir) / kManifestName).string(), manifest);
}

Status PublishBundle(const std::string& source, const std::string& dir) {
  const fs::path target = fs::absolute(dir).lexically_normal();
  std::error_code ec;
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) {
      return Status::Io("{}: exists and is not a folder; choose another --out", dir);
    }
    if (!fs::exists(target / kManifestName, ec) && !fs::is_empty(target, ec)) {
      return Status::Io(
          "{}: folder exists, is not empty and is not a model bundle (no {}); refusing to "
          "replace it",
          dir, kManifestName);
    }
  }
  if (!fs::exists(fs::path(source) / kManifestName, ec)) {
    return Status::Runtime("{}: not a complete bundle (no {})", source, kManifestName);
  }
  const fs::path parent = target.parent_path();
  UPCAMP_RETURN_IF_ERROR(MakeDirectories(parent.string()));
  const fs::path temp = parent / fmt::format(".{}.tmp-{}", target.filename().string(), getpid());
  fs::remove_all(temp, ec);
  if (!fs::create_directory(temp, ec)) {
    return Status::Io("{}: cannot create folder: {}", temp.string(), ec.message());
  }
  // Removes the temp folder on every error path.
  struct Cleanup {
    fs::path path;
    bool armed = true;
    ~Cleanup() {
      std::error_code ignored;
      if (armed) fs::remove_all(path, ignored);
    }
  } cleanup{temp};

  // Copy in sorted order (deterministic), the manifest last.
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(source, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), source));
  }
  if (ec) return Status::Io("{}: cannot list folder: {}", source, ec.message());
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    const bool am = a == kManifestName, bm = b == kManifestName;
    return am != bm ? bm : a < b;
  });
  std::vector<std::string> dirs = {temp.string()};
  for (const auto& rel : files) {
    UPCAMP_ASSIGN_OR_RETURN(std::string content,
                            ReadFileToString((fs::path(source) / rel).string()));
    const fs::path to = temp / rel;
    if (to.parent_path() != temp) {
      UPCAMP_RETURN_IF_ERROR(MakeDirectories(to.parent_path().string()));
      dirs.push_back(to.parent_path().string());
    }
    UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(to.string(), content));
  }
  for (const auto& d : dirs) UPCAMP_RETURN_IF_ERROR(SyncDirectory(d));

  if (fs::exists(target, ec)) {
    // Swap old and new in one step, so `dir` is always a complete bundle; then drop the old one
    // (now at the temp path).
    if (renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
      return Status::FromErrno(errno, "replace bundle", target.string());
    }
  } else if (std::rename(temp.c_str(), target.c_str()) != 0) {
    return Status::FromErrno(errno, "rename bundle into place", target.string());
  }
  UPCAMP_RETURN_IF_ERROR(SyncDirectory(parent.string()));
  return Status::Ok();  // cleanup removes the old bundle left at the temp path
}

Result<Bundle> LoadBundle(const std::string& dir) {
  const fs::path root(dir);
  const std::string manifest_path = (root / kManifestName).string();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status::Data("{}: model bundle folder not found (train one with `upcamp train`)", dir);
  }
  if (!fs::exists(manifest_path, ec)) {
    return Status::Data("{}: not a model bundle: no {}", dir, kManifestName);
  }
  UPCAMP_ASSIGN_OR_RETURN(std::string text, ReadFileToString(manifest_path));
  Bundle bundle;
  bundle.dir = dir;
  bundle.checksum = DigestOf(text);
  try {
    bundle.manifest = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Data("{}: not valid JSON ({}); the bundle is corrupt", manifest_path, e.what());
  }
  const nlohmann::json& m = bundle.manifest;
  const std::string& where = manifest_path;
  if (!m.is_object() || m.value("format", "") != kBundleFormat) {
    return Status::Data("{}: not an upcamp model bundle manifest (format is not '{}')", where,
                        kBundleFormat);
  }
  const auto version = m.value("format_version", -1);
  if (version < 1 || version > kBundleFormatVersion) {
    return Status::Data(
        "{}: bundle format version {} is not readable by upcamp {} (reads 1..{}); score with the "
        "upcamp version that wrote it ({}) or retrain",
        where, version, kVersion, kBundleFormatVersion, m.value("tool_version", "unknown"));
  }
  try {
    // Every file must match its digest before any of it is parsed.
    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* files, Field(m, "files", where));
    for (const auto& [name, digest] : files->items()) {
      if (!IsSafeRelativeName(name)) {
        return Status::Data("{}: file name '{}' points outside the bundle", where, name);
      }
      const std::string path = (root / name).string();
      if (!fs::exists(path, ec)) {
        return Status::Data("{}: file missing from the bundle (listed in {})", path, where);
      }
      UPCAMP_ASSIGN_OR_RETURN(std::string content, ReadFileToString(path));
      if (DigestOf(content) != digest.get<std::string>()) {
        return Status::Data(
            "{}: SHA-256 does not match the manifest; the file was changed or truncated after "
            "training — restore the bundle or retrain",
            path);
      }
    }

    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* features, Field(m, "features", where));
    bundle.feature_columns = features->at("columns").get<std::vector<std::string>>();
    bundle.id_column = features->value("id_column", "client_id");
    const nlohmann::json& config = features->at("config");
    if (!config.is_null()) {
      bundle.catalog_mode = true;
      const ConfigNode node = ConfigNode::FromJson(config, where + ": features.config");
      auto calcers = MakeCalcers(node);
      if (!calcers.ok()) {
        return Status::Data("{}: the serving feature config is not readable by this build: {}",
                            where, calcers.status().message());
      }
      bundle.calcers = std::move(calcers).value();
    }
    UPCAMP_ASSIGN_OR_RETURN(
        bundle.transforms,
        FittedTransformsFromJson(features->at("transforms"), where + ": features.transforms"));

    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* model, Field(m, "model", where));
    UPCAMP_ASSIGN_OR_RETURN(
        bundle.model, models::LoadModel(model->at("config"), root, model->at("state"), where));
    if (const auto it = m.find("threshold"); it != m.end() && it->is_object()) {
      if (const auto v = it->find("value"); v != it->end() && v->is_number()) {
        bundle.threshold = v->get<double>();
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Data("{}: malformed manifest ({}); the bundle is corrupt or from another tool",
                        where, e.what());
  }
  return bundle;
}

}  // namespace upcamp::pipeline
