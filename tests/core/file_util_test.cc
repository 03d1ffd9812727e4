#include "core/file_util.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace upcamp {
namespace {

using testing::ListDir;
using testing::ReadAll;
using testing::TempDir;

TEST(AtomicFile, CommitReplacesTarget) {
  TempDir dir;
  const std::string path = dir.Write("out.csv", "old");
  ASSERT_OK_AND_ASSIGN(auto w, AtomicFileWriter::Open(path));
  ASSERT_OK(w->Write("new "));
  ASSERT_OK(w->Write(std::string(3 << 20, 'x')));  // larger than the buffer
  // Before commit the target still has the old content and only a hidden temp file is beside it.
  EXPECT_EQ(ReadAll(path), "old");
  EXPECT_EQ(ListDir(dir.path()).size(), 2u);
  ASSERT_OK(w->Commit());
  EXPECT_EQ(ReadAll(path).size(), 4u + (3u << 20));
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"out.csv"});
}

TEST(AtomicFile, AbandonedWriteLeavesNothing) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto w, AtomicFileWriter::Open(dir.File("never.csv")));
    ASSERT_OK(w->Write("partial"));
  }  // destroyed without Commit(): e.g. an error half way
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(AtomicFile, MissingFolderIsAnIoError) {
  auto r = AtomicFileWriter::Open("/nonexistent-upcamp-dir/x.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find("/nonexistent-upcamp-dir"), std::string::npos);
}

TEST(FileUtil, ReadAndWrite) {
  TempDir dir;
  ASSERT_OK(WriteFileAtomic(dir.File("a.txt"), "hello"));
  ASSERT_OK_AND_ASSIGN(std::string s, ReadFileToString(dir.File("a.txt")));
  EXPECT_EQ(s, "hello");
  auto missing = ReadFileToString(dir.File("missing.txt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.txt"), std::string::npos);
}

TEST(FileUtil, CompressionSuffix) {
  EXPECT_EQ(CompressionSuffix("a/b.csv.gz"), ".gz");
  EXPECT_EQ(CompressionSuffix("B.CSV.ZST"), ".zst");
  EXPECT_EQ(CompressionSuffix("b.csv"), "");
}

}  // namespace
}  // namespace upcamp
