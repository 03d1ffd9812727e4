#include <gtest/gtest.h>

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

TEST(Column, DoublesRoundTripShortest) {
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.125, -2.5e17, 5e-324}) {
    const std::string s = FormatDouble(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(-0.0), "0");
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
  ASSERT_OK_AND_ASSIGN(Table b, Table::Make({Column::StringFromValues("s", {"z", std::nullopt, "x"}),
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
