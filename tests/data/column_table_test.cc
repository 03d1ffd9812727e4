#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <random>

#include "core/hash.h"
#include "data/table.h"
#include "testing.h"

namespace upcamp {
namespace {

TEST(StringDictionary, CodesInFirstInsertionOrderAndStable) {
  StringDictionary d;
  EXPECT_EQ(d.GetOrAdd("b"), 0);
  EXPECT_EQ(d.GetOrAdd("a"), 1);
  EXPECT_EQ(d.GetOrAdd("b"), 0);
  for (int i = 0; i < 10000; ++i) d.GetOrAdd(std::to_string(i));  // force rehashes
  EXPECT_EQ(d.Find("a"), 1);
  EXPECT_EQ(d.Get(0), "b");
  EXPECT_EQ(d.Find("zz"), kNullCode);
  StringDictionary copy = d;
  EXPECT_EQ(copy.Find("9999"), d.Find("9999"));
  EXPECT_EQ(copy.size(), d.size());
}

TEST(StringDictionary, ViewsStayValidAndTableGrowsWithoutLosingValues) {
  StringDictionary d;
  EXPECT_EQ(d.Find("absent"), kNullCode);  // empty table
  EXPECT_EQ(d.GetOrAdd(""), 0);            // the empty string is a value like any other
  const std::string_view first = d.Get(0);
  const std::string long_value(100000, 'x');  // longer than an arena chunk
  EXPECT_EQ(d.GetOrAdd(long_value), 1);
  std::vector<std::string_view> views;
  for (int i = 0; i < 200000; ++i) {
    const std::string key = "trn-" + std::to_string(i * 7919);
    EXPECT_EQ(d.GetOrAdd(key), i + 2);
    views.push_back(d.Get(i + 2));
  }
  // Earlier views still point at the right bytes after many chunks and table doublings.
  EXPECT_EQ(first, "");
  for (int i = 0; i < 200000; i += 997) EXPECT_EQ(views[i], "trn-" + std::to_string(i * 7919));
  for (int i = 0; i < 200000; i += 991) {
    EXPECT_EQ(d.Find("trn-" + std::to_string(i * 7919)), i + 2);
    EXPECT_EQ(d.Find("trn-" + std::to_string(i * 7919) + "a"), kNullCode);
  }
  EXPECT_EQ(d.Find(long_value), 1);
  EXPECT_EQ(d.Find(std::string(99999, 'x')), kNullCode);
  StringDictionary copy = d;
  d = StringDictionary();  // the copy owns its bytes
  EXPECT_EQ(copy.size(), 200002);
  EXPECT_EQ(copy.Find("trn-" + std::to_string(5 * 7919)), 7);
  EXPECT_EQ(copy.Get(1), long_value);
  EXPECT_EQ(copy.GetOrAdd("new"), 200002);
}

TEST(StringDictionary, MovedFromDictionaryIsReusableAndIndependent) {
  StringDictionary a;
  a.GetOrAdd("alpha");
  StringDictionary b = std::move(a);
  // NOLINTNEXTLINE(bugprone-use-after-move): reuse after move is what this test checks
  a = StringDictionary();
  StringDictionary c;
  c.GetOrAdd("gamma");
  StringDictionary d = std::move(c);
  c.GetOrAdd("zeta-zeta");  // must not write into the chunk d now owns
  EXPECT_EQ(b.Get(0), "alpha");
  EXPECT_EQ(d.Get(0), "gamma");
  EXPECT_EQ(d.GetOrAdd("delta"), 1);
  EXPECT_EQ(d.Get(1), "delta");
  EXPECT_EQ(c.Find("zeta-zeta"), 0);
  EXPECT_EQ(c.Find("gamma"), kNullCode);
}

// Values are kept as 8-byte refs (chunk, offset, length up to 65534; longer ones carry their
// length in the arena): every length around those limits, and values longer than a chunk, must
// come back exactly, also from a copy.
TEST(StringDictionary, ValuesOfEveryLengthRoundTrip) {
  StringDictionary d;
  std::vector<std::string> values;
  for (size_t len : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{16}, size_t{17},
                     size_t{65534}, size_t{65535}, size_t{65536}, size_t{100000},
                     (size_t{16} << 20) - 1, (size_t{16} << 20) + 3}) {
    std::string v(len, 'a');
    for (size_t i = 0; i < len; i += 4099) v[i] = static_cast<char>('b' + i % 20);
    v.back() = static_cast<char>('A' + values.size());
    values.push_back(v);
    for (int k = 0; k < 50; ++k) values.push_back(std::to_string(k) + "-" + std::to_string(len));
  }
  for (size_t i = 0; i < values.size(); ++i)
    ASSERT_EQ(d.GetOrAdd(values[i]), static_cast<int32_t>(i));
  const StringDictionary copy = d;
  for (size_t i = 0; i < values.size(); ++i) {
    const auto code = static_cast<int32_t>(i);
    ASSERT_EQ(d.Get(code).size(), values[i].size()) << i;
    EXPECT_TRUE(d.Get(code) == values[i]) << i;
    EXPECT_TRUE(copy.Get(code) == values[i]) << i;
    EXPECT_EQ(copy.Find(values[i]), code);
    EXPECT_EQ(d.GetOrAdd(values[i]), code);
  }
}

TEST(StringDictionary, HashIsXxh3AndReserveKeepsCodes) {
  for (std::string_view v : {"", "a", "0123456789abcdef0123", "client 17"})
    EXPECT_EQ(StringDictionary::HashOf(v), Hash64(v));
  StringDictionary d;
  d.GetOrAdd("b");
  d.GetOrAdd("a");
  d.Reserve(100000);
  EXPECT_EQ(d.Find("a"), 1);
  EXPECT_EQ(d.GetOrAdd("b", StringDictionary::HashOf("b")), 0);
  EXPECT_EQ(d.GetOrAdd("c", StringDictionary::HashOf("c")), 2);
}

TEST(Column, NullsAndValues) {
  Column f = Column::Float64("x", {1.5, kNullFloat64, -0.1});
  EXPECT_TRUE(f.IsNull(1));
  EXPECT_EQ(f.NullCount(), 1u);
  EXPECT_EQ(f.ValueToString(2), "-0.1");
  EXPECT_EQ(f.ValueToString(1), "");
  Column t = Column::Timestamp("t", {0, kNullInt64});
  EXPECT_EQ(t.ValueToString(0), "1970-01-01 00:00:00");
  EXPECT_TRUE(std::isnan(t.AsDouble(1)));
  Column s = Column::StringFromValues("s", {"x", std::nullopt, "y", "x"});
  EXPECT_EQ(s.dictionary().size(), 2);
  EXPECT_EQ(s.codes()[3], s.codes()[0]);
  EXPECT_TRUE(s.IsNull(1));
  Column b = Column::Bool("b", {1, 0, kNullBool});
  EXPECT_EQ(b.NullCount(), 1u);
  EXPECT_EQ(b.AsDouble(0), 1.0);
}

// NoInitVector storage (the CSV and .ucol readers' columns): growth leaves values to the
// writer, other constructions initialize as usual, and a Column adopts it like a std::vector.
TEST(Column, AdoptsNoInitStorageLikeVectors) {
  NoInitVector<double> filled(5, 2.5);  // explicit values are still written
  for (double v : filled) EXPECT_EQ(v, 2.5);
  NoInitVector<int64_t> grown;
  grown.resize(3);
  for (size_t i = 0; i < grown.size(); ++i) grown[i] = static_cast<int64_t>(i) - 1;
  grown.push_back(kNullInt64);

  const Column f = Column::AdoptFloat64("f", std::move(filled));
  const Column t = Column::AdoptTimestamp("t", NoInitVector<int64_t>(grown));
  Column i = Column::AdoptInt64("i", std::move(grown));
  EXPECT_EQ(f.type(), DataType::kFloat64);
  EXPECT_EQ(t.type(), DataType::kTimestamp);
  ASSERT_EQ(i.size(), 4u);
  EXPECT_EQ(i.int64s()[0], -1);
  EXPECT_EQ(i.int64s()[2], 1);
  EXPECT_TRUE(i.IsNull(3));
  EXPECT_EQ(t.ValueToString(2), "1970-01-01 00:00:01");
  EXPECT_EQ(f.float64s().size(), 5u);

  const Column taken = i.Take(std::vector<int64_t>{2, 0});
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken.int64s()[0], 1);
  EXPECT_EQ(taken.int64s()[1], -1);

  // Mutable access turns the adopted storage into a std::vector once, values kept.
  std::vector<int64_t>& m = i.mutable_int64s();
  EXPECT_EQ(m, (std::vector<int64_t>{-1, 0, 1, kNullInt64}));
  m.push_back(7);
  EXPECT_EQ(i.int64s().size(), 5u);
  EXPECT_EQ(&i.mutable_int64s(), &m);

  auto dict = std::make_shared<StringDictionary>();
  dict->GetOrAdd("x");
  const Column s = Column::AdoptString("s", NoInitVector<int32_t>{0, kNullCode}, dict);
  EXPECT_EQ(s.ValueToString(0), "x");
  EXPECT_TRUE(s.IsNull(1));
  const Column b = Column::AdoptBool("b", NoInitVector<uint8_t>{1, kNullBool});
  EXPECT_EQ(b.bools()[0], 1);
  EXPECT_TRUE(b.IsNull(1));
}

TEST(Column, DoublesRoundTripShortest) {
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.125, -2.5e17, 5e-324}) {
    const std::string s = FormatDouble(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(-0.0), "0");
}

// FormatDouble writes values with at most two decimals itself; it must give exactly the bytes of
// std::to_chars (the shortest round-trip text) for them and for everything else.
TEST(Column, DoublesFormatLikeToChars) {
  auto to_chars = [](double v) {
    char buf[64];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  std::mt19937_64 rng(3);
  std::vector<double> values = {0.01,
                                0.1,
                                0.5,
                                1,
                                9.99,
                                99999,
                                99999.99,
                                100000,
                                100000.5,
                                120000,
                                1e6,
                                123456,
                                1e12,
                                1099511627775.99,
                                1099511627776.5,
                                0.005,
                                1e15,
                                2.5e-7};
  for (int i = 0; i < 200000; ++i) {
    const int64_t cents = static_cast<int64_t>(rng() % 2000000000001) - 1000000000000;
    const int digits = static_cast<int>(rng() % 15);
    values.push_back(static_cast<double>(cents % static_cast<int64_t>(std::pow(10.0, digits))) /
                     100);
    values.push_back(static_cast<double>(static_cast<int64_t>(rng() % 1000000)) / 100 * 1e3);
    values.push_back(std::bit_cast<double>(rng()));  // any bit pattern (nan: no text)
  }
  for (double v : values) {
    for (double x : {v, -v}) {
      if (std::isnan(x) || x == 0) continue;
      ASSERT_EQ(FormatDouble(x), to_chars(x)) << std::bit_cast<uint64_t>(x);
    }
  }
}

TEST(Table, MakeValidates) {
  auto bad = Table::Make({Column::Int64("a", {1, 2}), Column::Int64("b", {1})});
  EXPECT_FALSE(bad.ok());
  auto dup = Table::Make({Column::Int64("a", {1}), Column::Int64("a", {1})});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate column name 'a'"), std::string::npos);
}

TEST(Table, GetColumnNamesTheAlternatives) {
  ASSERT_OK_AND_ASSIGN(Table t, Table::Make({Column::Int64("a", {1}), Column::Int64("b", {2})}));
  auto r = t.GetColumn("c", "receipts.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "receipts.csv has no column 'c' (columns: a, b)");
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
}

TEST(Table, TakeAndConcatenateMergeDictionaries) {
  ASSERT_OK_AND_ASSIGN(Table a, Table::Make({Column::StringFromValues("s", {"x", "y"}),
                                             Column::Int64("i", {1, 2})}));
  ASSERT_OK_AND_ASSIGN(Table b,
                       Table::Make({Column::StringFromValues("s", {"z", std::nullopt, "x"}),
                                    Column::Int64("i", {3, 4, 5})}));
  ASSERT_OK_AND_ASSIGN(Table c, Table::Concatenate({a, b}));
  ASSERT_EQ(c.num_rows(), 5u);
  const Column& s = c.column(0);
  EXPECT_EQ(s.ValueToString(0), "x");
  EXPECT_EQ(s.ValueToString(2), "z");
  EXPECT_TRUE(s.IsNull(3));
  EXPECT_EQ(s.codes()[4], s.codes()[0]);
  const std::vector<int64_t> rows = {4, 0};
  Table taken = c.TakeRows(rows);
  EXPECT_EQ(taken.column(1).int64s()[0], 5);
  EXPECT_EQ(taken.column(0).ValueToString(1), "x");
}

}  // namespace
}  // namespace upcamp
