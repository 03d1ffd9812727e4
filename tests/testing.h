#pragma once
// Helpers shared by the tests: temp folders, file contents, assertions on Status/Result.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/status.h"

namespace upcamp::testing {

/// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `content` to a file in the folder and returns its path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path);

/// Files of a folder (names only, sorted), including hidden ones.
std::vector<std::string> ListDir(const std::string& dir);

/// What a run of the `upcamp` binary gave.
struct CliResult {
  int exit_code = -1;  ///< -1 if the process did not exit normally
  std::string out, err;
};

/// Runs `upcamp ARGS` (through the shell) with stdout and stderr captured in files of `dir`,
/// which are removed again.
CliResult RunUpcamp(const TempDir& dir, const std::string& args);

}  // namespace upcamp::testing

#define ASSERT_OK(expr)                      \
  do {                                       \
    const ::upcamp::Status _st = (expr);     \
    ASSERT_TRUE(_st.ok()) << _st.ToString(); \
  } while (false)
#define EXPECT_OK(expr)                      \
  do {                                       \
    const ::upcamp::Status _st = (expr);     \
    EXPECT_TRUE(_st.ok()) << _st.ToString(); \
  } while (false)
/// Declares `lhs` from a Result, failing the test on error.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                     \
  auto UPCAMP_CONCAT(_res_, __LINE__) = (rexpr);             \
  ASSERT_TRUE(UPCAMP_CONCAT(_res_, __LINE__).ok())           \
      << UPCAMP_CONCAT(_res_, __LINE__).status().ToString(); \
  lhs = std::move(UPCAMP_CONCAT(_res_, __LINE__)).value()
