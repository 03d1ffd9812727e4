#include "data/csv_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <thread>

#include "core/civil_time.h"
#include "core/log.h"
#include "data/csv_scan.h"
#include "testing.h"

namespace upcamp {
namespace {

using ::upcamp::testing::TempDir;

// Everything observable about a table, codes included, as text (for exact comparisons).
std::string Dump(const Table& t) {
  std::string out;
  for (const Column& c : t.columns()) {
    out += c.name() + ":" + DataTypeName(c.type()) + "\n";
    for (size_t r = 0; r < c.size(); ++r) {
      out += c.IsNull(r) ? std::string("<null>") : c.ValueToString(r);
      if (c.type() == DataType::kString) out += std::string("#") + std::to_string(c.codes()[r]);
      out += "|";
    }
    out += "\n";
    if (c.type() == DataType::kString) {
      for (int32_t k = 0; k < c.dictionary().size(); ++k) {
        out += std::string(c.dictionary().Get(k)) + "|";
      }
      out += "\n";
    }
  }
  return out;
}

CsvReadOptions WithSchema(std::vector<Field> schema) {
  CsvReadOptions o;
  o.schema = std::move(schema);
  return o;
}

std::vector<std::string> Values(const Column& c) {
  std::vector<std::string> v;
  for (size_t r = 0; r < c.size(); ++r) v.push_back(c.IsNull(r) ? "<null>" : c.ValueToString(r));
  return v;
}

using Strings = std::vector<std::string>;

std::string Gzip(const std::string& text, int members = 1) {
  std::string out;
  const size_t part = text.size() / static_cast<size_t>(members) + 1;
  for (size_t begin = 0; begin < text.size() || (begin == 0 && text.empty()); begin += part) {
    const std::string piece = text.substr(begin, part);
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string buf(deflateBound(&z, piece.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    z.avail_in = static_cast<uInt>(piece.size());
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    buf.resize(buf.size() - z.avail_out);
    deflateEnd(&z);
    out += buf;
    if (text.empty()) break;
  }
  return out;
}

std::string Zstd(const std::string& text, int frames = 1) {
  std::string out;
  const size_t part = text.size() / static_cast<size_t>(frames) + 1;
  for (size_t begin = 0; begin < text.size(); begin += part) {
    const std::string piece = text.substr(begin, part);
    std::string buf(ZSTD_compressBound(piece.size()), '\0');
    const size_t n = ZSTD_compress(buf.data(), buf.size(), piece.data(), piece.size(), 3);
    EXPECT_FALSE(ZSTD_isError(n));
    buf.resize(n);
    out += buf;
  }
  return out;
}

// A receipts-like file with every feature that stresses block boundaries: quoted fields with
// delimiters, doubled quotes and newlines, CRLF and LF, empty fields, repeated strings.
std::string MessyCsv(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s = "id,name,when,amount,flag,note\n";
  for (int i = 0; i < rows; ++i) {
    s += std::to_string(static_cast<int>(rng() % 1000) - 500);
    s += ',';
    const uint32_t kind = rng() % 6;
    const std::string name = std::string("n") + std::to_string(rng() % 37);
    if (kind == 0) {
      s += std::string("\"") + name + ",x\"";
    } else if (kind == 1) {
      s += std::string("\"") + name + " \"\"q\"\"\"";
    } else if (kind == 2) {
      s += std::string("\"") + name + "\nline2\r\nline3\"";
    } else if (kind == 3) {
      s += "";
    } else {
      s += name;
    }
    s += ',';
    if (rng() % 5 != 0) {
      s += FormatTimestamp(1500000000 + static_cast<int64_t>(rng() % 100000000));
    }
    s += ',';
    if (rng() % 4 != 0) s += std::to_string(static_cast<int>(rng() % 100000)) + ".25";
    s += ',';
    s += (rng() % 2) ? "1" : "0";
    s += ',';
    if (rng() % 3 == 0)
      s += "\"\"";
    else
      s += std::string("note") + std::to_string(rng() % 5);
    s += (rng() % 3 == 0) ? "\r\n" : "\n";
  }
  return s;
}

const std::vector<Field> kMessySchema = {
    {"id", DataType::kInt64},       {"name", DataType::kString}, {"when", DataType::kTimestamp},
    {"amount", DataType::kFloat64}, {"flag", DataType::kBool},   {"note", DataType::kString}};

TEST(CsvReaderTest, ParsesEveryDeclaredType) {
  const std::string text =
      "i,f,t,b,s\n"
      "1,1.5,2019-03-08 10:05:00,true,abc\n"
      "-42,-2e3,2020-02-29,0,def\n"
      "+7,inf,2021-12-31 23:59:59,False,abc\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"i", DataType::kInt64},
                                                                {"f", DataType::kFloat64},
                                                                {"t", DataType::kTimestamp},
                                                                {"b", DataType::kBool},
                                                                {"s", DataType::kString}})));
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column(0).int64s()[0], 1);
  EXPECT_EQ(t.column(0).int64s()[1], -42);
  EXPECT_EQ(t.column(0).int64s()[2], 7);
  EXPECT_EQ(t.column(1).float64s()[0], 1.5);
  EXPECT_EQ(t.column(1).float64s()[1], -2000.0);
  EXPECT_TRUE(std::isinf(t.column(1).float64s()[2]));
  EXPECT_EQ(t.column(2).type(), DataType::kTimestamp);
  EXPECT_EQ(t.column(2).int64s()[0], *ParseTimestamp("2019-03-08 10:05:00"));
  EXPECT_EQ(t.column(2).int64s()[1], *ParseTimestamp("2020-02-29"));
  EXPECT_EQ(t.column(2).int64s()[2], *ParseTimestamp("2021-12-31 23:59:59"));
  EXPECT_EQ(t.column(3).bools()[0], 1);
  EXPECT_EQ(t.column(3).bools()[1], 0);
  EXPECT_EQ(t.column(3).bools()[2], 0);
  EXPECT_EQ(Values(t.column(4)), (Strings{"abc", "def", "abc"}));
  EXPECT_EQ(t.column(4).codes()[2], t.column(4).codes()[0]);
}

TEST(CsvReaderTest, QuotedFieldsWithDelimitersQuotesAndNewlines) {
  const std::string text =
      "a,b,c\r\n"
      "\"x,y\",\"say \"\"hi\"\"\",\"line1\nline2\"\r\n"
      "\"\",plain,\"12\"\r\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"c", DataType::kString}})));
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(Values(t.column(0)), (Strings{"x,y", "<null>"}));
  EXPECT_EQ(Values(t.column(1)), (Strings{"say \"hi\"", "plain"}));
  EXPECT_EQ(Values(t.column(2)), (Strings{"line1\nline2", "12"}));
}

TEST(CsvReaderTest, QuotedNumbersAndTimestampsParse) {
  const std::string text = "f,t\n\"1.25\",\"2019-01-02 03:04:05\"\n";
  ASSERT_OK_AND_ASSIGN(
      Table t,
      ReadCsvString(text, WithSchema({{"f", DataType::kFloat64}, {"t", DataType::kTimestamp}})));
  EXPECT_EQ(t.column(0).float64s()[0], 1.25);
  EXPECT_EQ(t.column(1).int64s()[0], *ParseTimestamp("2019-01-02 03:04:05"));
}

TEST(CsvReaderTest, CrlfAndLfMixAndNoFinalNewline) {
  const std::string text = "a,b\r\n1,x\n2,y\r\n3,z";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"a", DataType::kInt64}})));
  EXPECT_EQ(Values(t.column(0)), (Strings{"1", "2", "3"}));
  EXPECT_EQ(Values(t.column(1)), (Strings{"x", "y", "z"}));
}

TEST(CsvReaderTest, EmptyFieldsAreMissingForEveryType) {
  const std::string text = "i,f,t,b,s\n,,,,\n\"\",\"\",\"\",\"\",\"\"\r\n1,nan,2020-01-01,1,a\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"i", DataType::kInt64},
                                                                {"f", DataType::kFloat64},
                                                                {"t", DataType::kTimestamp},
                                                                {"b", DataType::kBool},
                                                                {"s", DataType::kString}})));
  ASSERT_EQ(t.num_rows(), 3u);
  for (const Column& c : t.columns()) {
    EXPECT_TRUE(c.IsNull(0)) << c.name();
    EXPECT_TRUE(c.IsNull(1)) << c.name();
  }
  EXPECT_TRUE(t.column(1).IsNull(2));  // nan is missing
  EXPECT_FALSE(t.column(0).IsNull(2));
  EXPECT_EQ(t.column(4).dictionary().size(), 1);  // empty strings are not dictionary values
}

TEST(CsvReaderTest, SpacesAreKeptInStringsAndRejectedInNumbers) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString("s\n a \n", WithSchema({{"s", DataType::kString}})));
  EXPECT_EQ(Values(t.column(0)), (Strings{" a "}));
  auto bad = ReadCsvString("x\n 1\n", WithSchema({{"x", DataType::kInt64}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "<input>:2:1 (column 'x'): expected an integer, got \" 1\"");
}

TEST(CsvReaderTest, BadNumberMessageNamesFileLineColumnAndText) {
  const std::string text =
      "client_id,purchase_sum\n"
      "a,1.5\n"
      "b,\"12,5x\"\n";
  auto r = ReadCsvString(text, WithSchema({{"purchase_sum", DataType::kFloat64}}), "receipts.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_EQ(r.status().message(),
            "receipts.csv:3:2 (column 'purchase_sum'): expected a number, got \"12,5x\"");
  EXPECT_EQ(ExitCodeFor(r.status().code()), 3);
}

TEST(CsvReaderTest, BadValuesOfEachType) {
  struct Case {
    DataType type;
    std::string value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {DataType::kInt64, "12a", "<input>:2:2 (column 'v'): expected an integer, got \"12a\""},
      {DataType::kInt64, "99999999999999999999",
       "<input>:2:2 (column 'v'): expected an integer, got \"99999999999999999999\""},
      {DataType::kInt64, "1.0", "<input>:2:2 (column 'v'): expected an integer, got \"1.0\""},
      {DataType::kFloat64, "1.5.2", "<input>:2:2 (column 'v'): expected a number, got \"1.5.2\""},
      {DataType::kFloat64, "+-1", "<input>:2:2 (column 'v'): expected a number, got \"+-1\""},
      {DataType::kTimestamp, "2019-02-30 10:00:00",
       "<input>:2:2 (column 'v'): expected a timestamp (YYYY-MM-DD HH:MM:SS or YYYY-MM-DD), got "
       "\"2019-02-30 10:00:00\""},
      {DataType::kTimestamp, "2019-01-01 24:00:00",
       "<input>:2:2 (column 'v'): expected a timestamp (YYYY-MM-DD HH:MM:SS or YYYY-MM-DD), got "
       "\"2019-01-01 24:00:00\""},
      {DataType::kTimestamp, "01/02/2019",
       "<input>:2:2 (column 'v'): expected a timestamp (YYYY-MM-DD HH:MM:SS or YYYY-MM-DD), got "
       "\"01/02/2019\""},
      {DataType::kBool, "yes",
       "<input>:2:2 (column 'v'): expected a bool (0, 1, true, false), got \"yes\""},
  };
  for (const Case& c : cases) {
    auto r =
        ReadCsvString(std::string("k,v,w\nx,") + c.value + ",z\n", WithSchema({{"v", c.type}}));
    ASSERT_FALSE(r.ok()) << c.value;
    EXPECT_EQ(r.status().code(), ErrorCode::kData);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(CsvReaderTest, LongOffendingTextIsTruncated) {
  const std::string value(100, '7');
  auto r =
      ReadCsvString(std::string("v\n") + value + "x\n", WithSchema({{"v", DataType::kFloat64}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            std::string("<input>:2:1 (column 'v'): expected a number, got \"") +
                std::string(40, '7') + "...\"");
}

TEST(CsvReaderTest, TimestampVariants) {
  const std::string text = "t\n2019-03-08\n2019-03-08T10:05:00\n2019-03-08 10:05:00.123\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"t", DataType::kTimestamp}})));
  const int64_t day = *ParseDate("2019-03-08");
  EXPECT_EQ(t.column(0).int64s()[0], day);
  EXPECT_EQ(t.column(0).int64s()[1], day + 36300);
  EXPECT_EQ(t.column(0).int64s()[2], day + 36300);
}

TEST(CsvReaderTest, RaggedRowsAreErrors) {
  auto few = ReadCsvString("a,b,c\n1,2,3\n4,5\n", {}, "f.csv");
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().message(), "f.csv:3:3 (column 'c'): expected 3 fields, got 2");
  auto many = ReadCsvString("a,b,c\n1,2,3,4,\"5,6\"\n", {}, "f.csv");
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().message(), "f.csv:2:4: expected 3 fields, got 5");
  // Also when the short row's last value is a number parsed on the fast path.
  auto few_typed = ReadCsvString("a,b\n1\n", WithSchema({{"a", DataType::kFloat64}}), "f.csv");
  ASSERT_FALSE(few_typed.ok());
  EXPECT_EQ(few_typed.status().message(), "f.csv:2:2 (column 'b'): expected 2 fields, got 1");
}

TEST(CsvReaderTest, LineNumbersCountNewlinesInsideQuotes) {
  const std::string text = "a,b\n\"x\ny\nz\",1\nw,oops\n";
  auto r = ReadCsvString(text, WithSchema({{"b", DataType::kInt64}}), "q.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "q.csv:5:2 (column 'b'): expected an integer, got \"oops\"");
  CsvReadOptions tiny = WithSchema({{"b", DataType::kInt64}});
  tiny.block_size = 3;
  tiny.threads = 2;
  auto r2 = ReadCsvString(text, tiny, "q.csv");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().message(), r.status().message());
}

TEST(CsvReaderTest, UnterminatedQuoteAtEndOfFile) {
  auto r = ReadCsvString("a,b\n1,2\n3,\"abc\ndef\n", {}, "u.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "u.csv:3:2 (column 'b'): unterminated quoted field (no closing '\"' before the end of "
            "the file)");
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldAndJunkAfterClosingQuote) {
  auto inside = ReadCsvString("a,b\nab\"c,1\n", {}, "q.csv");
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.status().message(),
            "q.csv:2:1 (column 'a'): expected a field without quotes or a fully quoted field (with "
            "\"\" for a quote inside), got \"ab\"c,1\"");
  auto after = ReadCsvString("a,b\n\"ab\"c,1\n", {}, "q.csv");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(
      after.status().message(),
      "q.csv:2:1 (column 'a'): expected ',' or a line end after the closing quote, got \"c,1\"");
}

TEST(CsvReaderTest, HeaderErrors) {
  auto dup = ReadCsvString("a,b,a\n1,2,3\n", {}, "h.csv");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), ErrorCode::kData);
  EXPECT_EQ(dup.status().message(),
            "h.csv:1:3 (column 'a'): duplicate column name in the header (also column 1)");
  auto empty_name = ReadCsvString("a,,c\n1,2,3\n", {}, "h.csv");
  ASSERT_FALSE(empty_name.ok());
  EXPECT_EQ(empty_name.status().message(),
            "h.csv:1:2: empty column name in the header (every column needs a name)");
  auto empty_file = ReadCsvString("", {}, "h.csv");
  ASSERT_FALSE(empty_file.ok());
  EXPECT_EQ(empty_file.status().message(), "h.csv: empty file (expected a header line)");
}

TEST(CsvReaderTest, MissingRequestedColumnListsTheHeader) {
  CsvReadOptions o;
  o.columns = {"a", "nope"};
  auto r = ReadCsvString("a,b,c\n1,2,3\n", o, "m.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_EQ(r.status().message(), "m.csv has no column 'nope' (columns: a, b, c)");
}

TEST(CsvReaderTest, SchemaColumnsAbsentFromFileAreFineUnlessRequested) {
  CsvReadOptions o = WithSchema({{"zzz", DataType::kInt64}, {"a", DataType::kInt64}});
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString("a,b\n1,2\n", o));
  EXPECT_EQ(t.num_columns(), 2u);
  o.columns = {"zzz"};
  EXPECT_FALSE(ReadCsvString("a,b\n1,2\n", o).ok());
}

TEST(CsvReaderTest, ProjectionReadsOnlyRequestedColumnsInRequestedOrder) {
  // Skipped columns may hold anything valid as CSV, even text that would not parse as a number.
  const std::string text = "a,b,c,d\n1,\"x,\"\"y\"\"\nz\",3.5,q\n2,,4.5,r\n";
  CsvReadOptions o = WithSchema({{"a", DataType::kInt64}});
  o.columns = {"c", "a"};
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  ASSERT_EQ(t.num_columns(), 2u);
  EXPECT_EQ(t.column(0).name(), "c");
  EXPECT_EQ(t.column(0).type(), DataType::kFloat64);
  EXPECT_EQ(t.column(1).name(), "a");
  EXPECT_EQ(Values(t.column(0)), (Strings{"3.5", "4.5"}));
  EXPECT_EQ(Values(t.column(1)), (Strings{"1", "2"}));
}

TEST(CsvReaderTest, InfersTypesOverTheWholeFile) {
  std::string text = "b,i,f,t,s,e,bt\n";
  for (int r = 0; r < 300; ++r) {
    text += std::to_string(r % 2) + "," + std::to_string(r) + "," + std::to_string(r) +
            ",2020-01-0" + std::to_string(1 + r % 9) + " 00:00:00," + std::to_string(r) + ",," +
            (r % 2 ? "true" : "0") + "\n";
  }
  // The last row turns f into a float and s into a string: inference must see the whole file.
  text += "1,5,2.5,2020-01-01,abc,,1\n";
  CsvReadOptions o;
  o.block_size = 64;
  o.threads = 2;
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(t.column(0).type(), DataType::kBool);
  EXPECT_EQ(t.column(1).type(), DataType::kInt64);
  EXPECT_EQ(t.column(2).type(), DataType::kFloat64);
  EXPECT_EQ(t.column(3).type(), DataType::kTimestamp);
  EXPECT_EQ(t.column(4).type(), DataType::kString);
  EXPECT_EQ(t.column(5).type(), DataType::kFloat64);  // all empty
  EXPECT_EQ(t.column(5).NullCount(), t.num_rows());
  EXPECT_EQ(t.column(6).type(), DataType::kBool);
  EXPECT_EQ(t.column(2).float64s()[300], 2.5);
  EXPECT_EQ(t.column(4).dictionary().Get(t.column(4).codes()[300]), "abc");
  EXPECT_EQ(t.column(6).bools()[1], 1);
}

TEST(CsvReaderTest, DeclaredTypesWinOverInference) {
  CsvReadOptions o = WithSchema({{"id", DataType::kString}});
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString("id,v\n007,1\n", o));
  EXPECT_EQ(t.column(0).type(), DataType::kString);
  EXPECT_EQ(Values(t.column(0)), (Strings{"007"}));
  EXPECT_EQ(t.column(1).type(), DataType::kBool);
}

TEST(CsvReaderTest, BlankLinesAreSkippedExceptInOneColumnFiles) {
  ASSERT_OK_AND_ASSIGN(Table two, ReadCsvString("a,b\n1,2\n\n\r\n3,4\n\n", {}));
  EXPECT_EQ(two.num_rows(), 2u);
  ASSERT_OK_AND_ASSIGN(Table one,
                       ReadCsvString("a\n1\n\n3\n", WithSchema({{"a", DataType::kInt64}})));
  EXPECT_EQ(Values(one.column(0)), (Strings{"1", "<null>", "3"}));
}

TEST(CsvReaderTest, HeaderOnlyAndBomAndTabs) {
  ASSERT_OK_AND_ASSIGN(Table empty, ReadCsvString("a,b\n", WithSchema({{"a", DataType::kString}})));
  EXPECT_EQ(empty.num_rows(), 0u);
  EXPECT_EQ(empty.num_columns(), 2u);
  EXPECT_EQ(empty.column(0).type(), DataType::kString);
  ASSERT_OK_AND_ASSIGN(Table bom, ReadCsvString("\xEF\xBB\xBFx,y\n1,2\n", {}));
  EXPECT_EQ(bom.column(0).name(), "x");
  CsvReadOptions tab;
  tab.delimiter = '\t';
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString("x\ty\n1,5\t2\n", tab));
  EXPECT_EQ(Values(t.column(0)), (Strings{"1,5"}));
}

TEST(CsvReaderTest, MaxErrorsSkipsBadRowsAndLeavesNoTrace) {
  const std::string text = "k,v\nA,1\nB,x\nC,2\nD,\nE,y\nA,3\n";
  CsvReadOptions o = WithSchema({{"v", DataType::kInt64}});
  auto strict = ReadCsvString(text, o, "e.csv");
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().message(), "e.csv:3:2 (column 'v'): expected an integer, got \"x\"");

  o.max_errors = 1;
  auto one = ReadCsvString(text, o, "e.csv");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().message(),
            "e.csv:3:2 (column 'v'): expected an integer, got \"x\" (the first of more than 1 bad "
            "rows; max_errors = 1)");

  o.max_errors = 2;
  for (size_t block : {size_t{5}, size_t{1} << 20}) {
    o.block_size = block;
    ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o, "e.csv"));
    EXPECT_EQ(Values(t.column(0)), (Strings{"A", "C", "D", "A"}));
    EXPECT_EQ(Values(t.column(1)), (Strings{"1", "2", "<null>", "3"}));
    // B and E were only in bad rows: they must not be in the dictionary.
    EXPECT_EQ(t.column(0).dictionary().size(), 3);
    EXPECT_EQ(t.column(0).dictionary().Find("B"), kNullCode);
    EXPECT_EQ(t.column(0).codes()[1], 1);
  }
}

TEST(CsvReaderTest, MaxErrorsAlsoSkipsRaggedAndBadlyQuotedRows) {
  const std::string text = "a,b\n1,2\n3\n4,5,6\n\"7\"x,8\n9,10\n";
  CsvReadOptions o = WithSchema({{"a", DataType::kInt64}, {"b", DataType::kInt64}});
  o.max_errors = 3;
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(Values(t.column(0)), (Strings{"1", "9"}));
  EXPECT_EQ(Values(t.column(1)), (Strings{"2", "10"}));
}

// A nearly unique column (like transaction_id) switches the per-block dictionaries to appending
// without lookups; codes must still be first-appearance order with each value once, and a bad
// row's value must leave no trace, whatever the block size and thread count.
TEST(CsvReaderTest, NearlyUniqueStringsEncodeLikeADictionary) {
  std::mt19937_64 rng(11);
  std::string text = "id,v\n";
  std::vector<std::string> good;
  for (int i = 0; i < 30000; ++i) {
    // Mostly new keys; some repeats of earlier keys (within and across blocks).
    const std::string key =
        i > 0 && rng() % 8 == 0 ? good[rng() % good.size()] : "t" + std::to_string(rng());
    if (i % 997 == 5) {
      text += "bad" + std::to_string(i) + ",x\n";  // a bad row with a new key
      continue;
    }
    text += key + "," + std::to_string(i) + "\n";
    good.push_back(key);
  }
  StringDictionary expected_dict;
  std::vector<int32_t> expected_codes;
  for (const auto& k : good) expected_codes.push_back(expected_dict.GetOrAdd(k));
  for (size_t block : {size_t{1} << 12, size_t{1} << 16, size_t{1} << 22}) {
    for (int threads : {1, 2}) {
      CsvReadOptions o = WithSchema({{"id", DataType::kString}, {"v", DataType::kInt64}});
      o.block_size = block;
      o.threads = threads;
      o.max_errors = 100;
      ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
      const Column& id = t.column(0);
      ASSERT_EQ(id.size(), good.size());
      EXPECT_EQ(id.dictionary().size(), expected_dict.size()) << block << " " << threads;
      EXPECT_TRUE(std::equal(expected_codes.begin(), expected_codes.end(), id.codes().begin()))
          << block << " " << threads;
      for (int32_t k = 0; k < expected_dict.size(); k += 101)
        EXPECT_EQ(id.dictionary().Get(k), expected_dict.Get(k));
      EXPECT_EQ(id.dictionary().Find("bad5"), kNullCode);
    }
  }
}

TEST(CsvReaderTest, SameTableForAnyBlockSizeAndThreadCount) {
  const std::string text = MessyCsv(1500, 7);
  CsvReadOptions base = WithSchema(kMessySchema);
  ASSERT_OK_AND_ASSIGN(Table reference, ReadCsvString(text, base));
  ASSERT_EQ(reference.num_rows(), 1500u);
  const std::string expected = Dump(reference);
  for (size_t block : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}, size_t{1} << 16}) {
    for (int threads : {1, 3}) {
      CsvReadOptions o = base;
      o.block_size = block;
      o.threads = threads;
      ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
      EXPECT_EQ(Dump(t), expected) << "block " << block << " threads " << threads;
    }
  }
}

TEST(CsvReaderTest, MessyValuesRoundTrip) {
  // Spot-check the messy generator's quoting against the values it meant.
  const std::string text =
      "id,name,when,amount,flag,note\n"
      "1,\"n1,x\",,3.25,1,\"\"\r\n"
      "2,\"n2 \"\"q\"\"\",2019-01-01 00:00:00,,0,note1\n"
      "3,\"n3\nline2\r\nline3\",,1.25,1,note2\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema(kMessySchema)));
  EXPECT_EQ(Values(t.column(1)), (Strings{"n1,x", "n2 \"q\"", "n3\nline2\r\nline3"}));
  EXPECT_EQ(Values(t.column(5)), (Strings{"<null>", "note1", "note2"}));
}

TEST(CsvReaderTest, InferenceIsIndependentOfBlocksAndThreads) {
  const std::string text = MessyCsv(500, 11);
  ASSERT_OK_AND_ASSIGN(Table reference, ReadCsvString(text, {}));
  EXPECT_EQ(reference.column(0).type(), DataType::kInt64);
  EXPECT_EQ(reference.column(1).type(), DataType::kString);
  EXPECT_EQ(reference.column(2).type(), DataType::kTimestamp);
  EXPECT_EQ(reference.column(3).type(), DataType::kFloat64);
  EXPECT_EQ(reference.column(4).type(), DataType::kBool);
  CsvReadOptions o;
  o.block_size = 50;
  o.threads = 3;
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(Dump(t), Dump(reference));
}

TEST(CsvReaderTest, RecordLongerThanBlocksAndRounds) {
  const std::string big(100000, 'q');
  const std::string text = std::string("a,b\n1,\"") + big + "\n" + big + "\"\n2,x\n";
  CsvReadOptions o;
  o.block_size = 64;
  o.threads = 3;
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column(1).dictionary().Get(t.column(1).codes()[0]).size(), 2 * big.size() + 1);
  EXPECT_EQ(Values(t.column(0)), (Strings{"1", "2"}));
}

TEST(CsvReaderTest, ErrorsAreTheSameForAnyBlockSizeAndThreadCount) {
  // Errors in several blocks: the reported one is the first in the file.
  std::string text = MessyCsv(2000, 3);
  const size_t cut1 = text.find('\n', text.size() / 2);
  text.insert(cut1 + 1, "1,a,2019-01-01,notanumber,1,x\n");
  text.insert(text.size() * 3 / 4, "\"");  // a stray quote further on
  CsvReadOptions base = WithSchema(kMessySchema);
  auto reference = ReadCsvString(text, base, "m.csv");
  ASSERT_FALSE(reference.ok());
  EXPECT_NE(reference.status().message().find("got \"notanumber\""), std::string::npos)
      << reference.status().message();
  for (size_t block : {size_t{16}, size_t{333}, size_t{4096}}) {
    for (int threads : {1, 3}) {
      CsvReadOptions o = base;
      o.block_size = block;
      o.threads = threads;
      auto r = ReadCsvString(text, o, "m.csv");
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().message(), reference.status().message());
    }
  }
}

TEST(CsvReaderTest, GarbageNeverCrashesAndIsDeterministic) {
  std::mt19937 rng(5);
  const char alphabet[] = {'a', '1', ',', '"', '\n', '\r', ' ', '.', '-', '\0', 'e', '\xff'};
  for (int round = 0; round < 200; ++round) {
    std::string text = "a,b,c\n";
    const size_t len = rng() % 300;
    for (size_t i = 0; i < len; ++i) text += alphabet[rng() % sizeof alphabet];
    CsvReadOptions o = WithSchema({{"a", DataType::kFloat64}, {"c", DataType::kTimestamp}});
    o.max_errors = round % 2 == 0 ? 0 : 1000;
    auto reference = ReadCsvString(text, o);
    for (size_t block : {size_t{1}, size_t{13}}) {
      o.block_size = block;
      o.threads = 3;
      auto r = ReadCsvString(text, o);
      ASSERT_EQ(r.ok(), reference.ok()) << round;
      if (r.ok()) {
        EXPECT_EQ(Dump(*r), Dump(*reference)) << round;
      } else {
        EXPECT_EQ(r.status().message(), reference.status().message()) << round;
        EXPECT_EQ(r.status().code(), ErrorCode::kData);
      }
    }
  }
}

TEST(CsvReaderTest, ReadsPlainGzipAndZstdFilesAlike) {
  TempDir dir;
  const std::string text = MessyCsv(2000, 9);
  const std::string plain = dir.Write("m.csv", text);
  const std::string gz = dir.Write("m.csv.gz", Gzip(text));
  const std::string gz_members = dir.Write("m2.csv.gz", Gzip(text, 3));
  const std::string zst = dir.Write("m.csv.zst", Zstd(text));
  const std::string zst_frames = dir.Write("m2.csv.ZST", Zstd(text, 4));
  CsvReadOptions o = WithSchema(kMessySchema);
  o.block_size = 4096;
  o.threads = 2;
  ASSERT_OK_AND_ASSIGN(Table reference, ReadCsv(plain, o));
  EXPECT_EQ(reference.num_rows(), 2000u);
  for (const std::string& path : {gz, gz_members, zst, zst_frames}) {
    ASSERT_OK_AND_ASSIGN(Table t, ReadCsv(path, o));
    EXPECT_EQ(Dump(t), Dump(reference)) << path;
  }
  ASSERT_OK_AND_ASSIGN(auto header, ReadCsvHeader(zst));
  EXPECT_EQ(header, (Strings{"id", "name", "when", "amount", "flag", "note"}));
}

TEST(CsvReaderTest, CorruptAndTruncatedCompressedInputIsADataError) {
  TempDir dir;
  const std::string text = MessyCsv(3000, 2);
  const std::string zst = Zstd(text);
  const std::string gz = Gzip(text);
  auto cut_zst = ReadCsv(dir.Write("t.csv.zst", zst.substr(0, zst.size() / 2)), {});
  ASSERT_FALSE(cut_zst.ok());
  EXPECT_EQ(cut_zst.status().code(), ErrorCode::kData);
  EXPECT_NE(cut_zst.status().message().find("truncated"), std::string::npos)
      << cut_zst.status().message();
  auto cut_gz = ReadCsv(dir.Write("t.csv.gz", gz.substr(0, gz.size() / 2)), {});
  ASSERT_FALSE(cut_gz.ok());
  EXPECT_EQ(cut_gz.status().code(), ErrorCode::kData);
  std::string bad = gz;
  for (size_t i = 20; i < bad.size(); i += 97) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  auto corrupt = ReadCsv(dir.Write("c.csv.gz", bad), {});
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), ErrorCode::kData);
}

TEST(CsvReaderTest, HeaderIsSplitAtTheGivenDelimiter) {
  TempDir dir;
  const std::string path = dir.Write("semi.csv", "a;\"b;c\";d\n1;2;3\n");
  ASSERT_OK_AND_ASSIGN(auto semi, ReadCsvHeader(path, ';'));
  EXPECT_EQ(semi, (Strings{"a", "b;c", "d"}));
  // Split at ',' instead, the same header is one unquoted name with a quote inside: an error.
  EXPECT_EQ(ReadCsvHeader(path).status().code(), ErrorCode::kData);
  ASSERT_OK_AND_ASSIGN(auto comma, ReadCsvHeader(dir.Write("plain.csv", "a;b;c\n1;2;3\n")));
  EXPECT_EQ(comma, (Strings{"a;b;c"}));
  EXPECT_FALSE(ReadCsvHeader(path, '"').ok());
}

// The whole of a small file is buffered while the header is read; its bytes must still count.
TEST(CsvReaderTest, ProgressCountsBytesOfAFileSmallerThanARound) {
  TempDir dir;
  std::string text = "x,y\n";
  while (text.size() < 5000) text += "1,2\n";
  const std::string path = dir.Write("small.csv", text);
  CsvReadOptions o;
  o.progress_label = "small.csv";
  const bool quiet = LoggingIsQuiet();
  InitLogging(/*quiet=*/false);
  ::testing::internal::CaptureStderr();
  auto t = ReadCsv(path, o);
  const std::string err = ::testing::internal::GetCapturedStderr();
  InitLogging(quiet);
  ASSERT_OK(t.status());
  EXPECT_NE(err.find(fmt::format("small.csv: {} bytes in", text.size())), std::string::npos) << err;
}

TEST(CsvReaderTest, MissingFileIsAnIoError) {
  TempDir dir;
  auto r = ReadCsv(dir.File("nope.csv"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIo);
  EXPECT_NE(r.status().message().find("nope.csv"), std::string::npos);
  auto h = ReadCsvHeader(dir.File("nope.csv.gz"));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kIo);
}

TEST(CsvReaderTest, BatchesConcatenateToTheWholeTableAndShareDictionaries) {
  TempDir dir;
  const std::string text = MessyCsv(3000, 4);
  const std::string path = dir.Write("b.csv.zst", Zstd(text));
  CsvReadOptions o = WithSchema(kMessySchema);
  o.block_size = 512;
  o.threads = 3;
  ASSERT_OK_AND_ASSIGN(Table whole, ReadCsv(path, o));
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<Table> batches;
  bool same_thread = true;
  ASSERT_OK(ReadCsvBatches(path, o, [&](const Table& b) {
    batches.push_back(b);
    same_thread = same_thread && std::this_thread::get_id() == caller;
    return Status::Ok();
  }));
  EXPECT_TRUE(same_thread) << "consume must run on the calling thread";
  ASSERT_GT(batches.size(), 2u);
  for (const Table& b : batches) {
    EXPECT_EQ(b.schema(), whole.schema());
    EXPECT_EQ(b.column(1).shared_dictionary(), batches[0].column(1).shared_dictionary());
  }
  ASSERT_OK_AND_ASSIGN(Table joined, Table::Concatenate(batches));
  EXPECT_EQ(Dump(joined), Dump(whole));
}

TEST(CsvReaderTest, BatchesInferFromTheFirstBlockAndNameLaterMisfits) {
  TempDir dir;
  std::string text = "k,v\n";
  for (int i = 0; i < 50; ++i) text += std::string("a,") + std::to_string(i) + "\n";
  text += "b,1.5\n";
  const std::string path = dir.Write("late.csv", text);
  CsvReadOptions o;
  o.block_size = 100;
  size_t rows = 0;
  Status st = ReadCsvBatches(path, o, [&](const Table& b) {
    EXPECT_EQ(b.column(1).type(), DataType::kInt64);
    rows += b.num_rows();
    return Status::Ok();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            path +
                ":52:2 (column 'v'): expected an integer, got \"1.5\" (the type int64 was "
                "inferred from the first rows; declare the column's type in the schema)");
  // ReadCsv looks at the whole file instead.
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsv(path, o));
  EXPECT_EQ(t.column(1).type(), DataType::kFloat64);
}

TEST(CsvReaderTest, BatchConsumerErrorStopsTheRead) {
  TempDir dir;
  const std::string path = dir.Write("s.csv", MessyCsv(2000, 1));
  CsvReadOptions o = WithSchema(kMessySchema);
  o.block_size = 256;
  int calls = 0;
  Status st = ReadCsvBatches(path, o, [&](const Table&) {
    ++calls;
    return Status::Runtime("enough");
  });
  EXPECT_EQ(st.code(), ErrorCode::kRuntime);
  EXPECT_EQ(st.message(), "enough");
  EXPECT_EQ(calls, 1);
}

TEST(CsvReaderTest, InvalidOptionsAreConfigErrors) {
  CsvReadOptions o;
  o.threads = 0;
  auto r = ReadCsvString("a\n1\n", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
  EXPECT_EQ(r.status().message(), "CsvReadOptions.threads must be >= 1, got 0");
  CsvReadOptions twice;
  twice.columns = {"a", "a"};
  EXPECT_EQ(ReadCsvString("a\n1\n", twice).status().code(), ErrorCode::kConfig);
}

// Short decimals take an inlined fast path; every value must be the double strtod gives, bit for
// bit, on both sides of the path's limits (15 digits, exponents, signs, "-0.0").
TEST(CsvReaderTest, DecimalsParseExactlyAsStrtod) {
  std::mt19937_64 rng(7);
  std::vector<std::string> values = {"0",
                                     "-0.0",
                                     "0.1",
                                     "586.97",
                                     "-50.0",
                                     "1.",
                                     ".5",
                                     "+2.5",
                                     "1e3",
                                     "1.5E-3",
                                     "inf",
                                     "-inf",
                                     "00012.340",
                                     "123456789012345",
                                     "1234567890123456",
                                     "0.000000000000001",
                                     "9007199254740993",
                                     "-1.0000000000000002"};
  for (int i = 0; i < 20000; ++i) {
    const int digits = static_cast<int>(rng() % 18) + 1;
    const int point = static_cast<int>(rng() % static_cast<uint64_t>(digits + 1));
    std::string v = rng() % 4 == 0 ? "-" : "";
    for (int d = 0; d < digits; ++d) {
      if (d == point && d > 0) v += '.';
      v += static_cast<char>('0' + rng() % 10);
    }
    values.push_back(v);
  }
  std::string text = "f\n";
  for (const auto& v : values) text += v + "\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"f", DataType::kFloat64}})));
  ASSERT_EQ(t.num_rows(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double want = std::strtod(values[i].c_str(), nullptr);
    const double got = t.column(0).float64s()[i];
    EXPECT_EQ(std::memcmp(&want, &got, sizeof want), 0) << values[i] << " -> " << got;
  }
}

// Short decimals (mantissas around 2^26, 0-6 fraction digits), the amounts of retail logs, must
// round exactly as strtod does, on the fast record path and on the general one.
TEST(CsvReaderTest, DecimalsRoundLikeStrtod) {
  std::mt19937_64 rng(11);
  std::vector<std::string> values = {
      "0.0",           "-0.0",      "0.5",       "0.000001",   "-0.000001",
      "67108863.0",    "6710886.3", "67108.864", "67108864.0", "6.7108865",
      "0.3",           "0.7",       "792.14",    "1248.28",    "-30.0",
      "999999.999999", "99999999",  "-99999999", "9999999.9",  "0.0000001",
      "12345678.9",    "00000000",  "-0000.000", "1",          "-7"};
  auto digits = [&](int n) {
    std::string d;
    for (int i = 0; i < n; ++i) d += static_cast<char>('0' + rng() % 10);
    return d;
  };
  for (int i = 0; i < 60000; ++i) {
    const int fraction = static_cast<int>(rng() % 7);  // 0..6 digits after the point
    std::string v = rng() % 3 == 0 ? "-" : "";
    if (i % 2 == 0) {
      // A mantissa below 2^26 (the multiplication path), or just above it (the division path).
      const uint64_t m =
          i % 10 == 0 ? (uint64_t{1} << 26) - 50 + rng() % 100 : rng() % (uint64_t{1} << 26);
      std::string d = std::to_string(m);
      if (static_cast<int>(d.size()) <= fraction) d.insert(0, fraction + 1 - d.size(), '0');
      v += d.substr(0, d.size() - static_cast<size_t>(fraction));
      if (fraction > 0) v += "." + d.substr(d.size() - static_cast<size_t>(fraction));
    } else {
      v += digits(static_cast<int>(rng() % 6) + 1);
      if (fraction > 0) v += "." + digits(fraction);
    }
    values.push_back(v);
  }
  std::string text = "f,s\n";
  for (const auto& v : values) text += v + ",x\n";
  for (const auto level : {csv_scan::BestLevel(), csv_scan::Level::kGeneral}) {
    csv_scan::SetLevelForTesting(level);
    auto t = ReadCsvString(text, WithSchema({{"f", DataType::kFloat64}, {"s", DataType::kString}}));
    csv_scan::SetLevelForTesting(std::nullopt);
    ASSERT_OK(t.status());
    ASSERT_EQ(t->num_rows(), values.size());
    size_t mismatches = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      const double want = std::strtod(values[i].c_str(), nullptr);
      const double got = t->column(0).float64s()[i];
      if (std::memcmp(&want, &got, sizeof want) != 0 && ++mismatches < 10) {
        ADD_FAILURE() << csv_scan::LevelName(level) << ": " << values[i] << " -> " << got
                      << ", strtod gives " << want;
      }
    }
    EXPECT_EQ(mismatches, 0u) << csv_scan::LevelName(level);
  }
}

TEST(CsvReaderTest, IntegerEdgeValues) {
  const std::string text = "v\n9223372036854775807\n-9223372036854775807\n-0\n123456789012345678\n";
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, WithSchema({{"v", DataType::kInt64}})));
  EXPECT_EQ(t.column(0).int64s()[0], INT64_MAX);
  EXPECT_EQ(t.column(0).int64s()[1], -INT64_MAX);
  EXPECT_EQ(t.column(0).int64s()[2], 0);
  EXPECT_EQ(t.column(0).int64s()[3], 123456789012345678);
  // INT64_MIN is the missing-value sentinel, so it cannot be data.
  EXPECT_FALSE(
      ReadCsvString("v\n-9223372036854775808\n", WithSchema({{"v", DataType::kInt64}})).ok());
}

// ------------------------------------------------------------------------------------------------
// The fast record path (SIMD masks of delimiters, line ends and quotes; csv_scan.h) must give
// exactly what the general byte-by-byte parser gives: the same table, codes included, or the same
// error message, for every scan level this CPU has, any block size and thread count.

// Restores the default scan level when a test ends, even after a failed assertion.
struct ScanLevelGuard {
  ~ScanLevelGuard() { csv_scan::SetLevelForTesting(std::nullopt); }
};

std::vector<csv_scan::Level> ScanLevels() {
  std::vector<csv_scan::Level> levels = {csv_scan::Level::kGeneral, csv_scan::Level::kScalar};
  if (csv_scan::BestLevel() >= csv_scan::Level::kSse2) levels.push_back(csv_scan::Level::kSse2);
  if (csv_scan::BestLevel() >= csv_scan::Level::kAvx2) levels.push_back(csv_scan::Level::kAvx2);
  return levels;
}

std::string Outcome(const Result<Table>& r) {
  return r.ok() ? Dump(*r) : "error " + r.status().message();
}

// Reads `text` on every path; returns the general path's outcome (a table dump or the error).
std::string ExpectSameOnEveryPath(const std::string& text, const CsvReadOptions& base,
                                  std::vector<size_t> blocks = {64, 1000, size_t{1} << 20}) {
  ScanLevelGuard guard;
  csv_scan::SetLevelForTesting(csv_scan::Level::kGeneral);
  const std::string reference = Outcome(ReadCsvString(text, base, "f.csv"));
  for (csv_scan::Level level : ScanLevels()) {
    csv_scan::SetLevelForTesting(level);
    for (size_t block : blocks) {
      for (int threads : {1, 3}) {
        CsvReadOptions o = base;
        o.block_size = block;
        o.threads = threads;
        EXPECT_EQ(Outcome(ReadCsvString(text, o, "f.csv")), reference)
            << csv_scan::LevelName(level) << ", block " << block << ", threads " << threads;
      }
    }
  }
  return reference;
}

TEST(CsvFastPathTest, MessyFilesParseTheSameOnEveryPath) {
  for (uint32_t seed : {1u, 2u}) {
    const std::string text = MessyCsv(500, seed);
    const std::string all = ExpectSameOnEveryPath(text, WithSchema(kMessySchema));
    EXPECT_EQ(all.rfind("error", 0), std::string::npos) << all.substr(0, 200);
    // Projections skip the quoted names and notes (with delimiters, quotes and newlines inside).
    CsvReadOptions some = WithSchema(kMessySchema);
    some.columns = {"amount", "id"};
    ExpectSameOnEveryPath(text, some);
    some.columns = {"flag"};
    ExpectSameOnEveryPath(text, some);
    ExpectSameOnEveryPath(text, {});  // inferred types
  }
}

// Rows of every length from 1 to 140 bytes, so that delimiters, line ends, CRs of CRLF and the
// starts of fields fall on every position of a 64-byte word (and on both sides of its edges).
TEST(CsvFastPathTest, FieldsAtEveryPositionOfA64ByteWord) {
  std::string text = "s,f,t,i\n";
  std::vector<std::string> strings;
  for (int i = 0; i < 300; ++i) {
    const std::string s(static_cast<size_t>(i % 71), static_cast<char>('a' + i % 26));
    strings.push_back(s.empty() ? "<null>" : s);
    text += s + "," + std::to_string(i) + ".5," +
            (i % 3 == 0
                 ? ""
                 : "2019-03-0" + std::to_string(1 + i % 9) + " 10:00:0" + std::to_string(i % 10)) +
            "," + (i % 4 == 0 ? "" : std::to_string(-i)) + (i % 2 == 0 ? "\r\n" : "\n");
  }
  const CsvReadOptions o = WithSchema({{"s", DataType::kString},
                                       {"f", DataType::kFloat64},
                                       {"t", DataType::kTimestamp},
                                       {"i", DataType::kInt64}});
  ExpectSameOnEveryPath(text, o, {64, 100, 4096, size_t{1} << 20});
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(Values(t.column(0)), strings);
  EXPECT_EQ(t.column(1).float64s()[299], 299.5);
  EXPECT_EQ(t.column(2).int64s()[1], *ParseTimestamp("2019-03-02 10:00:01"));
  EXPECT_EQ(t.column(3).int64s()[299], -299);
}

TEST(CsvFastPathTest, QuotedFieldsAcrossWordAndBlockEdges) {
  std::string text = "a,q,b\n";
  for (int i = 0; i < 200; ++i) {
    std::string inner(static_cast<size_t>(40 + i % 90), 'x');
    inner[static_cast<size_t>(i) % inner.size()] = ',';
    inner[static_cast<size_t>(i * 7) % inner.size()] = '\n';
    if (i % 3 == 0) inner.insert(static_cast<size_t>(i) % inner.size(), "\"\"");
    text += std::to_string(i) + ",\"" + inner + "\"," + std::to_string(i % 5) +
            (i % 4 == 0 ? "\r\n" : "\n");
  }
  CsvReadOptions o = WithSchema({{"a", DataType::kInt64}, {"b", DataType::kInt64}});
  ExpectSameOnEveryPath(text, o, {61, 64, 127, 4096});
  o.columns = {"b", "a"};  // the quoted column skipped
  const std::string skipped = ExpectSameOnEveryPath(text, o, {61, 64, 127, 4096});
  EXPECT_EQ(skipped.rfind("error", 0), std::string::npos);
}

TEST(CsvFastPathTest, LastLineWithoutNewlineAndLoneCarriageReturns) {
  const CsvReadOptions o = WithSchema({{"a", DataType::kInt64}, {"t", DataType::kTimestamp}});
  for (const std::string text :
       {"a,b,t\n1,x,2019-01-01 00:00:00", "a,b,t\n1,x,2019-01-01 00:00:00\r", "a,b,t\n1,x,",
        "a,b,t\n1,x,\r\n2,y,2019-01-02", "a,b,t\r\n1,x\ry,\r\n2,y\r\r,\r\n",
        "a,b,t\n1,\r,2019-01-01\n", "a,b,t\n1,x,2019-01-01\r5\n", "a,b,t\n1\r,x,\n"}) {
    ExpectSameOnEveryPath(text, o, {1, 3, 64});
  }
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString("a,b,t\r\n1,x\ry,\r\n2,y\r\r,\r\n", o));
  EXPECT_EQ(Values(t.column(1)), (Strings{"x\ry", "y\r\r"}));  // a CR not before LF is data
}

TEST(CsvFastPathTest, VeryLongFields) {
  const std::string big(10000, 'b');
  std::string text = "a,b,c\n";
  text += "1," + big + ",2\n";
  text += "3,\"" + big + "\n" + big + "\",4\n";
  text += big.substr(0, 5000) + ",x,5\n";  // a bad integer, 5000 characters long
  text += "6," + big + big + ",7";
  CsvReadOptions o = WithSchema({{"a", DataType::kInt64}, {"c", DataType::kInt64}});
  const std::string error = ExpectSameOnEveryPath(text, o, {64, 4096, size_t{1} << 20});
  EXPECT_EQ(error.rfind("error f.csv:5:1 (column 'a'): expected an integer", 0), 0u) << error;
  o.max_errors = 1;
  ExpectSameOnEveryPath(text, o, {64, 4096, size_t{1} << 20});
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(Values(t.column(2)), (Strings{"2", "4", "7"}));
  EXPECT_EQ(t.column(1).dictionary().Get(t.column(1).codes()[2]).size(), 2 * big.size());
}

TEST(CsvFastPathTest, SkippedColumnsWithQuotesAndNewlinesKeepLineNumbers) {
  const std::string text =
      "id,note,v\n"
      "1,\"a,b\nc\",10\n"
      "2,\"say \"\"x\"\"\",20\n"
      "3,plain,30\n"
      "4,\"\n\n\",oops\n";
  CsvReadOptions o = WithSchema({{"v", DataType::kInt64}});
  o.columns = {"v", "id"};
  const std::string error = ExpectSameOnEveryPath(text, o, {1, 5, 64});
  EXPECT_EQ(error, "error f.csv:8:3 (column 'v'): expected an integer, got \"oops\"");
  o.max_errors = 1;
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(Values(t.column(0)), (Strings{"10", "20", "30"}));
  EXPECT_EQ(Values(t.column(1)), (Strings{"1", "2", "3"}));
}

TEST(CsvFastPathTest, RaggedRowsAndBadValuesGiveTheSameErrors) {
  const CsvReadOptions o = WithSchema(
      {{"k", DataType::kString}, {"v", DataType::kFloat64}, {"t", DataType::kTimestamp}});
  for (const std::string text :
       {"k,v,t\nA,1,\nB,2\n", "k,v,t\nA,1,,\n", "k,v,t\nA,1,,,,\"x\"\n", "k,v,t\nA,1.5x,\n",
        "k,v,t\nA,1,2019-13-01\n", "k,v,t\nA,1,2019-01-01 25:00:00\n", "k,v,t\nA,1,2019-01-01x\n",
        "k,v,t\nA,1,2019-01-01 00:00:00.5\n", "k,v,t\nA,--1,\n", "k,v,t\nA,+-1,\n",
        "k,v,t\nA,1e400,\n", "k,v,t\nA,1 ,\n", "k,v,t\nA\"b,1,\n", "k,v,t\n\"A\"b,1,\n"}) {
    ExpectSameOnEveryPath(text, o, {2, 64});
  }
  // A bad row after a new string (on the fast path, the string is stored before the number
  // fails): with max_errors it leaves no trace, also right after repeats of the same string.
  const std::string text =
      "k,v,t\nA,1,2019-01-01\nA,2,2019-01-01\nB,x,2019-01-01\nB,3,\nA,y,\n"
      "C,4,2019-01-01\n";
  CsvReadOptions lenient = o;
  lenient.max_errors = 5;
  ExpectSameOnEveryPath(text, lenient, {3, 64});
  for (csv_scan::Level level : ScanLevels()) {
    ScanLevelGuard guard;
    csv_scan::SetLevelForTesting(level);
    ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, lenient));
    EXPECT_EQ(Values(t.column(0)), (Strings{"A", "A", "B", "C"})) << csv_scan::LevelName(level);
    EXPECT_EQ(t.column(0).dictionary().size(), 3);
    EXPECT_EQ((std::vector<int32_t>(t.column(0).codes().begin(), t.column(0).codes().end())),
              (std::vector<int32_t>{0, 0, 1, 2}));
  }
}

// The fast path stores up to a group of a few hundred records column by column, and hands the
// group's records up to a value its inline parsers reject to the record path. Rejected values
// (bad ones, and good ones only the general parsers take) at group edges and inside groups, among
// quoted, blank and CRLF lines and new keys, must change nothing: the same table, or error, as the
// general path, and with max_errors exactly the bad rows left out.
TEST(CsvFastPathTest, RejectedValuesInsideAndAtTheEdgesOfRecordGroups) {
  const CsvReadOptions o = WithSchema({{"k", DataType::kString},
                                       {"v", DataType::kFloat64},
                                       {"t", DataType::kTimestamp},
                                       {"i", DataType::kInt64},
                                       {"b", DataType::kBool}});
  const std::map<int, std::string> bad = {
      {0, "k0,x1,2019-01-01,1,true"},         {255, "k255,1.5,2019-13-01,1,true"},
      {256, "k256,1.5,2019-01-01,12a,true"},  {257, "k257,1.5,2019-01-01,1,maybe"},
      {511, "new511,--2,2019-01-01,1,false"}, {700, "new700,1.25,2019-01-01 24:00:00,3,false"},
      {1199, "k1199,7,2019-01-01,1e3,true"}};
  const std::map<int, std::string> general_only = {
      {3, "k3,1e3,2019-01-01,1,true"},
      {300, "k300,+2.5,2019-01-01,1,true"},
      {512, "k512,1,2019-01-01,1234567890123456789,true"},
      {513, "k513,1,2019-01-01 00:00:00.5,1,true"},
      {767, "k767,123456789012345678,,+7,true"}};
  // `text` has every row; `good` the same without the bad ones.
  std::string text = "k,v,t,i,b\n";
  std::string good = text;
  for (int r = 0; r < 1200; ++r) {
    if (auto it = bad.find(r); it != bad.end()) {
      text += it->second + "\n";
      continue;
    }
    std::string row;
    if (auto g = general_only.find(r); g != general_only.end()) {
      row = g->second + "\n";
    } else if (r % 97 == 5) {
      row =
          fmt::format("\"k,{}\",{}.5,2019-02-0{} 10:00:0{},{},false\n", r, r, r % 9 + 1, r % 10, r);
    } else if (r % 89 == 7) {
      row = fmt::format("k{},{}.25,,{},\r\n\n", r % 37, r % 11, -r);
    } else {
      row = fmt::format("{}{},{}.{},2019-03-{:02} 0{}:30:00,{},{}\n", r % 5 == 0 ? "new" : "k",
                        r % 5 == 0 ? r : r % 37, r % 13, r % 100, r % 28 + 1, r % 10, r,
                        r % 2 == 0 ? "true" : "false");
    }
    text += row;
    good += row;
  }
  const std::string strict = ExpectSameOnEveryPath(text, o);
  EXPECT_EQ(strict.rfind("error", 0), 0u) << strict.substr(0, 200);
  CsvReadOptions lenient = o;
  lenient.max_errors = 100;
  ExpectSameOnEveryPath(text, lenient);
  for (csv_scan::Level level : ScanLevels()) {
    ScanLevelGuard guard;
    csv_scan::SetLevelForTesting(level);
    ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, lenient));
    EXPECT_EQ(t.num_rows(), 1200 - bad.size()) << csv_scan::LevelName(level);
    // Row 3 (index 2: row 0 was bad) has 1e3; row 1199 was bad, so row 1198 is the last.
    EXPECT_EQ(t.column(1).float64s()[2], 1000.0);
    EXPECT_EQ(Values(t.column(0)).back(), "k14");
    EXPECT_EQ(t.column(3).int64s().back(), 1198);
  }
  // Without the bad rows the whole file reads, on every path alike.
  const std::string all = ExpectSameOnEveryPath(good, o);
  EXPECT_EQ(all.rfind("error", 0), std::string::npos) << all.substr(0, 200);

  // With a row filter on t: a group keeps some of its rows, and a rejected value in a dropped row
  // is handled (an error, or a general-path value) as in a kept one.
  CsvReadOptions filtered = lenient;
  filtered.keep_rows =
      RowTimeRange{"t", *ParseTimestamp("2019-03-05"), *ParseTimestamp("2019-03-20")};
  uint64_t dropped = 0;
  filtered.rows_dropped = &dropped;
  ExpectSameOnEveryPath(text, filtered);
  filtered.max_errors = 0;
  EXPECT_EQ(ExpectSameOnEveryPath(text, filtered).rfind("error", 0), 0u);
  const std::string kept = ExpectSameOnEveryPath(good, filtered);
  EXPECT_EQ(kept.rfind("error", 0), std::string::npos) << kept.substr(0, 200);
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(good, filtered));
  EXPECT_GT(dropped, 500u);
  EXPECT_GT(t.num_rows(), 500u);
  EXPECT_EQ(t.num_rows() + dropped, 1200 - bad.size());
}

// Per-block dictionaries keep keys of up to 24 bytes inline, in several encodings by length; keys
// that differ in any single byte must stay apart, at every length (and beyond the inline limit).
TEST(CsvFastPathTest, ShortKeysDifferingInAnyByteStayApart) {
  std::string text = "k\n";
  std::vector<std::string> keys;
  for (size_t len = 1; len <= 40; ++len) {
    const std::string base(len, 'k');
    keys.push_back(base);
    for (size_t at = 0; at < len; ++at) {
      std::string k = base;
      k[at] = 'q';
      keys.push_back(k);
    }
  }
  std::mt19937 rng(17);
  std::vector<std::string> rows;
  for (int i = 0; i < 3000; ++i) rows.push_back(keys[rng() % keys.size()]);
  for (const auto& r : rows) text += r + "\n";
  const CsvReadOptions o = WithSchema({{"k", DataType::kString}});
  ExpectSameOnEveryPath(text, o, {64, 4096, size_t{1} << 20});
  StringDictionary expected;
  for (const auto& r : rows) expected.GetOrAdd(r);
  ASSERT_OK_AND_ASSIGN(Table t, ReadCsvString(text, o));
  EXPECT_EQ(Values(t.column(0)), rows);
  EXPECT_EQ(t.column(0).dictionary().size(), expected.size());
}

// Short malformed numbers must fail (or be taken) on the fast path exactly as on the general path.
TEST(CsvFastPathTest, MalformedShortNumbersGiveTheSameErrors) {
  for (const char* bad : {"1.2.3", "1..2", "1-2", "12a4", "--1", "-", "1.2e", "12:30", "1/2",
                          "9.9.9.9", "0x1F", "1 2", "+-1", "1.5x",
                          "\xff"
                          "1.5"}) {
    SCOPED_TRACE(bad);
    const std::string text = std::string("a,f,b\nx,1.5,y\nx,") + bad + ",y\nx,2.25,y\n";
    const std::string outcome = ExpectSameOnEveryPath(
        text, WithSchema(
                  {{"a", DataType::kString}, {"f", DataType::kFloat64}, {"b", DataType::kString}}));
    EXPECT_NE(outcome.find("error"), std::string::npos) << outcome;
  }
  for (const char* good :
       {"-.5", "5.", ".5", "-0", "7", "-1234567", "12345678", "1234567.8", "0.0000001", "-9.99"}) {
    SCOPED_TRACE(good);
    const std::string text = std::string("f,b\n") + good + ",y\n";
    auto t = ReadCsvString(text, WithSchema({{"f", DataType::kFloat64}, {"b", DataType::kString}}));
    ASSERT_OK(t.status());
    const double want = std::strtod(good, nullptr);
    const double got = t->column(0).float64s()[0];
    EXPECT_EQ(std::memcmp(&want, &got, sizeof want), 0) << got;
  }
}

// Timestamps on the fast path (FastTimestamp) and the general one: every text must give what
// ParseTimestamp gives, or fail alike, around leap days, century years and range limits.
TEST(CsvFastPathTest, TimestampsMatchParseTimestamp) {
  std::mt19937_64 rng(5);
  std::vector<std::string> texts = {"2018-11-27 21:11:57",
                                    "2000-02-29 00:00:00",
                                    "1900-02-29 12:00:00",
                                    "2100-02-29 12:00:00",
                                    "2004-02-29",
                                    "2019-02-29",
                                    "1899-12-31 23:59:59",
                                    "1900-01-01 00:00:00",
                                    "2099-12-31 23:59:59",
                                    "2100-01-01 00:00:00",
                                    "0000-01-01 00:00:00",
                                    "9999-12-31 23:59:59",
                                    "1969-12-31 23:59:59",
                                    "2019-13-01 00:00:00",
                                    "2019-00-10 00:00:00",
                                    "2019-01-00",
                                    "2019-04-31",
                                    "2019-01-32",
                                    "2019-01-01 24:00:00",
                                    "2019-01-01 23:60:00",
                                    "2019-01-01 23:59:60",
                                    "2019-01-01T10:00:00",
                                    "2019-01-01 10:00",
                                    "2019/01/01",
                                    "2019-01-01 10:00:00.5",
                                    "2019-1-01",
                                    "20a9-01-01",
                                    "2019-01-01 1a:00:00",
                                    "2019-01-01 10-00-00",
                                    "2019-01-01  0:00:00",
                                    "2019-01-0a",
                                    "2019-01-01 10:00:0a"};
  for (int i = 0; i < 4000; ++i) {
    char buf[32];
    const unsigned y = i % 3 == 0 ? 1880 + static_cast<unsigned>(rng() % 240)
                                  : 2018 + static_cast<unsigned>(rng() % 3);
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u", y,
                  static_cast<unsigned>(rng() % 14), static_cast<unsigned>(rng() % 33),
                  static_cast<unsigned>(rng() % 25), static_cast<unsigned>(rng() % 61),
                  static_cast<unsigned>(rng() % 61));
    std::string t = buf;
    if (i % 5 == 0) t.resize(10);
    texts.push_back(t);
  }
  std::string text = "k,t\n";
  for (size_t i = 0; i < texts.size(); ++i) text += std::to_string(i) + "," + texts[i] + "\n";
  CsvReadOptions o = WithSchema({{"k", DataType::kInt64}, {"t", DataType::kTimestamp}});
  o.max_errors = texts.size();
  ExpectSameOnEveryPath(text, o, {size_t{1} << 20});
  auto t = ReadCsvString(text, o);
  ASSERT_OK(t.status());
  size_t valid = 0;
  for (const std::string& s : texts) valid += ParseTimestamp(s).has_value();
  ASSERT_EQ(t->num_rows(), valid);
  EXPECT_GT(valid, texts.size() / 3);
  for (size_t r = 0; r < t->num_rows(); ++r) {
    const std::string& s = texts[static_cast<size_t>(t->column(0).int64s()[r])];
    EXPECT_EQ(t->column(1).int64s()[r], ParseTimestamp(s).value()) << s;
  }
}

TEST(CsvFastPathTest, OtherDelimiters) {
  for (char d : {';', '\t', '|', '#', ' '}) {
    std::string text = MessyCsv(300, 5);
    for (char& c : text) {
      if (c == ',') c = d;  // quoted fields keep the new delimiter inside, as they should
    }
    CsvReadOptions o = WithSchema(kMessySchema);
    o.delimiter = d;
    const std::string out = ExpectSameOnEveryPath(text, o, {64, 4096});
    if (d != ' ') {
      EXPECT_EQ(out.rfind("error", 0), std::string::npos) << d << out.substr(0, 300);
    }
  }
}

// Plain files are mapped instead of read: the data ends inside a page, at a page's end (the
// sentinel then lies in the zero page after the file), with or without a final line end, and the
// pages behind the reader are released round by round.
TEST(CsvFastPathTest, MappedFilesEndingAnywhereInAPage) {
  TempDir dir;
  const CsvReadOptions o = WithSchema({{"s", DataType::kString}, {"t", DataType::kTimestamp}});
  for (size_t size : {size_t{4096}, size_t{4095}, size_t{4097}, size_t{8192}, size_t{12288}}) {
    for (const std::string end : {"", "\n", "\r\n", ","}) {
      std::string text = "s,t\n";
      int i = 0;
      while (text.size() < size) {
        text +=
            "k" + std::to_string(i % 17) + ",2019-01-0" + std::to_string(1 + i % 9) + " 10:00:00\n";
        ++i;
      }
      text.resize(size);  // cut anywhere, possibly inside a timestamp
      while (!text.empty() && (text.back() == '\n' || text.back() == ',' || text.back() == '\r'))
        text.pop_back();
      text += end;
      text.insert(text.size() - end.size(), std::string(size - std::min(size, text.size()), 'z'));
      const std::string path = dir.Write("m.csv", text);
      for (csv_scan::Level level : ScanLevels()) {
        ScanLevelGuard guard;
        csv_scan::SetLevelForTesting(level);
        for (size_t block : {size_t{64}, size_t{1} << 20}) {
          CsvReadOptions ob = o;
          ob.block_size = block;
          EXPECT_EQ(Outcome(ReadCsv(path, ob)), Outcome(ReadCsvString(text, ob, path)))
              << size << " " << csv_scan::LevelName(level) << " " << block;
        }
      }
    }
  }
}

TEST(CsvFastPathTest, MappedFileInManyRoundsAndBatches) {
  TempDir dir;
  const std::string text = MessyCsv(20000, 8);  // ~1 MB: hundreds of 4-block rounds
  const std::string path = dir.Write("big.csv", text);
  CsvReadOptions o = WithSchema(kMessySchema);
  o.block_size = 1000;
  o.threads = 2;
  ASSERT_OK_AND_ASSIGN(Table from_string, ReadCsvString(text, o, path));
  ASSERT_OK_AND_ASSIGN(Table mapped, ReadCsv(path, o));
  EXPECT_EQ(Dump(mapped), Dump(from_string));
  size_t rows = 0, batches = 0;
  ASSERT_OK(ReadCsvBatches(path, o, [&](const Table& b) {
    for (size_t c = 0; c < b.num_columns(); ++c) {
      for (size_t r = 0; r < b.num_rows(); r += 97) {
        EXPECT_EQ(b.column(c).ValueToString(r), mapped.column(c).ValueToString(rows + r));
      }
    }
    rows += b.num_rows();
    ++batches;
    return Status::Ok();
  }));
  EXPECT_EQ(rows, mapped.num_rows());
  EXPECT_GT(batches, 100u);
}

// keep_rows: reading a file with the filter must give exactly the table of the kept rows alone
// (values, codes, dictionaries), on every scan path, block size and thread count, in memory and
// mapped. The rows mix quoted fields (general path), CRLF, missing times, times exactly at both
// ends of the range, and ids that appear only in dropped rows.
TEST(CsvRowFilterTest, KeepsExactlyTheRowsInTheRange) {
  std::mt19937_64 rng(5);
  const int64_t from = *ParseTimestamp("2019-01-10 00:00:00");
  const int64_t to = *ParseTimestamp("2019-01-20 00:00:00");
  const std::vector<std::string> times = {"2019-01-10 00:00:00", "2019-01-19 23:59:59",
                                          "2019-01-20 00:00:00", "2019-01-09 23:59:59",
                                          "2019-01-15 12:00:00", "",
                                          "2019-01-01",          "2019-01-12"};
  std::string all = "id,when,amount,shop\n", kept = all;
  uint64_t dropped = 0;
  for (int i = 0; i < 1200; ++i) {
    const std::string& when = times[rng() % times.size()];
    const auto t = when.empty() ? std::nullopt : ParseTimestamp(when);
    const bool in = t && *t >= from && *t < to;
    // Ids 0..99 appear in both kinds of rows; 100..199 only in dropped ones.
    const std::string id = "c" + std::to_string(rng() % 100 + (in ? 0 : 100 * (rng() % 2)));
    std::string row = (rng() % 7 == 0 ? "\"" + id + "\"" : id) + "," + when + "," +
                      std::to_string(rng() % 1000) + ".5," + (rng() % 5 == 0 ? "" : "s1") +
                      (rng() % 3 == 0 ? "\r\n" : "\n");
    all += row;
    if (in) {
      kept += row;
    } else {
      ++dropped;
    }
  }
  const std::vector<Field> schema = {{"id", DataType::kString},
                                     {"when", DataType::kTimestamp},
                                     {"amount", DataType::kFloat64},
                                     {"shop", DataType::kString}};
  CsvReadOptions plain = WithSchema(schema);
  ASSERT_OK_AND_ASSIGN(Table expected_table, ReadCsvString(kept, plain));
  const std::string expected = Dump(expected_table);
  EXPECT_EQ(expected_table.column(0).dictionary().Find("c150"), kNullCode);

  CsvReadOptions filtered = plain;
  filtered.keep_rows = RowTimeRange{"when", from, to};
  uint64_t reported = 0;
  filtered.rows_dropped = &reported;
  EXPECT_EQ(ExpectSameOnEveryPath(all, filtered, {7, 64, 1000, size_t{1} << 20}), expected);
  EXPECT_EQ(reported, dropped);

  TempDir dir;
  const std::string path = dir.Write("f.csv", all);
  for (size_t block : {size_t{200}, size_t{1} << 20}) {
    CsvReadOptions o = filtered;
    o.block_size = block;
    o.threads = 2;
    reported = 0;
    ASSERT_OK_AND_ASSIGN(Table mapped, ReadCsv(path, o));
    EXPECT_EQ(Dump(mapped), expected) << block;
    EXPECT_EQ(reported, dropped);
    std::string batches;
    size_t rows = 0;
    ASSERT_OK(ReadCsvBatches(path, o, [&](const Table& b) {
      for (size_t r = 0; r < b.num_rows(); ++r) {
        batches += b.column(0).ValueToString(r) + "#" + std::to_string(b.column(0).codes()[r]) +
                   "," + b.column(1).ValueToString(r) + "\n";
      }
      rows += b.num_rows();
      return Status::Ok();
    }));
    EXPECT_EQ(rows, expected_table.num_rows());
    std::string want;
    for (size_t r = 0; r < expected_table.num_rows(); ++r) {
      want += expected_table.column(0).ValueToString(r) + "#" +
              std::to_string(expected_table.column(0).codes()[r]) + "," +
              expected_table.column(1).ValueToString(r) + "\n";
    }
    EXPECT_EQ(batches, want) << block;
  }
}

TEST(CsvRowFilterTest, BadValuesInDroppedRowsAreStillErrors) {
  const std::string text =
      "id,when,amount\n"
      "a,2019-01-15 00:00:00,1.5\n"
      "b,2018-01-01 00:00:00,12x\n";  // outside the range, and a bad number
  CsvReadOptions o = WithSchema({{"when", DataType::kTimestamp}, {"amount", DataType::kFloat64}});
  o.keep_rows = RowTimeRange{"when", *ParseTimestamp("2019-01-01"), *ParseTimestamp("2019-02-01")};
  for (csv_scan::Level level : ScanLevels()) {
    ScanLevelGuard guard;
    csv_scan::SetLevelForTesting(level);
    auto r = ReadCsvString(text, o, "f.csv");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "f.csv:3:3 (column 'amount'): expected a number, got \"12x\"");
  }
  // A bad time is an error too, not a dropped row.
  auto bad_time = ReadCsvString("id,when,amount\na,2019-13-01 00:00:00,1\n", o, "f.csv");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.status().message().find("f.csv:2:2 (column 'when')"), std::string::npos)
      << bad_time.status().message();
}

TEST(CsvRowFilterTest, FilterColumnMustBeATypedColumnThatIsRead) {
  const std::string text = "id,when\na,2019-01-15 00:00:00\n";
  CsvReadOptions o;
  o.keep_rows = RowTimeRange{"when", 0, 1};
  auto undeclared = ReadCsvString(text, o);
  ASSERT_FALSE(undeclared.ok());
  EXPECT_EQ(undeclared.status().message(),
            "CsvReadOptions.keep_rows: column 'when' must be declared a timestamp or int64 in the "
            "schema");
  o.schema = {{"when", DataType::kTimestamp}};
  o.columns = {"id"};
  auto unread = ReadCsvString(text, o);
  ASSERT_FALSE(unread.ok());
  EXPECT_EQ(unread.status().message(),
            "CsvReadOptions.keep_rows: column 'when' must be one of the columns read");
  o.columns = {};
  o.keep_rows->column = "at";
  o.schema = {{"at", DataType::kTimestamp}};
  auto missing = ReadCsvString(text, o, "f.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "f.csv has no column 'at' to keep rows by (columns: id, when)");
}

}  // namespace
}  // namespace upcamp
