#include "data/csv_writer.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <limits>

#include "core/civil_time.h"
#include "core/file_util.h"
#include "testing.h"

namespace upcamp {
namespace {

using ::upcamp::testing::ListDir;
using ::upcamp::testing::ReadAll;
using ::upcamp::testing::TempDir;

std::string Gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

std::string Unzstd(const std::string& data) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::string out;
  std::vector<char> buf(ZSTD_DStreamOutSize());
  size_t rc = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    rc = ZSTD_decompressStream(d, &o, &in);
    EXPECT_FALSE(ZSTD_isError(rc)) << ZSTD_getErrorName(rc);
    if (ZSTD_isError(rc)) break;
    out.append(buf.data(), o.pos);
  }
  EXPECT_EQ(rc, 0u) << "zstd frame incomplete";
  ZSTD_freeDCtx(d);
  return out;
}

Table MixedTable() {
  auto t = Table::Make({
      Column::StringFromValues(
          "name", {"plain", "a,b", "say \"hi\"", std::nullopt, " pad", "two\nlines", "cr\rx"}),
      Column::Int64("n", {1, -2, kNullInt64, std::numeric_limits<int64_t>::max(), 0, 7, 8}),
      Column::Float64("x", {0.1, 1.0 / 3.0, kNullFloat64, -2.5e17, 5e-324,
                            std::numeric_limits<double>::infinity(), -0.0}),
      Column::Timestamp("t", {*ParseTimestamp("2019-03-18 23:59:59"), kNullInt64, 0, 0, 0, 0, 0}),
      Column::Bool("b", {1, 0, kNullBool, 1, 1, 1, 0}),
  });
  EXPECT_TRUE(t.ok());
  return std::move(t).value();
}

constexpr const char* kMixedCsv =
    "name,n,x,t,b\n"
    "plain,1,0.1,2019-03-18 23:59:59,1\n"
    "\"a,b\",-2,0.3333333333333333,,0\n"
    "\"say \"\"hi\"\"\",,,1970-01-01 00:00:00,\n"
    ",9223372036854775807,-2.5e+17,1970-01-01 00:00:00,1\n"
    "\" pad\",0,5e-324,1970-01-01 00:00:00,1\n"
    "\"two\nlines\",7,inf,1970-01-01 00:00:00,1\n"
    "\"cr\rx\",8,0,1970-01-01 00:00:00,0\n";

TEST(CsvWriter, FormatsEveryTypeQuotesAndMissing) {
  EXPECT_EQ(TableToCsvString(MixedTable()), kMixedCsv);
}

TEST(CsvWriter, FloatsAreShortestRoundTrip) {
  std::vector<double> values = {0.1, 0.2 + 0.1, 1e300, -1e-300, 123456789.123456789, 2.0 / 3.0};
  auto t = Table::Make({Column::Float64("x", values)});
  ASSERT_TRUE(t.ok());
  const std::string csv = TableToCsvString(*t, {.header = false});
  size_t pos = 0;
  for (double v : values) {
    const size_t nl = csv.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    const std::string field = csv.substr(pos, nl - pos);
    EXPECT_EQ(std::strtod(field.c_str(), nullptr), v) << field;
    pos = nl + 1;
  }
  EXPECT_EQ(csv.substr(0, 4), "0.1\n");
  EXPECT_NE(csv.find("0.30000000000000004\n"), std::string::npos);
}

TEST(CsvWriter, SingleColumnMissingIsQuotedEmpty) {
  auto t = Table::Make({Column::Int64("a", {1, kNullInt64, 3})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(TableToCsvString(*t), "a\n1\n\"\"\n3\n");
}

TEST(CsvWriter, DelimiterOptionAndQuotedHeader) {
  auto t =
      Table::Make({Column::StringFromValues("a;b", {"x;y", "z,w"}), Column::Int64("c", {1, 2})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(TableToCsvString(*t, {.delimiter = ';'}), "\"a;b\";c\n\"x;y\";1\nz,w;2\n");
}

TEST(CsvWriter, AppendCsvField) {
  std::string out;
  AppendCsvField(out, "ok");
  out += ',';
  AppendCsvField(out, "q\"q");
  out += ',';
  AppendCsvField(out, "trailing ");
  EXPECT_EQ(out, "ok,\"q\"\"q\",\"trailing \"");
}

TEST(CsvWriter, WritesPlainGzipAndZstdByExtension) {
  TempDir dir;
  const Table t = MixedTable();
  for (const char* name : {"t.csv", "t.csv.gz", "t.csv.zst", "T.CSV.GZ"}) {
    const std::string path = dir.File(name);
    ASSERT_OK(WriteCsv(t, path));
    const std::string raw = ReadAll(path);
    std::string text;
    const std::string lower = [&] {
      std::string s = name;
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }();
    if (lower.ends_with(".gz")) {
      ASSERT_GE(raw.size(), 2u);
      EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x1f);  // gzip magic
      text = Gunzip(raw);
    } else if (lower.ends_with(".zst")) {
      text = Unzstd(raw);
    } else {
      text = raw;
    }
    EXPECT_EQ(text, kMixedCsv) << name;
  }
  // Only the four outputs: no temp files left behind.
  EXPECT_EQ(ListDir(dir.path()).size(), 4u);
}

TEST(CsvWriter, StreamingRawAndTablesLargeCompressed) {
  TempDir dir;
  for (const char* name : {"big.csv", "big.csv.gz", "big.csv.zst"}) {
    const std::string path = dir.File(name);
    ASSERT_OK_AND_ASSIGN(auto w, CsvWriter::Open(path, {"id", "v"}));
    std::string expected = "id,v\n";
    std::string raw;
    for (int i = 0; i < 200000; ++i) raw += std::to_string(i) + "," + std::to_string(i * 7) + "\n";
    ASSERT_OK(w->WriteRaw(raw));
    expected += raw;
    std::vector<int64_t> ids, vs;
    for (int i = 0; i < 300000; ++i) {
      ids.push_back(i);
      vs.push_back(i % 13 == 0 ? kNullInt64 : -i);
      expected += std::to_string(i) + "," + (i % 13 == 0 ? "" : std::to_string(-i)) + "\n";
    }
    ASSERT_OK_AND_ASSIGN(Table t, Table::Make({Column::Int64("id", ids), Column::Int64("v", vs)}));
    ASSERT_OK(w->WriteTable(t));
    ASSERT_OK(w->WriteRaw("x,y\n"));
    expected += "x,y\n";
    EXPECT_EQ(w->rows_written(), 500001u);
    EXPECT_FALSE(FileExists(path)) << "visible before Commit";
    ASSERT_OK(w->Commit());
    const std::string bytes = ReadAll(path);
    const std::string s = std::string(name).ends_with(".gz")    ? Gunzip(bytes)
                          : std::string(name).ends_with(".zst") ? Unzstd(bytes)
                                                                : bytes;
    EXPECT_EQ(s.size(), expected.size()) << name;
    EXPECT_TRUE(s == expected) << name;
    if (!std::string(name).ends_with(".csv")) {
      EXPECT_LT(bytes.size(), expected.size() / 2);
    }
  }
}

TEST(CsvWriter, ThreadsWriteTheSameBytes) {
  // Enough rows for several groups of parallel chunks, a row count that is no multiple of the
  // chunk size, every type and missing values; plain and compressed, after a raw prefix.
  std::vector<std::optional<std::string>> names;
  std::vector<int64_t> ints, times;
  std::vector<double> floats;
  std::vector<uint8_t> bools;
  for (int i = 0; i < 100003; ++i) {
    names.push_back(i % 11 == 0 ? std::nullopt
                                : std::optional<std::string>(
                                      i % 7 == 0 ? "a,\"b\"" : "n" + std::to_string(i % 1000)));
    ints.push_back(i % 5 == 0 ? kNullInt64 : i * 31 - 7);
    floats.push_back(i % 3 == 0 ? kNullFloat64 : i / 7.0);
    times.push_back(i % 13 == 0 ? kNullInt64 : 1550000000 + i * 61);
    bools.push_back(i % 17 == 0 ? kNullBool : static_cast<uint8_t>(i % 2));
  }
  ASSERT_OK_AND_ASSIGN(Table t,
                       Table::Make({Column::StringFromValues("s", names), Column::Int64("i", ints),
                                    Column::Float64("f", floats), Column::Timestamp("t", times),
                                    Column::Bool("b", bools)}));
  const std::string expected = "s,i,f,t,b\nraw,1,2,,\n" + TableToCsvString(t, {.header = false});
  TempDir dir;
  for (const char* name : {"p.csv", "p.csv.zst"}) {
    for (int threads : {1, 2, 3}) {
      const std::string path = dir.File(std::to_string(threads) + name);
      CsvWriteOptions o;
      o.threads = threads;
      ASSERT_OK_AND_ASSIGN(auto w, CsvWriter::Open(path, t.ColumnNames(), o));
      ASSERT_OK(w->WriteRaw("raw,1,2,,\n"));
      ASSERT_OK(w->WriteTable(t));
      EXPECT_EQ(w->rows_written(), 100004u);
      ASSERT_OK(w->Commit());
      const std::string bytes = ReadAll(path);
      const std::string text = std::string(name).ends_with(".zst") ? Unzstd(bytes) : bytes;
      EXPECT_TRUE(text == expected) << name << " threads " << threads;
    }
  }
}

TEST(CsvWriter, AbandonedWriterLeavesNoFile) {
  TempDir dir;
  const std::string path = dir.File("out.csv.zst");
  {
    ASSERT_OK_AND_ASSIGN(auto w, CsvWriter::Open(path, {"a"}));
    ASSERT_OK(w->WriteRaw("1\n2\n"));
  }
  EXPECT_FALSE(FileExists(path));
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(CsvWriter, AbandonedWriterKeepsOldFile) {
  TempDir dir;
  const std::string path = dir.Write("out.csv", "old\n");
  {
    ASSERT_OK_AND_ASSIGN(auto w, CsvWriter::Open(path, {"a"}));
    ASSERT_OK(w->WriteRaw("new\n"));
  }
  EXPECT_EQ(ReadAll(path), "old\n");
}

TEST(CsvWriter, MismatchedTableIsRejectedAndNothingCommitted) {
  TempDir dir;
  const std::string path = dir.File("out.csv");
  ASSERT_OK_AND_ASSIGN(auto w, CsvWriter::Open(path, {"a", "b"}));
  ASSERT_OK_AND_ASSIGN(Table t, Table::Make({Column::Int64("a", {1}), Column::Int64("c", {2})}));
  const Status st = w->WriteTable(t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'c'"), std::string::npos) << st.message();
  w.reset();
  EXPECT_FALSE(FileExists(path));
}

TEST(CsvWriter, UseAfterCommitIsAnError) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto w, CsvWriter::Open(dir.File("x.csv"), {"a"}));
  ASSERT_OK(w->Commit());
  EXPECT_FALSE(w->WriteRaw("1\n").ok());
  EXPECT_FALSE(w->Commit().ok());
  EXPECT_EQ(ReadAll(dir.File("x.csv")), "a\n");
}

TEST(CsvWriter, OpenErrors) {
  TempDir dir;
  auto missing_dir = CsvWriter::Open(dir.File("no/such/x.csv"), {"a"});
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.status().code(), ErrorCode::kIo);
  auto bad_level = CsvWriter::Open(dir.File("x.csv.gz"), {"a"}, {.compression_level = 42});
  ASSERT_FALSE(bad_level.ok());
  EXPECT_NE(bad_level.status().message().find("0..9"), std::string::npos);
  EXPECT_FALSE(CsvWriter::Open(dir.File("x.csv"), {}).ok());
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(CsvWriter, NoHeaderOption) {
  TempDir dir;
  const std::string path = dir.File("x.csv");
  ASSERT_OK_AND_ASSIGN(Table t, Table::Make({Column::Int64("a", {5})}));
  ASSERT_OK(WriteCsv(t, path, {.header = false}));
  EXPECT_EQ(ReadAll(path), "5\n");
}

}  // namespace
}  // namespace upcamp
