#include "data/ucol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/civil_time.h"
#include "core/file_util.h"
#include "core/random.h"
#include "testing.h"

namespace upcamp {
namespace {

using ::upcamp::testing::ListDir;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::TempDir;

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

void ExpectColumnsIdentical(const Column& a, const Column& b) {
  ASSERT_EQ(a.name(), b.name());
  ASSERT_EQ(a.type(), b.type()) << a.name();
  ASSERT_EQ(a.size(), b.size()) << a.name();
  switch (a.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      EXPECT_TRUE(std::equal(a.int64s().begin(), a.int64s().end(), b.int64s().begin()));
      break;
    case DataType::kFloat64:
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(Bits(a.float64s()[i]), Bits(b.float64s()[i])) << a.name() << " row " << i;
      }
      break;
    case DataType::kBool:
      EXPECT_TRUE(std::equal(a.bools().begin(), a.bools().end(), b.bools().begin()));
      break;
    case DataType::kString:
      ASSERT_EQ(a.dictionary().size(), b.dictionary().size());
      for (int32_t i = 0; i < a.dictionary().size(); ++i) {
        EXPECT_EQ(a.dictionary().Get(i), b.dictionary().Get(i));
      }
      EXPECT_TRUE(std::equal(a.codes().begin(), a.codes().end(), b.codes().begin()));
      break;
  }
}

void ExpectTablesIdentical(const Table& a, const Table& b) {
  ASSERT_EQ(a.num_rows(), b.num_rows());
  ASSERT_EQ(a.num_columns(), b.num_columns());
  for (size_t c = 0; c < a.num_columns(); ++c) ExpectColumnsIdentical(a.column(c), b.column(c));
}

Table AllTypes() {
  // The dictionary holds an unused entry and is not in sorted order: both must survive.
  auto dict = std::make_shared<StringDictionary>();
  dict->GetOrAdd("zeta");
  dict->GetOrAdd("unused");
  dict->GetOrAdd("");
  dict->GetOrAdd("alpha, \"quoted\"\nline");
  double payload_nan;
  const uint64_t nan_bits = 0x7ff8000000000123ULL;
  std::memcpy(&payload_nan, &nan_bits, 8);
  auto t = Table::Make({
      Column::String("client_id", {0, 3, kNullCode, 0, 2}, dict),
      Column::Int64("n", {1, kNullInt64, std::numeric_limits<int64_t>::max(), -5, 0}),
      Column::Float64(
          "x", {0.1, kNullFloat64, -0.0, payload_nan, std::numeric_limits<double>::denorm_min()}),
      Column::Timestamp("t", {*ParseTimestamp("2019-03-18 10:11:12"), kNullInt64, 0, -86400, 1}),
      Column::Bool("b", {1, 0, kNullBool, 1, 0}),
  });
  EXPECT_TRUE(t.ok());
  return std::move(t).value();
}

TEST(Ucol, RoundTripAllTypesBitExact) {
  TempDir dir;
  const std::string path = dir.File("t.ucol");
  const Table t = AllTypes();
  ASSERT_OK(WriteUcol(t, path));
  ASSERT_OK_AND_ASSIGN(Table back, ReadUcol(path));
  ExpectTablesIdentical(t, back);
  EXPECT_EQ(Bits(back.column(2).float64s()[3]), 0x7ff8000000000123ULL);  // NaN payload kept
  EXPECT_TRUE(std::signbit(back.column(2).float64s()[2]));               // -0.0 kept
  EXPECT_EQ(back.column(0).dictionary().Get(1), "unused");
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"t.ucol"});
}

TEST(Ucol, EmptyTablesRoundTrip) {
  TempDir dir;
  auto dict = std::make_shared<StringDictionary>();
  dict->GetOrAdd("kept");
  ASSERT_OK_AND_ASSIGN(Table t,
                       Table::Make({Column::String("s", {}, dict), Column::Float64("f", {}),
                                    Column::Bool("b", {}), Column::Timestamp("t", {})}));
  ASSERT_OK(WriteUcol(t, dir.File("empty.ucol")));
  ASSERT_OK_AND_ASSIGN(Table back, ReadUcol(dir.File("empty.ucol")));
  ExpectTablesIdentical(t, back);
  EXPECT_EQ(back.schema(), t.schema());

  ASSERT_OK(WriteUcol(Table(), dir.File("nothing.ucol")));
  ASSERT_OK_AND_ASSIGN(Table none, ReadUcol(dir.File("nothing.ucol")));
  EXPECT_EQ(none.num_columns(), 0u);
  EXPECT_EQ(none.num_rows(), 0u);
}

Table BigTable(size_t rows) {
  Rng rng(7);
  std::vector<int64_t> ids(rows), noise(rows);
  std::vector<double> x(rows);
  std::vector<std::optional<std::string>> keys(rows);
  for (size_t i = 0; i < rows; ++i) {
    ids[i] = static_cast<int64_t>(i);
    noise[i] = static_cast<int64_t>(rng.NextU64());
    x[i] = i % 17 == 0 ? kNullFloat64 : rng.Uniform() * 1000.0;
    if (i % 5 != 0) keys[i] = fmt::format("{:010x}", i % 50000);
  }
  auto t = Table::Make({Column::Int64("id", std::move(ids)), Column::Int64("noise", noise),
                        Column::Float64("x", std::move(x)), Column::StringFromValues("key", keys)});
  EXPECT_TRUE(t.ok());
  return std::move(t).value();
}

TEST(Ucol, ManyFramesParallelAndDeterministic) {
  TempDir dir;
  const Table t = BigTable(1'200'000);  // 9.6 MB per int64 column: three frames each
  ASSERT_OK(WriteUcol(t, dir.File("a.ucol"), {.threads = 1}));
  ASSERT_OK(WriteUcol(t, dir.File("b.ucol"), {.threads = 4}));
  EXPECT_TRUE(ReadAll(dir.File("a.ucol")) == ReadAll(dir.File("b.ucol")))
      << "bytes depend on threads";
  for (int threads : {1, 3}) {
    ASSERT_OK_AND_ASSIGN(Table back,
                         ReadUcol(dir.File("a.ucol"), {.columns = {}, .threads = threads}));
    ExpectTablesIdentical(t, back);
  }
  ASSERT_OK_AND_ASSIGN(UcolInfo info, InspectUcol(dir.File("a.ucol")));
  EXPECT_EQ(info.num_rows, 1'200'000u);
  EXPECT_EQ(info.columns[2].null_count, t.column(2).NullCount());
  EXPECT_EQ(info.columns[3].dictionary_size, 40000u);  // i % 50000 with i % 5 != 0
  EXPECT_LT(info.columns[0].compressed_size, info.columns[0].raw_size / 2);
}

TEST(Ucol, ReadsRequestedColumnsInOrder) {
  TempDir dir;
  const Table t = AllTypes();
  ASSERT_OK(WriteUcol(t, dir.File("t.ucol")));
  ASSERT_OK_AND_ASSIGN(Table part, ReadUcol(dir.File("t.ucol"), {.columns = {"b", "client_id"}}));
  ASSERT_EQ(part.num_columns(), 2u);
  ExpectColumnsIdentical(part.column(0), t.column(4));
  ExpectColumnsIdentical(part.column(1), t.column(0));

  auto missing = ReadUcol(dir.File("t.ucol"), {.columns = {"age"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kData);
  EXPECT_NE(missing.status().message().find("no column 'age' (columns: client_id, n, x, t, b)"),
            std::string::npos)
      << missing.status().message();
  EXPECT_FALSE(ReadUcol(dir.File("t.ucol"), {.columns = {"n", "n"}}).ok());
}

TEST(Ucol, InspectGivesHeaderWithoutReadingData) {
  TempDir dir;
  const Table t = AllTypes();
  const std::string path = dir.File("t.ucol");
  ASSERT_OK(WriteUcol(t, path));
  ASSERT_OK_AND_ASSIGN(UcolInfo info, InspectUcol(path));
  EXPECT_EQ(info.format_version, kUcolFormatVersion);
  EXPECT_EQ(info.num_rows, 5u);
  EXPECT_EQ(info.file_size, std::filesystem::file_size(path));
  EXPECT_EQ(info.schema(), t.schema());
  EXPECT_EQ(info.columns[0].null_count, 1u);
  EXPECT_EQ(info.columns[0].dictionary_size, 4u);
  EXPECT_EQ(info.columns[1].raw_size, 40u);
  EXPECT_EQ(info.columns[4].raw_size, 5u);
  EXPECT_EQ(info.columns[2].null_count, 2u);  // both NaNs are missing
  uint64_t end = 0;
  for (const auto& c : info.columns) {
    EXPECT_NE(c.checksum, 0u);
    end = c.offset + c.compressed_size;
  }
  EXPECT_EQ(end, info.file_size);
}

// Replaces a file's content (no fsync: the loops below rewrite a file hundreds of times).
void Overwrite(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(content.data(), static_cast<std::streamsize>(content.size()));
}

// Overwrites one byte of a file in place.
void PokeByte(const std::string& path, uint64_t offset, char value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(value);
}

TEST(Ucol, CorruptDataByteIsAChecksumErrorNamingTheColumn) {
  TempDir dir;
  const std::string path = dir.File("t.ucol");
  // Random int64s do not compress: zstd stores them as raw blocks, so a flipped byte still
  // decompresses and only the checksum can catch it.
  Rng rng(1);
  std::vector<int64_t> noise(1000);
  for (auto& v : noise) v = static_cast<int64_t>(rng.NextU64());
  ASSERT_OK_AND_ASSIGN(Table t, Table::Make({Column::Int64("id", std::vector<int64_t>(1000, 1)),
                                             Column::Int64("purchase_sum", noise)}));
  ASSERT_OK(WriteUcol(t, path));
  ASSERT_OK_AND_ASSIGN(UcolInfo info, InspectUcol(path));
  const UcolColumnInfo& col = info.columns[1];
  const uint64_t at = col.offset + col.compressed_size / 2;
  const std::string bytes = ReadAll(path);
  PokeByte(path, at, static_cast<char>(bytes[at] ^ 0x40));

  ASSERT_TRUE(InspectUcol(path).ok());  // the header is intact
  auto r = ReadUcol(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("column 'purchase_sum': checksum mismatch"),
            std::string::npos)
      << r.status().message();
  // The other column is still readable on its own.
  ASSERT_OK_AND_ASSIGN(Table id_only, ReadUcol(path, {.columns = {"id"}}));
  EXPECT_EQ(id_only.column(0).int64s()[999], 1);
}

TEST(Ucol, EveryFlippedByteIsDetectedOrHarmless) {
  TempDir dir;
  const std::string path = dir.File("t.ucol");
  const Table original = AllTypes();
  ASSERT_OK(WriteUcol(original, path));
  const std::string good = ReadAll(path);
  size_t detected = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Overwrite(path, bad);
    auto r = ReadUcol(path);
    if (r.ok()) {
      // A few bits of a zstd frame are ignored by the decoder (reserved flags); then the data
      // must come back exactly as written - the checksum guarantees that.
      SCOPED_TRACE("flip at byte " + std::to_string(i));
      ExpectTablesIdentical(original, *r);
    } else {
      EXPECT_EQ(r.status().code(), ErrorCode::kData) << r.status().ToString();
      ++detected;
    }
  }
  EXPECT_GT(detected, good.size() * 9 / 10);
}

TEST(Ucol, EveryTruncationIsADataError) {
  TempDir dir;
  const std::string path = dir.File("t.ucol");
  ASSERT_OK(WriteUcol(AllTypes(), path));
  const std::string good = ReadAll(path);
  for (size_t len = 0; len < good.size(); ++len) {
    Overwrite(path, std::string_view(good).substr(0, len));
    auto r = ReadUcol(path);
    ASSERT_FALSE(r.ok()) << "truncation to " << len << " bytes went unnoticed";
    EXPECT_EQ(r.status().code(), ErrorCode::kData) << r.status().ToString();
    EXPECT_FALSE(InspectUcol(path).ok()) << len;
  }
  // Cut inside the last column's data: the error names that column.
  Overwrite(path, std::string_view(good).substr(0, good.size() - 1));
  auto r = ReadUcol(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated .ucol file: column 'b'"), std::string::npos)
      << r.status().message();
}

TEST(Ucol, WrongMagicAndVersion) {
  TempDir dir;
  const std::string csv = dir.Write("t.ucol", "client_id,age\n1,2\n");
  auto r = ReadUcol(csv);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("not a .ucol file"), std::string::npos);

  const std::string path = dir.File("v.ucol");
  ASSERT_OK(WriteUcol(AllTypes(), path));
  PokeByte(path, 8, 2);  // version 2
  auto v = InspectUcol(path);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("format version 2 is not supported"), std::string::npos)
      << v.status().message();

  auto missing = ReadUcol(dir.File("absent.ucol"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
}

TEST(Ucol, FailedWriteLeavesNothingBehind) {
  TempDir dir;
  const std::string path = dir.Write("t.ucol", "old");
  EXPECT_FALSE(WriteUcol(AllTypes(), path, {.compression_level = 99}).ok());
  EXPECT_EQ(ReadAll(path), "old");
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"t.ucol"});
  EXPECT_FALSE(WriteUcol(AllTypes(), dir.File("no/such/dir/t.ucol")).ok());
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"t.ucol"});
}

TEST(Ucol, ExportToCsvMatchesTheCsvWriter) {
  TempDir dir;
  const Table t = AllTypes();
  ASSERT_OK(WriteUcol(t, dir.File("t.ucol")));
  ASSERT_OK(ExportUcolToCsv(dir.File("t.ucol"), dir.File("t.csv")));
  EXPECT_EQ(ReadAll(dir.File("t.csv")), TableToCsvString(t));
  EXPECT_NE(ReadAll(dir.File("t.csv")).find("\"alpha, \"\"quoted\"\"\nline\""), std::string::npos);
}

TEST(Ucol, IsUcolPath) {
  EXPECT_TRUE(IsUcolPath("a/b.ucol"));
  EXPECT_TRUE(IsUcolPath("B.UCOL"));
  EXPECT_FALSE(IsUcolPath("b.csv"));
  EXPECT_FALSE(IsUcolPath("ucol"));
}

}  // namespace
}  // namespace upcamp
