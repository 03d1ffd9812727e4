#include "data/client_index.h"

#include <gtest/gtest.h>

#include "testing.h"

namespace upcamp {
namespace {

Column Keys(const std::vector<std::optional<std::string>>& v, std::string name = "client_id") {
  return Column::StringFromValues(std::move(name), v);
}

TEST(ClientIndex, DenseIndicesInBaseOrder) {
  ASSERT_OK_AND_ASSIGN(ClientIndex idx,
                       ClientIndex::Build(Keys({"000012768d", "000036f903", "00010925a5"})));
  EXPECT_EQ(idx.size(), 3);
  EXPECT_EQ(idx.Key(0), "000012768d");
  EXPECT_EQ(idx.Key(2), "00010925a5");
  EXPECT_EQ(idx.Find("000036f903"), 1);
  EXPECT_EQ(idx.Find("36f903"), -1);
  EXPECT_EQ(idx.Find(""), -1);
}

TEST(ClientIndex, OrderIsRowOrderAndTheDictionaryIsOwn) {
  Column fresh = Keys({"a", "b", "c"});
  ASSERT_OK_AND_ASSIGN(ClientIndex idx, ClientIndex::Build(fresh));
  EXPECT_NE(idx.dictionary(), fresh.shared_dictionary());
  // A dictionary shared with later batches may grow; the index must not.
  fresh.shared_dictionary()->GetOrAdd("d");
  EXPECT_EQ(idx.size(), 3);
  EXPECT_EQ(idx.Find("d"), -1);

  // Codes not equal to rows (a taken/reordered column): the order is the row order anyway.
  const std::vector<int64_t> rows = {2, 0, 1};
  const Column reordered = Keys({"a", "b", "c"}).Take(rows);
  ASSERT_OK_AND_ASSIGN(ClientIndex copy, ClientIndex::Build(reordered));
  EXPECT_EQ(copy.Key(0), "c");
  EXPECT_EQ(copy.Find("c"), 0);
  EXPECT_EQ(copy.Find("a"), 1);
}

TEST(ClientIndex, DuplicateKeyNamesKeyAndRows) {
  auto r = ClientIndex::Build(Keys({"x", "y", "z", "y"}), "client_profile.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(
      r.status().message().find("client_profile.csv: duplicate client_id 'y' at rows 2 and 4"),
      std::string::npos)
      << r.status().message();
}

TEST(ClientIndex, MissingKeyIsAnError) {
  auto r = ClientIndex::Build(Keys({"x", std::nullopt}), "client_profile.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("missing client_id at row 2"), std::string::npos)
      << r.status().message();
}

TEST(ClientIndex, IntegerKeysBecomeTheirText) {
  ASSERT_OK_AND_ASSIGN(ClientIndex idx,
                       ClientIndex::Build(Column::Int64("client_id", {1000, 7, -3})));
  EXPECT_EQ(idx.Find("7"), 1);
  EXPECT_EQ(idx.Key(2), "-3");
  auto dup = ClientIndex::Build(Column::Int64("client_id", {5, 5}));
  EXPECT_FALSE(dup.ok());
  auto missing = ClientIndex::Build(Column::Int64("client_id", {5, kNullInt64}));
  EXPECT_FALSE(missing.ok());
  // An int64 column maps against string keys by text.
  const ClientMapping m = idx.Map(Column::Int64("client_id", {7, 8, kNullInt64, 1000}));
  EXPECT_EQ(m.index, (std::vector<int32_t>{1, -1, -1, 0}));
  EXPECT_EQ(m.unknown_rows, 1u);
  EXPECT_EQ(m.missing_rows, 1u);
}

TEST(ClientIndex, MapCountsUnknownAndMissing) {
  ASSERT_OK_AND_ASSIGN(ClientIndex idx, ClientIndex::Build(Keys({"a", "b", "c"})));
  // The purchases column has its own dictionary, in another order, with an unused entry.
  auto dict = std::make_shared<StringDictionary>();
  dict->GetOrAdd("zz-unused");
  const int32_t c = dict->GetOrAdd("c"), q = dict->GetOrAdd("q"), a = dict->GetOrAdd("a");
  const int32_t r = dict->GetOrAdd("r");
  const Column purchases = Column::String("client_id", {c, c, q, kNullCode, a, q, r, c}, dict);
  const ClientMapping m = idx.Map(purchases);
  EXPECT_EQ(m.index, (std::vector<int32_t>{2, 2, -1, -1, 0, -1, -1, 2}));
  EXPECT_EQ(m.unknown_rows, 3u);
  EXPECT_EQ(m.missing_rows, 1u);
  EXPECT_EQ(m.unknown_keys, 2u);  // q and r; the unused dictionary entry does not count
  EXPECT_EQ(m.example_unknown, "q");
}

TEST(ClientIndex, MapDoesNotDependOnThreads) {
  std::vector<std::optional<std::string>> base, rows;
  for (int i = 0; i < 5000; ++i) base.push_back(fmt::format("{:010x}", i * 7919));
  ASSERT_OK_AND_ASSIGN(ClientIndex idx, ClientIndex::Build(Keys(base)));
  for (int i = 0; i < 1'200'000; ++i) {  // two mapping tasks of 1M rows
    if (i % 1000 == 0) {
      rows.push_back(std::nullopt);
    } else {
      rows.push_back(fmt::format("{:010x}", (i % 6000) * 7919));
    }
  }
  const Column col = Keys(rows);
  const ClientMapping one = idx.Map(col, 1);
  const ClientMapping four = idx.Map(col, 4);
  EXPECT_EQ(one.index, four.index);
  EXPECT_EQ(one.unknown_rows, four.unknown_rows);
  EXPECT_EQ(one.missing_rows, 1200u);
  EXPECT_EQ(one.unknown_keys, 999u);  // i % 6000 in (5000, 6000); 5000 only on missing rows
  EXPECT_EQ(one.index[1], 1);
  EXPECT_EQ(one.index[5001], -1);
}

TEST(ClientIndex, MapperReusesAGrowingSharedDictionary) {
  ASSERT_OK_AND_ASSIGN(ClientIndex idx, ClientIndex::Build(Keys({"a", "b"})));
  auto dict = std::make_shared<StringDictionary>();
  ClientKeyMapper mapper(idx);
  const int32_t b = dict->GetOrAdd("b"), x = dict->GetOrAdd("x");
  const ClientMapping m1 = mapper.Map(Column::String("client_id", {b, x}, dict));
  EXPECT_EQ(m1.index, (std::vector<int32_t>{1, -1}));
  const int32_t a = dict->GetOrAdd("a");  // the dictionary grows between batches
  const ClientMapping m2 = mapper.Map(Column::String("client_id", {a, x, b, kNullCode}, dict));
  EXPECT_EQ(m2.index, (std::vector<int32_t>{0, -1, 1, -1}));
  EXPECT_EQ(mapper.totals().unknown_rows, 2u);
  EXPECT_EQ(mapper.totals().unknown_keys, 1u);  // x, counted once
  EXPECT_EQ(mapper.totals().missing_rows, 1u);
  EXPECT_EQ(mapper.totals().example_unknown, "x");
  // A different dictionary is translated afresh, not through the cached table.
  const ClientMapping m3 = mapper.Map(Keys({"x", "a"}));
  EXPECT_EQ(m3.index, (std::vector<int32_t>{-1, 0}));
}

TEST(ClientIndex, KeyColumnsShareTheDictionary) {
  ASSERT_OK_AND_ASSIGN(ClientIndex idx, ClientIndex::Build(Keys({"a", "b", "c"})));
  const Column all = idx.AllKeys("client_id");
  EXPECT_EQ(all.ValueToString(2), "c");
  const Column some = idx.KeyColumn("client_id", {2, -1, 0, 99});
  EXPECT_EQ(some.ValueToString(0), "c");
  EXPECT_TRUE(some.IsNull(1));
  EXPECT_EQ(some.ValueToString(2), "a");
  EXPECT_TRUE(some.IsNull(3));
  EXPECT_EQ(some.shared_dictionary(), idx.dictionary());
}

}  // namespace
}  // namespace upcamp
