#pragma once
// The manifest of a finished stage: `<run>/stages/<stage>.manifest.json`, written atomically and
// last, after the stage's output folder was synced and renamed into place. A stage is finished
// only if its manifest parses and every output file it lists exists with the recorded size and
// XXH3-64 checksum, and no other file is in the folder.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace upcamp::flow {

inline constexpr int kManifestVersion = 1;

/// One output file, by path relative to the stage's output folder ('/'-separated).
struct ManifestFile {
  std::string path;
  uint64_t size = 0;
  std::string xxh3;  ///< XXH3-64 of the bytes, 16 hex chars
};

struct Manifest {
  std::string stage;
  std::string fingerprint;
  std::string code_version;
  int64_t rows = 0;
  uint64_t bytes = 0;               ///< total size of the output files
  std::vector<ManifestFile> files;  ///< sorted by path
  /// Hash of all (path, size, checksum): the identity of the stage's output bytes.
  std::string outputs_digest;
  /// The outputs_digest of each input stage as it was read; a downstream stage is reused only if
  /// its inputs still have these bytes (guards against an upstream stage recomputed differently).
  std::map<std::string, std::string> input_digests;
  double started_at = 0;   ///< Unix seconds
  double finished_at = 0;  ///< Unix seconds
  double duration_s = 0;   ///< wall time of the stage's run function and commit
};

/// Lists every regular file under `dir` (recursively, sorted by relative path) with size and
/// checksum. With `sync`, also fsyncs each file and folder (before the folder is renamed into
/// place). Symlinks and other special files are an error.
Result<std::vector<ManifestFile>> ScanOutputs(const std::string& dir, bool sync);

/// The digest of a scanned folder (see Manifest::outputs_digest).
std::string OutputsDigest(const std::vector<ManifestFile>& files);

Status WriteManifest(const std::string& path, const Manifest& manifest);
/// Reads and checks the structure of a manifest; a damaged one is a data error naming the file.
Result<Manifest> ReadManifest(const std::string& path);

/// OK if `dir` holds exactly the files of `manifest` with their sizes and (if `checksums`) their
/// checksums; otherwise a data error saying which file is missing, extra, truncated or changed.
Status VerifyOutputs(const std::string& dir, const Manifest& manifest, bool checksums = true);

}  // namespace upcamp::flow
