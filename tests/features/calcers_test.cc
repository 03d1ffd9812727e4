// Golden tests of the built-in calcers on hand-made tables, and the registry contract.
// Every expected value is worked out by hand in the comments from the tables below.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/civil_time.h"
#include "core/random.h"
#include "features/engine.h"
#include "features/registry.h"
#include "testing.h"

namespace upcamp {
namespace {

const double kNaN = std::nan("");
constexpr double kDay = 86400.0;

int64_t Ts(const char* s) {
  return ParseTimestamp(s).value();
}

// Feature date: Tuesday 2019-03-19 00:00. With delta 4 the window is
// [Fri 2019-03-15 00:00, Tue 2019-03-19 00:00). Weekdays: 03-15 Fri=4, 03-16 Sat=5, 03-17 Sun=6,
// 03-18 Mon=0.
constexpr const char* kDateTo = "2019-03-19 00:00:00";

Table Profile() {
  return Table::Make(
             {Column::StringFromValues("client_id", {"A", "C", "B", "E"}),
              Column::Timestamp("first_issue_date",
                                {Ts("2019-03-09 00:00:00"), Ts("2019-03-19 00:00:00"),
                                 Ts("2018-03-19 00:00:00"), kNullInt64}),
              Column::Timestamp("first_redeem_date", {Ts("2019-03-18 12:00:00"), kNullInt64,
                                                      Ts("2019-03-20 00:00:00"), kNullInt64}),
              Column::Int64("age", {30, 40, 50, kNullInt64}),
              Column::StringFromValues("gender", {"F", "U", "M", std::nullopt})})
      .value();
}

// Receipts, in file order (not sorted by time, on purpose):
//  #  client  datetime              rr   er  rs   es   sum  store
//  0  A       2019-03-15 00:00:00   1    0   -10  0    100  "10"   at date_from: inside
//  1  A       2019-03-16 09:00:00   2    3   0    -5   50   "9"
//  2  A       2019-03-19 00:00:00   9    9   -9   -9   999  "9"    at date_to: outside
//  3  D       2019-01-01 10:00:00   1    1   0    0    10   "9"    outside: D is never present
//  4  A       2019-03-18 15:00:00   NaN  0   0    0    NaN  "10"
//  5  E       2019-03-17 10:00:00   1    0   0    -1   10   "10"
//  6  A       2019-03-14 23:59:59   9    9   -9   -9   999  "9"    one second early: outside
//  7  B       2019-03-17 12:00:00   0    0   NaN  NaN  20   "S1"   B's only receipt
//  8  E       2019-03-17 10:00:00   1    0   0    0    20   "1a"   same second as #5
//  9  A       2019-03-16 21:00:00   0    0   -2   -2   30   "9"
// 10  E       2019-03-18 10:00:00   1    0   0    0    30   "2"
// 11  F       2019-03-18 08:00:00   0    0   0    0    5    "007"
// 12  E       2019-03-18 22:00:00   1    0   0    0    40   (none)
// 13  F       2019-03-18 09:00:00   0    0   0    0    5    "7"
// C is in the profile without receipts.
Table Receipts() {
  const std::vector<std::optional<std::string>> clients = {"A", "A", "A", "D", "A", "E", "A",
                                                           "B", "E", "A", "E", "F", "E", "F"};
  std::vector<std::optional<std::string>> tids;
  for (size_t i = 0; i < clients.size(); ++i) tids.push_back("t" + std::to_string(i));
  return Table::Make(
             {Column::StringFromValues("client_id", clients),
              Column::StringFromValues("transaction_id", tids),
              Column::Timestamp(
                  "transaction_datetime",
                  {Ts("2019-03-15 00:00:00"), Ts("2019-03-16 09:00:00"), Ts("2019-03-19 00:00:00"),
                   Ts("2019-01-01 10:00:00"), Ts("2019-03-18 15:00:00"), Ts("2019-03-17 10:00:00"),
                   Ts("2019-03-14 23:59:59"), Ts("2019-03-17 12:00:00"), Ts("2019-03-17 10:00:00"),
                   Ts("2019-03-16 21:00:00"), Ts("2019-03-18 10:00:00"), Ts("2019-03-18 08:00:00"),
                   Ts("2019-03-18 22:00:00"), Ts("2019-03-18 09:00:00")}),
              Column::Float64("regular_points_received",
                              {1, 2, 9, 1, kNaN, 1, 9, 0, 1, 0, 1, 0, 1, 0}),
              Column::Float64("express_points_received",
                              {0, 3, 9, 1, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0}),
              Column::Float64("regular_points_spent",
                              {-10, 0, -9, 0, 0, 0, -9, kNaN, 0, -2, 0, 0, 0, 0}),
              Column::Float64("express_points_spent",
                              {0, -5, -9, 0, 0, -1, -9, kNaN, 0, -2, 0, 0, 0, 0}),
              Column::Float64("purchase_sum",
                              {100, 50, 999, 10, kNaN, 10, 999, 20, 20, 30, 30, 5, 40, 5}),
              Column::StringFromValues("store_id", {"10", "9", "9", "9", "10", "10", "9", "S1",
                                                    "1a", "9", "2", "007", std::nullopt, "7"}),
              Column::Float64("trn_sum_from_iss", std::vector<double>(clients.size(), 1.0)),
              Column::Float64("trn_sum_from_red", std::vector<double>(clients.size(), kNaN))})
      .value();
}

// Products (a different order than purchases mentions them, so the two product_id dictionaries
// differ): p4 L1/c1/0, p2 L1/c2/1, p3 L2/(none)/0, p1 L1/c1/0, p5 L3/c5/1.
Table Products() {
  return Table::Make({Column::StringFromValues("product_id", {"p4", "p2", "p3", "p1", "p5"}),
                      Column::StringFromValues("level_1", {"L1", "L1", "L2", "L1", "L3"}),
                      Column::StringFromValues("level_3", {"c1", "c2", std::nullopt, "c1", "c5"}),
                      Column::Int64("is_alcohol", {0, 1, 0, 0, 1})})
      .value();
}

// Purchase lines:
//  A 03-15 00:00 p1 (at date_from: inside)      A 03-15 00:00 p2
//  A 03-19 00:00 p5 (at date_to: outside)       B 03-17 12:00 p3 (no level_3)
//  A 03-16 10:00 p4                             A 03-14 23:59:59 p5 (before the window)
//  A 03-17 09:00 p9 (not in products)           B 03-17 12:00 (no product_id)
//  E 2019-01-01 p1 (outside)                    G 03-18 10:00 p5
Table Purchases() {
  return Table::Make({Column::StringFromValues("client_id",
                                               {"A", "A", "A", "B", "A", "A", "A", "B", "E", "G"}),
                      Column::Timestamp("transaction_datetime",
                                        {Ts("2019-03-15 00:00:00"), Ts("2019-03-15 00:00:00"),
                                         Ts("2019-03-19 00:00:00"), Ts("2019-03-17 12:00:00"),
                                         Ts("2019-03-16 10:00:00"), Ts("2019-03-14 23:59:59"),
                                         Ts("2019-03-17 09:00:00"), Ts("2019-03-17 12:00:00"),
                                         Ts("2019-01-01 10:00:00"), Ts("2019-03-18 10:00:00")}),
                      Column::StringFromValues("product_id", {"p1", "p2", "p5", "p3", "p4", "p5",
                                                              "p9", std::nullopt, "p1", "p5"})})
      .value();
}

// Campaigns: A 1 2019-03-21 (100, 3, 5); A 1 2019-03-20 (another day); B 0 2019-03-21 (0, 0, 0);
// C 1 2019-03-22 (another day); G 0 2019-03-21 (10.5, 1, NaN).
Table Campaigns() {
  return Table::Make({Column::StringFromValues("client_id", {"A", "A", "B", "C", "G"}),
                      Column::Int64("treatment_flg", {1, 1, 0, 1, 0}),
                      Column::Timestamp("treatment_date",
                                        {Ts("2019-03-21 00:00:00"), Ts("2019-03-20 00:00:00"),
                                         Ts("2019-03-21 00:00:00"), Ts("2019-03-22 00:00:00"),
                                         Ts("2019-03-21 00:00:00")}),
                      Column::Float64("target_purchases_sum", {100, 1, 0, 7, 10.5}),
                      Column::Float64("target_purchases_count", {3, 1, 0, 7, 1}),
                      Column::Float64("target_campaign_points_spent", {5, 1, 0, 7, kNaN})})
      .value();
}

InMemorySource AllTables(size_t batch_rows) {
  InMemorySource source(batch_rows);
  source.Set(SourceTable::kClientProfile, Profile());
  source.Set(SourceTable::kProducts, Products());
  source.Set(SourceTable::kCampaigns, Campaigns());
  source.Set(SourceTable::kReceipts, Receipts());
  source.Set(SourceTable::kPurchases, Purchases());
  return source;
}

Result<std::vector<std::unique_ptr<Calcer>>> Config(const std::string& yaml) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode node, ConfigNode::Parse(yaml, "features.yaml"));
  return MakeCalcers(node);
}

Result<Table> Extract(const std::string& yaml, int threads = 1, size_t batch_rows = 1 << 20,
                      const char* date_to = kDateTo) {
  UPCAMP_ASSIGN_OR_RETURN(auto calcers, Config(yaml));
  InMemorySource source = AllTables(batch_rows);
  ExtractOptions opt;
  opt.params.date_to = Ts(date_to);
  Context ctx;
  ctx.threads = threads;
  return ExtractFeatures(calcers, source, opt, ctx);
}

// The result row of a client, or -1.
int RowOf(const Table& t, const std::string& client) {
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.column(0).ValueToString(r) == client) return static_cast<int>(r);
  }
  return -1;
}

// Checks a numeric cell of `client` (NaN = missing).
void Expect(const Table& t, const std::string& client, const std::string& col, double want) {
  const Column* c = t.FindColumn(col);
  ASSERT_NE(c, nullptr) << "no column " << col;
  const int r = RowOf(t, client);
  ASSERT_GE(r, 0) << "no row for client " << client;
  const double got = c->AsDouble(static_cast<size_t>(r));
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << col << "[" << client << "] = " << got;
  } else {
    EXPECT_DOUBLE_EQ(got, want) << col << "[" << client << "]";
  }
}

void ExpectText(const Table& t, const std::string& client, const std::string& col,
                const std::string& want) {
  const Column* c = t.FindColumn(col);
  ASSERT_NE(c, nullptr) << "no column " << col;
  const int r = RowOf(t, client);
  ASSERT_GE(r, 0) << "no row for client " << client;
  EXPECT_EQ(c->ValueToString(static_cast<size_t>(r)), want) << col << "[" << client << "]";
}

std::vector<std::string> Clients(const Table& t) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) out.push_back(t.column(0).ValueToString(r));
  return out;
}

// ---- reference calcers ------------------------------------------------------------------------

TEST(UniqueCategories, Golden) {
  ASSERT_OK_AND_ASSIGN(
      Table t, Extract("[{name: age_gender}, {name: unique_categories, args: {delta: 4}},"
                       " {name: unique_categories, args: {delta: 4, col_category: level_1}},"
                       " {name: unique_categories, args: {delta: 4, col_category: is_alcohol}}]"));
  // Rows: profile clients (A C B E) then G, first seen in purchases.
  EXPECT_EQ(Clients(t), (std::vector<std::string>{"A", "C", "B", "E", "G"}));
  // A in the window: p1 (c1, at date_from), p2 (c2), p4 (c1), p9 (unknown) → {c1, c2} = 2; p5 (c5)
  // is at date_to and one second before date_from, so it does not count.
  Expect(t, "A", "unique_level_3__4d", 2);
  Expect(t, "A", "unique_level_1__4d", 1);     // L1, L1, L1
  Expect(t, "A", "unique_is_alcohol__4d", 2);  // 0, 1, 0
  // B bought only p3 (no level_3) and a line without product: present with 0.
  Expect(t, "B", "unique_level_3__4d", 0);
  Expect(t, "B", "unique_level_1__4d", 1);  // L2
  Expect(t, "G", "unique_level_3__4d", 1);  // c5
  // C has no purchases, E only outside the window: missing.
  Expect(t, "C", "unique_level_3__4d", kNaN);
  Expect(t, "E", "unique_level_3__4d", kNaN);
  Expect(t, "E", "unique_is_alcohol__4d", kNaN);
}

TEST(UniqueCategories, ManyRowsPerClientStayExact) {
  // One client buying 1000 lines over 37 products of 37 categories, round robin: 37 distinct
  // (exercises the compaction of the per-client buffer).
  std::vector<std::optional<std::string>> pid, cat, client, buy;
  for (int i = 0; i < 37; ++i) {
    pid.push_back("p" + std::to_string(i));
    cat.push_back("c" + std::to_string(i % 37));
  }
  std::vector<int64_t> when;
  for (int i = 0; i < 1000; ++i) {
    client.push_back("A");
    buy.push_back("p" + std::to_string((i * 7) % 37));
    when.push_back(Ts("2019-03-18 00:00:00") + i);
  }
  for (size_t batch : {size_t{3}, size_t{1} << 20}) {
    InMemorySource source(batch);
    source.Set(SourceTable::kProducts, Table::Make({Column::StringFromValues("product_id", pid),
                                                    Column::StringFromValues("level_3", cat)})
                                           .value());
    source.Set(SourceTable::kPurchases,
               Table::Make({Column::StringFromValues("client_id", client),
                            Column::Timestamp("transaction_datetime", when),
                            Column::StringFromValues("product_id", buy)})
                   .value());
    ASSERT_OK_AND_ASSIGN(auto calcers, Config("[{name: unique_categories, args: {delta: 1}}]"));
    ExtractOptions opt;
    opt.params.date_to = Ts(kDateTo);
    Context ctx;
    ctx.threads = 2;
    ASSERT_OK_AND_ASSIGN(Table t, ExtractFeatures(calcers, source, opt, ctx));
    Expect(t, "A", "unique_level_3__1d", 37);
  }
}

TEST(UniqueCategories, DuplicateProductIsADataError) {
  InMemorySource source;
  source.Set(SourceTable::kProducts,
             Table::Make({Column::StringFromValues("product_id", {"p1", "p2", "p1"}),
                          Column::StringFromValues("level_3", {"a", "b", "c"})})
                 .value());
  source.Set(SourceTable::kPurchases, Purchases());
  ASSERT_OK_AND_ASSIGN(auto calcers, Config("[{name: unique_categories, args: {delta: 4}}]"));
  auto r = ExtractFeatures(calcers, source, ExtractOptions{}, Context{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("product_id 'p1' appears more than once"), std::string::npos)
      << r.status().ToString();
}

TEST(DayOfWeekReceipts, Golden) {
  ASSERT_OK_AND_ASSIGN(
      Table t, Extract("[{name: age_gender}, {name: day_of_week_receipts, args: {delta: 4}}]"));
  // D's only receipt is outside the window: no row. C (a profile row for age_gender) has no
  // receipts: all missing.
  EXPECT_EQ(Clients(t), (std::vector<std::string>{"A", "C", "B", "E", "F"}));
  // A: 03-15 Fri(4), 03-16 Sat(5) twice, 03-18 Mon(0); 03-19 and 03-14 are outside.
  const double a[7] = {1, 0, 0, 0, 1, 2, 0};
  // B: 03-17 Sun(6). E: 03-17 Sun twice, 03-18 Mon twice.
  const double b[7] = {0, 0, 0, 0, 0, 0, 1};
  const double e[7] = {2, 0, 0, 0, 0, 0, 2};
  for (int d = 0; d < 7; ++d) {
    const std::string col = "purchases_count_dw" + std::to_string(d) + "__4d";
    Expect(t, "A", col, a[d]);
    Expect(t, "B", col, b[d]);
    Expect(t, "E", col, e[d]);
    Expect(t, "C", col, kNaN);
  }
  EXPECT_EQ(t.FindColumn("purchases_count_dw0__4d")->type(), DataType::kInt64);
}

TEST(FavouriteStore, GoldenAndTies) {
  ASSERT_OK_AND_ASSIGN(Table t,
                       Extract("[{name: age_gender}, {name: favourite_store, args: {delta: 4}}]"));
  // A: "10" ×2 (#0, #4), "9" ×2 (#1, #9); the "9" receipts at date_to and before date_from would
  // break the tie if they leaked in. Both ids are integers → numeric: 10 > 9 (as text "9" wins).
  ExpectText(t, "A", "favourite_store_id__4d", "10");
  ExpectText(t, "B", "favourite_store_id__4d", "S1");
  // E: "10", "1a", "2" once each and one receipt without a store. Not all integers → text:
  // "2" > "1a" > "10".
  ExpectText(t, "E", "favourite_store_id__4d", "2");
  // F: "007" and "7" once each: equal as numbers → the larger text, "7" > "007".
  ExpectText(t, "F", "favourite_store_id__4d", "7");
  ExpectText(t, "C", "favourite_store_id__4d", "");
  EXPECT_TRUE(t.FindColumn("favourite_store_id__4d")->IsNull(static_cast<size_t>(RowOf(t, "C"))));
  EXPECT_EQ(RowOf(t, "D"), -1);
  // delta 1: [03-18 00:00, 03-19 00:00): A has only #4 ("10"), E has "2" and a missing store.
  ASSERT_OK_AND_ASSIGN(Table d1,
                       Extract("[{name: age_gender}, {name: favourite_store, args: {delta: 1}}]"));
  ExpectText(d1, "A", "favourite_store_id__1d", "10");
  ExpectText(d1, "E", "favourite_store_id__1d", "2");
  ExpectText(d1, "B", "favourite_store_id__1d", "");  // B's receipt is on 03-17: missing
}

TEST(FavouriteStore, OnlyReceiptsWithoutStoreArePresentButMissing) {
  InMemorySource source;
  source.Set(SourceTable::kReceipts,
             Table::Make({Column::StringFromValues("client_id", {"A"}),
                          Column::Timestamp("transaction_datetime", {Ts("2019-03-18 10:00:00")}),
                          Column::StringFromValues("store_id", {std::nullopt})})
                 .value());
  ASSERT_OK_AND_ASSIGN(auto calcers, Config("[{name: favourite_store, args: {delta: 4}},"
                                            " {name: store_loyalty, args: {delta: 4}}]"));
  ExtractOptions opt;
  opt.params.date_to = Ts(kDateTo);
  ASSERT_OK_AND_ASSIGN(Table t, ExtractFeatures(calcers, source, opt, Context{}));
  ASSERT_EQ(t.num_rows(), 1u);
  ExpectText(t, "A", "favourite_store_id__4d", "");
  Expect(t, "A", "distinct_stores__4d", 0);
  Expect(t, "A", "favourite_store_share__4d", kNaN);
}

TEST(TargetFromCampaigns, Golden) {
  ASSERT_OK_AND_ASSIGN(auto calcers,
                       Config("[{name: target_from_campaigns, args: {date_to: 2019-03-21}}]"));
  EXPECT_TRUE(calcers[0]->is_target());
  EXPECT_EQ(calcers[0]->args(), nlohmann::json({{"date_to", "2019-03-21"}}));
  // Independent of the extraction's date_to (2019-03-19).
  ASSERT_OK_AND_ASSIGN(
      Table t,
      Extract("[{name: age_gender}, {name: target_from_campaigns, args: {date_to: 2019-03-21}}]"));
  // Profile clients A C B E, then G from campaigns.
  EXPECT_EQ(Clients(t), (std::vector<std::string>{"A", "C", "B", "E", "G"}));
  Expect(t, "A", "treatment_flg", 1);  // the 2019-03-21 row, not the 2019-03-20 one
  Expect(t, "A", "target_purchases_sum", 100);
  Expect(t, "A", "target_purchases_count", 3);
  Expect(t, "A", "target_campaign_points_spent", 5);
  Expect(t, "B", "treatment_flg", 0);
  Expect(t, "B", "target_purchases_sum", 0);
  Expect(t, "G", "target_purchases_sum", 10.5);
  Expect(t, "G", "target_campaign_points_spent", kNaN);
  // C was treated on another day: missing.
  Expect(t, "C", "treatment_flg", kNaN);
  Expect(t, "C", "target_purchases_sum", kNaN);
  EXPECT_EQ(t.FindColumn("treatment_flg")->type(), DataType::kInt64);
  // Another date picks other rows: only A on 2019-03-20.
  ASSERT_OK_AND_ASSIGN(
      Table t20,
      Extract("[{name: age_gender}, {name: target_from_campaigns, args: {date_to: 2019-03-20}}]"));
  Expect(t20, "A", "target_purchases_sum", 1);
  Expect(t20, "B", "target_purchases_sum", kNaN);
  EXPECT_EQ(RowOf(t20, "G"), -1);
}

TEST(TargetFromCampaigns, TwoRowsOnTheDateIsADataError) {
  InMemorySource source(1);
  source.Set(SourceTable::kCampaigns,
             Table::Make({Column::StringFromValues("client_id", {"A", "X", "X"}),
                          Column::Int64("treatment_flg", {1, 0, 1}),
                          Column::Timestamp("treatment_date",
                                            {Ts("2019-03-21 00:00:00"), Ts("2019-03-21 00:00:00"),
                                             Ts("2019-03-21 00:00:00")}),
                          Column::Float64("target_purchases_sum", {1, 2, 3}),
                          Column::Float64("target_purchases_count", {1, 2, 3}),
                          Column::Float64("target_campaign_points_spent", {1, 2, 3})})
                 .value());
  ASSERT_OK_AND_ASSIGN(auto calcers,
                       Config("[{name: target_from_campaigns, args: {date_to: 2019-03-21}}]"));
  for (int threads : {1, 3}) {
    Context ctx;
    ctx.threads = threads;
    auto r = ExtractFeatures(calcers, source, ExtractOptions{}, ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kData);
    EXPECT_NE(r.status().message().find("client_id 'X' has more than one row with treatment_date "
                                        "2019-03-21"),
              std::string::npos)
        << r.status().ToString();
  }
}

// ---- extra calcers -----------------------------------------------------------------------------

TEST(Rfm, Golden) {
  ASSERT_OK_AND_ASSIGN(Table t, Extract("[{name: age_gender}, {name: rfm, args: {delta: 4}}]"));
  // A: #0 03-15 00:00, #1 03-16 09:00, #9 03-16 21:00, #4 03-18 15:00 (sums 100, 50, 30, NaN).
  Expect(t, "A", "recency_days__4d", 9.0 / 24);  // 03-18 15:00 → 03-19 00:00
  Expect(t, "A", "frequency__4d", 4);
  Expect(t, "A", "monetary__4d", 180);        // 100 + 50 + 30; the missing sum is skipped
  Expect(t, "A", "average_receipt__4d", 60);  // 180 / 3 receipts with a sum
  Expect(t, "A", "active_days__4d", 3);       // 03-15, 03-16, 03-18
  // B: a single receipt 03-17 12:00 of 20.
  Expect(t, "B", "recency_days__4d", 1.5);
  Expect(t, "B", "frequency__4d", 1);
  Expect(t, "B", "monetary__4d", 20);
  Expect(t, "B", "average_receipt__4d", 20);
  Expect(t, "B", "active_days__4d", 1);
  // E: 10 + 20 + 30 + 40 over 03-17 (×2) and 03-18 (×2); last 03-18 22:00.
  Expect(t, "E", "recency_days__4d", 2.0 / 24);
  Expect(t, "E", "monetary__4d", 100);
  Expect(t, "E", "average_receipt__4d", 25);
  Expect(t, "E", "active_days__4d", 2);
  for (const char* col : {"recency_days__4d", "frequency__4d", "monetary__4d",
                          "average_receipt__4d", "active_days__4d"}) {
    Expect(t, "C", col, kNaN);
  }
  EXPECT_EQ(RowOf(t, "D"), -1);
}

TEST(Points, Golden) {
  ASSERT_OK_AND_ASSIGN(Table t, Extract("[{name: age_gender}, {name: points, args: {delta: 4}}]"));
  // A (#0 #1 #4 #9): rr 1+2+NaN+0 = 3, er 0+3+0+0 = 3, rs -10+0+0-2 = -12, es 0-5+0-2 = -7.
  Expect(t, "A", "points_regular_received_sum__4d", 3);
  Expect(t, "A", "points_express_received_sum__4d", 3);
  Expect(t, "A", "points_regular_spent_sum__4d", -12);
  Expect(t, "A", "points_express_spent_sum__4d", -7);
  Expect(t, "A", "points_regular_spent_receipts_share__4d", 0.5);  // #0, #9 of 4
  Expect(t, "A", "points_express_spent_receipts_share__4d", 0.5);  // #1, #9 of 4
  Expect(t, "A", "points_express_share_of_spent__4d", 7.0 / 19);   // -7 / (-12 - 7)
  // B: spent values missing → sums 0, shares 0, nothing spent → share of spent missing.
  Expect(t, "B", "points_regular_spent_sum__4d", 0);
  Expect(t, "B", "points_express_spent_sum__4d", 0);
  Expect(t, "B", "points_regular_spent_receipts_share__4d", 0);
  Expect(t, "B", "points_express_share_of_spent__4d", kNaN);
  // E: rr 4 × 1; es -1 on one of 4 receipts; all points spent are express.
  Expect(t, "E", "points_regular_received_sum__4d", 4);
  Expect(t, "E", "points_express_spent_receipts_share__4d", 0.25);
  Expect(t, "E", "points_express_share_of_spent__4d", 1);
  Expect(t, "C", "points_regular_received_sum__4d", kNaN);
}

TEST(TimeOfDay, Golden) {
  ASSERT_OK_AND_ASSIGN(Table t,
                       Extract("[{name: age_gender}, {name: time_of_day, args: {delta: 4}}]"));
  // A: 00:00 night, 09:00 morning, 21:00 evening, 15:00 afternoon; Sat twice of 4.
  for (const char* part : {"night", "morning", "afternoon", "evening"}) {
    Expect(t, "A", std::string("receipts_share_") + part + "__4d", 0.25);
  }
  Expect(t, "A", "receipts_share_weekend__4d", 0.5);
  // B: 12:00 sharp is afternoon; Sunday.
  Expect(t, "B", "receipts_share_morning__4d", 0);
  Expect(t, "B", "receipts_share_afternoon__4d", 1);
  Expect(t, "B", "receipts_share_weekend__4d", 1);
  // E: 10:00, 10:00, 10:00, 22:00; Sun, Sun, Mon, Mon.
  Expect(t, "E", "receipts_share_morning__4d", 0.75);
  Expect(t, "E", "receipts_share_evening__4d", 0.25);
  Expect(t, "E", "receipts_share_night__4d", 0);
  Expect(t, "E", "receipts_share_weekend__4d", 0.5);
  Expect(t, "C", "receipts_share_night__4d", kNaN);
}

TEST(ReceiptIntervals, Golden) {
  ASSERT_OK_AND_ASSIGN(
      Table t, Extract("[{name: age_gender}, {name: receipt_intervals, args: {delta: 4}}]"));
  // A sorted: 03-15 00:00, 03-16 09:00, 03-16 21:00, 03-18 15:00 → gaps 33 h, 12 h, 42 h
  // = 1.375, 0.5, 1.75 days.
  const double m = (1.375 + 0.5 + 1.75) / 3;
  Expect(t, "A", "receipt_interval_mean__4d", m);
  Expect(t, "A", "receipt_interval_median__4d", 1.375);
  Expect(t, "A", "receipt_interval_last__4d", 1.75);
  Expect(t, "A", "receipt_interval_max__4d", 1.75);
  const double var =
      ((1.375 - m) * (1.375 - m) + (0.5 - m) * (0.5 - m) + (1.75 - m) * (1.75 - m)) / 2;
  EXPECT_NEAR(
      t.FindColumn("receipt_interval_std__4d")->AsDouble(static_cast<size_t>(RowOf(t, "A"))),
      std::sqrt(var), 1e-12);
  // E: 03-17 10:00 twice, 03-18 10:00, 03-18 22:00 → gaps 0, 1, 0.5: mean 0.5, median 0.5,
  // sample std sqrt((0.25 + 0.25 + 0) / 2) = 0.5, last 0.5, max 1.
  Expect(t, "E", "receipt_interval_mean__4d", 0.5);
  Expect(t, "E", "receipt_interval_median__4d", 0.5);
  Expect(t, "E", "receipt_interval_std__4d", 0.5);
  Expect(t, "E", "receipt_interval_last__4d", 0.5);
  Expect(t, "E", "receipt_interval_max__4d", 1);
  // F: two receipts an hour apart: one gap; std needs two gaps.
  Expect(t, "F", "receipt_interval_mean__4d", 1.0 / 24);
  Expect(t, "F", "receipt_interval_median__4d", 1.0 / 24);
  Expect(t, "F", "receipt_interval_std__4d", kNaN);
  // B: a single receipt: present, all missing. C: no receipts.
  ASSERT_GE(RowOf(t, "B"), 0);
  for (const char* s : {"mean", "median", "std", "last", "max"}) {
    Expect(t, "B", std::string("receipt_interval_") + s + "__4d", kNaN);
    Expect(t, "C", std::string("receipt_interval_") + s + "__4d", kNaN);
  }
}

TEST(ReceiptIntervals, EvenNumberOfGapsAveragesTheMiddleTwo) {
  // Receipts at day 0, 1, 4, 5, 13 (in shuffled file order) → gaps 1, 3, 1, 8: median (1 + 3) / 2.
  InMemorySource source(2);
  const int64_t d0 = Ts("2019-03-01 00:00:00");
  source.Set(
      SourceTable::kReceipts,
      Table::Make({Column::StringFromValues("client_id", {"A", "A", "A", "A", "A"}),
                   Column::Timestamp("transaction_datetime", {d0 + 13 * 86400, d0, d0 + 4 * 86400,
                                                              d0 + 86400, d0 + 5 * 86400})})
          .value());
  ASSERT_OK_AND_ASSIGN(auto calcers, Config("[{name: receipt_intervals, args: {delta: 30}}]"));
  ExtractOptions opt;
  opt.params.date_to = Ts(kDateTo);
  ASSERT_OK_AND_ASSIGN(Table t, ExtractFeatures(calcers, source, opt, Context{}));
  Expect(t, "A", "receipt_interval_median__30d", 2);
  Expect(t, "A", "receipt_interval_mean__30d", 13.0 / 4);
  Expect(t, "A", "receipt_interval_last__30d", 8);
}

TEST(StoreLoyalty, Golden) {
  ASSERT_OK_AND_ASSIGN(Table t,
                       Extract("[{name: age_gender}, {name: store_loyalty, args: {delta: 4}}]"));
  Expect(t, "A", "distinct_stores__4d", 2);          // "10", "9"
  Expect(t, "A", "favourite_store_share__4d", 0.5);  // 2 of 4
  Expect(t, "B", "distinct_stores__4d", 1);
  Expect(t, "B", "favourite_store_share__4d", 1);
  Expect(t, "E", "distinct_stores__4d", 3);              // the receipt without a store is skipped
  Expect(t, "E", "favourite_store_share__4d", 1.0 / 3);  // of the 3 receipts with a store
  Expect(t, "C", "distinct_stores__4d", kNaN);
}

TEST(ClientTenure, Golden) {
  ASSERT_OK_AND_ASSIGN(Table t, Extract("[{name: client_tenure}]"));
  EXPECT_EQ(Clients(t), (std::vector<std::string>{"A", "C", "B", "E"}));
  // A: issued 03-09 00:00 → 10 days; redeemed 03-18 12:00 → 0.5 days.
  Expect(t, "A", "days_since_first_issue", 10);
  Expect(t, "A", "days_since_first_redeem", 0.5);
  Expect(t, "A", "has_redeemed", 1);
  // C: issued exactly at date_to → not before it: missing; never redeemed.
  Expect(t, "C", "days_since_first_issue", kNaN);
  Expect(t, "C", "days_since_first_redeem", kNaN);
  Expect(t, "C", "has_redeemed", 0);
  // B: issued 2018-03-19 → 365 days; redeemed 2019-03-20, after date_to → not yet.
  Expect(t, "B", "days_since_first_issue", 365);
  Expect(t, "B", "days_since_first_redeem", kNaN);
  Expect(t, "B", "has_redeemed", 0);
  Expect(t, "E", "days_since_first_issue", kNaN);
  Expect(t, "E", "has_redeemed", 0);
  // A day later A has redeemed 1.5 days ago.
  ASSERT_OK_AND_ASSIGN(Table t2,
                       Extract("[{name: client_tenure}]", 1, 1 << 20, "2019-03-20 00:00:00"));
  Expect(t2, "A", "days_since_first_redeem", 1.5);
  Expect(t2, "C", "days_since_first_issue", 1);
}

// ---- properties over every calcer --------------------------------------------------------------

constexpr const char* kEverything =
    "[{name: receipts_basic, args: {delta: 4}}, {name: age_gender},"
    " {name: unique_categories, args: {delta: 4}},"
    " {name: unique_categories, args: {delta: 60, col_category: level_1}},"
    " {name: day_of_week_receipts, args: {delta: 4}}, {name: favourite_store, args: {delta: 4}},"
    " {name: favourite_store, args: {delta: 1}},"
    " {name: target_from_campaigns, args: {date_to: 2019-03-21}}, {name: rfm, args: {delta: 4}},"
    " {name: points, args: {delta: 4}}, {name: time_of_day, args: {delta: 4}},"
    " {name: receipt_intervals, args: {delta: 4}}, {name: receipt_intervals, args: {delta: 90}},"
    " {name: store_loyalty, args: {delta: 4}}, {name: client_tenure}]";

TEST(Calcers, SameResultForAnyThreadsAndBatchSize) {
  ASSERT_OK_AND_ASSIGN(Table ref, Extract(kEverything, 1, 1 << 20));
  for (int threads : {1, 3}) {
    for (size_t batch : {size_t{1}, size_t{2}, size_t{1} << 20}) {
      ASSERT_OK_AND_ASSIGN(Table t, Extract(kEverything, threads, batch));
      ASSERT_EQ(t.num_rows(), ref.num_rows());
      ASSERT_EQ(t.schema(), ref.schema());
      for (size_t c = 0; c < t.num_columns(); ++c) {
        for (size_t r = 0; r < t.num_rows(); ++r) {
          EXPECT_EQ(t.column(c).ValueToString(r), ref.column(c).ValueToString(r))
              << t.column(c).name() << " row " << r << " threads " << threads << " batch " << batch;
        }
      }
    }
  }
}

TEST(Calcers, OnlyClientsWithRowsInTheWindowArePresent) {
  // Each calcer alone: the result holds exactly the clients it has data for (C has only a
  // profile row, D only receipts before the window, E only purchases before it).
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"{name: unique_categories, args: {delta: 4}}", {"A", "B", "G"}},
      {"{name: day_of_week_receipts, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: favourite_store, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: favourite_store, args: {delta: 1}}", {"A", "E", "F"}},
      {"{name: target_from_campaigns, args: {date_to: 2019-03-21}}", {"A", "B", "G"}},
      {"{name: rfm, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: points, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: time_of_day, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: receipt_intervals, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: store_loyalty, args: {delta: 4}}", {"A", "B", "E", "F"}},
      {"{name: client_tenure}", {"A", "C", "B", "E"}},
  };
  for (const auto& [entry, clients] : cases) {
    ASSERT_OK_AND_ASSIGN(Table t, Extract("[" + entry + "]", 2, 2));
    EXPECT_EQ(Clients(t), clients) << entry;
  }
}

TEST(Calcers, EmptyWindowsLeaveOnlyMissingValues) {
  // date_to 2020-01-01 with delta 4: no receipt or purchase is in any window; the profile still
  // lists the clients (age_gender has them), with every windowed column missing.
  ASSERT_OK_AND_ASSIGN(
      Table t, Extract("[{name: age_gender}, {name: unique_categories, args: {delta: 4}},"
                       " {name: day_of_week_receipts, args: {delta: 4}},"
                       " {name: favourite_store, args: {delta: 4}}, {name: rfm, args: {delta: 4}},"
                       " {name: points, args: {delta: 4}}, {name: time_of_day, args: {delta: 4}},"
                       " {name: receipt_intervals, args: {delta: 4}},"
                       " {name: store_loyalty, args: {delta: 4}}]",
                       2, 3, "2020-01-01 00:00:00"));
  EXPECT_EQ(Clients(t), (std::vector<std::string>{"A", "C", "B", "E"}));
  for (size_t c = 1; c < t.num_columns(); ++c) {
    if (t.column(c).name() == "age" || t.column(c).name() == "gender") continue;
    EXPECT_EQ(t.column(c).NullCount(), t.num_rows()) << t.column(c).name();
  }
}

// ---- many clients: partitions, row ranges, both category sets -------------------------------

// Random tables for `n_clients` clients: a profile of every third client, receipts and purchase
// lines in random order over 90 days before the feature date (and a few at or after it, and
// missing times), products with `n_categories` level_3 values (some products without one, some
// purchased products unknown). Brute-force results below are computed from the same rows.
struct RandomData {
  std::vector<std::string> profile;  // client ids in profile order
  std::vector<std::optional<std::string>> r_client, p_client, p_product, products, categories;
  std::vector<int64_t> r_time, p_time;
  std::vector<double> r_sum;
};

RandomData MakeRandomData(int n_clients, int n_categories, uint64_t seed) {
  Rng rng(seed);
  RandomData d;
  auto id = [](uint64_t i) { return "c" + std::to_string(i); };
  for (int i = 0; i < n_clients; i += 3) d.profile.push_back(id(static_cast<uint64_t>(i)));
  const int64_t date_to = Ts(kDateTo);
  auto time = [&]() -> int64_t {
    const uint64_t u = rng.UniformInt(100);
    if (u == 0) return kNullInt64;
    if (u == 1) return date_to + static_cast<int64_t>(rng.UniformInt(86400 * 2));
    return date_to - 1 - static_cast<int64_t>(rng.UniformInt(86400 * 90));
  };
  for (int i = 0; i < 20 * n_clients; ++i) {
    d.r_client.push_back(id(rng.UniformInt(static_cast<uint64_t>(n_clients))));
    d.r_time.push_back(time());
    d.r_sum.push_back(static_cast<double>(rng.UniformInt(1000)));
  }
  const int n_products = 3 * n_categories + 10;
  for (int p = 0; p < n_products; ++p) {
    d.products.push_back("p" + std::to_string(p));
    d.categories.push_back(
        p % 17 == 0 ? std::nullopt
                    : std::optional<std::string>("k" + std::to_string(p % n_categories)));
  }
  for (int i = 0; i < 60 * n_clients; ++i) {
    d.p_client.push_back(id(rng.UniformInt(static_cast<uint64_t>(n_clients))));
    d.p_time.push_back(time());
    d.p_product.push_back("p" +
                          std::to_string(rng.UniformInt(static_cast<uint64_t>(n_products) + 5)));
  }
  return d;
}

Result<Table> ExtractRandom(const RandomData& d, const std::string& yaml, int threads,
                            size_t batch_rows) {
  InMemorySource source(batch_rows);
  std::vector<std::optional<std::string>> profile(d.profile.begin(), d.profile.end());
  UPCAMP_ASSIGN_OR_RETURN(
      Table pr,
      Table::Make({Column::StringFromValues("client_id", profile),
                   Column::Int64("age", std::vector<int64_t>(profile.size(), 40)),
                   Column::StringFromValues(
                       "gender", std::vector<std::optional<std::string>>(profile.size(), "F"))}));
  source.Set(SourceTable::kClientProfile, std::move(pr));
  UPCAMP_ASSIGN_OR_RETURN(Table products,
                          Table::Make({Column::StringFromValues("product_id", d.products),
                                       Column::StringFromValues("level_3", d.categories)}));
  source.Set(SourceTable::kProducts, std::move(products));
  const size_t nr = d.r_client.size();
  const std::vector<double> zeros(nr, 0.0);
  UPCAMP_ASSIGN_OR_RETURN(Table receipts,
                          Table::Make({Column::StringFromValues("client_id", d.r_client),
                                       Column::Timestamp("transaction_datetime", d.r_time),
                                       Column::Float64("purchase_sum", d.r_sum),
                                       Column::Float64("regular_points_spent", zeros),
                                       Column::Float64("express_points_spent", zeros),
                                       Column::Float64("trn_sum_from_red", zeros)}));
  source.Set(SourceTable::kReceipts, std::move(receipts));
  UPCAMP_ASSIGN_OR_RETURN(Table purchases,
                          Table::Make({Column::StringFromValues("client_id", d.p_client),
                                       Column::Timestamp("transaction_datetime", d.p_time),
                                       Column::StringFromValues("product_id", d.p_product)}));
  source.Set(SourceTable::kPurchases, std::move(purchases));
  UPCAMP_ASSIGN_OR_RETURN(auto calcers, Config(yaml));
  ExtractOptions opt;
  opt.params.date_to = Ts(kDateTo);
  Context ctx;
  ctx.threads = threads;
  return ExtractFeatures(calcers, source, opt, ctx);
}

TEST(Calcers, ManyClientsMatchBruteForceForAnyThreadsAndBatchSize) {
  // Hundreds of clients, so every partition (runs of 64 clients) has work with up to 4 threads;
  // 100 categories use per-client bit sets (two words), 1500 per-client lists.
  for (const int n_categories : {100, 1500}) {
    const RandomData d = MakeRandomData(700, n_categories, 7 + n_categories);
    const int64_t date_to = Ts(kDateTo);
    // Brute force: receipts_basic(30) count and sum, unique_categories(20), client order.
    std::map<std::string, std::pair<int64_t, double>> receipts;
    for (size_t i = 0; i < d.r_client.size(); ++i) {
      if (d.r_time[i] == kNullInt64 || d.r_time[i] < date_to - 30 * 86400 ||
          d.r_time[i] >= date_to) {
        continue;
      }
      auto& [count, sum] = receipts[*d.r_client[i]];
      ++count;
      sum += d.r_sum[i];
    }
    std::map<std::string, std::string> category_of;
    for (size_t p = 0; p < d.products.size(); ++p) {
      if (d.categories[p]) category_of[*d.products[p]] = *d.categories[p];
    }
    std::map<std::string, std::set<std::string>> bought;
    for (size_t i = 0; i < d.p_client.size(); ++i) {
      if (d.p_time[i] == kNullInt64 || d.p_time[i] < date_to - 20 * 86400 ||
          d.p_time[i] >= date_to) {
        continue;
      }
      auto& cats = bought[*d.p_client[i]];  // present even without a known category
      auto it = category_of.find(*d.p_product[i]);
      if (it != category_of.end()) cats.insert(it->second);
    }
    // Clients: profile order, then first appearance among the receipts rows the calcers use
    // (those in the 30-day window), then among the purchases rows (20 days); without a profile
    // calcer only those with rows in a window are kept.
    std::vector<std::string> order = d.profile;
    std::set<std::string> seen(order.begin(), order.end());
    auto add_in_window = [&](const auto& clients, const std::vector<int64_t>& times, int days) {
      for (size_t i = 0; i < clients.size(); ++i) {
        if (!clients[i] || times[i] == kNullInt64 || times[i] < date_to - days * 86400 ||
            times[i] >= date_to) {
          continue;
        }
        if (seen.insert(*clients[i]).second) order.push_back(*clients[i]);
      }
    };
    add_in_window(d.r_client, d.r_time, 30);
    add_in_window(d.p_client, d.p_time, 20);
    std::vector<std::string> want_clients;
    for (const auto& c : order) {
      if (receipts.count(c) || bought.count(c)) want_clients.push_back(c);
    }
    ASSERT_GT(want_clients.size(), 600u);

    const std::string yaml =
        "[{name: receipts_basic, args: {delta: 30}}, {name: unique_categories, args: {delta: 20}}]";
    for (const int threads : {1, 2, 3, 4}) {
      for (const size_t batch : {size_t{997}, size_t{1} << 20}) {
        ASSERT_OK_AND_ASSIGN(Table t, ExtractRandom(d, yaml, threads, batch));
        ASSERT_EQ(Clients(t), want_clients) << "threads " << threads << " batch " << batch;
        const auto count = t.FindColumn("transaction_id_count__30d")->int64s();
        const auto sum = t.FindColumn("purchase_sum_sum__30d")->float64s();
        const auto unique = t.FindColumn("unique_level_3__20d")->int64s();
        for (size_t r = 0; r < t.num_rows(); ++r) {
          const std::string& c = want_clients[r];
          auto rc = receipts.find(c);
          EXPECT_EQ(count[r], rc == receipts.end() ? kNullInt64 : rc->second.first) << c;
          if (rc != receipts.end()) {
            EXPECT_EQ(sum[r], rc->second.second) << c;
          }
          auto bc = bought.find(c);
          EXPECT_EQ(unique[r],
                    bc == bought.end() ? kNullInt64 : static_cast<int64_t>(bc->second.size()))
              << c << " threads " << threads << " batch " << batch;
        }
      }
    }
  }
}

TEST(UniqueCategories, ProductsInBatchesPastTheBitSetLimits) {
  // Products read in batches of 50: the category count grows past 64 (a second word per client,
  // with 100 categories) or past 1024 (lists instead of bit sets, with 1100) while products are
  // read. The counts must equal those of a read that sees every product in one batch.
  const std::string yaml = "[{name: unique_categories, args: {delta: 20}}]";
  for (const int n_categories : {100, 1100}) {
    const RandomData d = MakeRandomData(300, n_categories, 3);
    ASSERT_OK_AND_ASSIGN(Table whole, ExtractRandom(d, yaml, 1, size_t{1} << 20));
    const auto want = whole.FindColumn("unique_level_3__20d")->int64s();
    ASSERT_GT(*std::max_element(want.begin(), want.end()), 3);
    for (const int threads : {1, 2}) {
      ASSERT_OK_AND_ASSIGN(Table small, ExtractRandom(d, yaml, threads, 50));
      ASSERT_EQ(Clients(small), Clients(whole));
      const auto got = small.FindColumn("unique_level_3__20d")->int64s();
      EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin(), want.end()))
          << n_categories << " categories, threads " << threads;
    }
  }
}

// ---- config errors -----------------------------------------------------------------------------

Status ConfigError(const std::string& yaml) {
  auto node = ConfigNode::Parse(yaml, "f.yaml");
  if (!node.ok()) return node.status();
  auto calcers = MakeCalcers(*node);
  return calcers.ok() ? Status::Ok() : calcers.status();
}

void ExpectConfigError(const std::string& yaml, const std::string& needle) {
  const Status st = ConfigError(yaml);
  ASSERT_FALSE(st.ok()) << yaml;
  EXPECT_EQ(st.code(), ErrorCode::kConfig) << st.ToString();
  EXPECT_NE(st.message().find(needle), std::string::npos) << st.ToString();
}

TEST(Calcers, ConfigErrorsNameTheKey) {
  for (const char* name : {"unique_categories", "day_of_week_receipts", "favourite_store", "rfm",
                           "points", "time_of_day", "receipt_intervals", "store_loyalty"}) {
    SCOPED_TRACE(name);
    const std::string n = name;
    ExpectConfigError("- {name: " + n + "}\n", "missing required argument 'delta'");
    ExpectConfigError("- {name: " + n + ", args: {delta: 4, dleta: 5}}\n", "unknown key 'dleta'");
    ExpectConfigError("- {name: " + n + ", args: {delta: 0}}\n", "delta must be 1..3650 days");
    ExpectConfigError("- {name: " + n + ", args: {delta: four}}\n", "f.yaml:1:");
  }
  ExpectConfigError("- {name: unique_categories, args: {delta: 4, col_category: level_9}}\n",
                    "col_category must be a products column");
  ExpectConfigError("- {name: unique_categories, args: {delta: 4, col_category: product_id}}\n",
                    "got 'product_id'");
  ExpectConfigError("- {name: unique_categories, args: {delta: 4, col_category: level_9}}\n",
                    "f.yaml:1:60");
  ExpectConfigError("- {name: target_from_campaigns}\n", "missing required argument 'date_to'");
  ExpectConfigError("- {name: target_from_campaigns, args: {date_to: 2019-13-01}}\n",
                    "expected a date YYYY-MM-DD, got '2019-13-01'");
  ExpectConfigError("- {name: target_from_campaigns, args: {date_to: 2019-03-21, delta: 3}}\n",
                    "unknown key 'delta'");
  ExpectConfigError("- {name: client_tenure, args: {delta: 3}}\n", "unknown key 'delta'");
}

// ---- the registry contract ---------------------------------------------------------------------

// The smallest valid args of each registered calcer; a new calcer must be added here.
const std::map<std::string, std::string>& MinimalArgs() {
  static const std::map<std::string, std::string> kArgs = {
      {"receipts_basic", "{delta: 4}"},
      {"age_gender", "{}"},
      {"unique_categories", "{delta: 4}"},
      {"day_of_week_receipts", "{delta: 4}"},
      {"favourite_store", "{delta: 4}"},
      {"target_from_campaigns", "{date_to: 2019-03-21}"},
      {"rfm", "{delta: 4}"},
      {"points", "{delta: 4}"},
      {"time_of_day", "{delta: 4}"},
      {"receipt_intervals", "{delta: 4}"},
      {"store_loyalty", "{delta: 4}"},
      {"client_tenure", "{}"},
  };
  return kArgs;
}

TEST(CalcerRegistry, EveryCalcerHonoursItsContract) {
  std::set<std::string> names;
  for (const CalcerInfo& info : AllCalcers()) {
    SCOPED_TRACE(info.name);
    EXPECT_TRUE(names.insert(info.name).second) << "registered twice";
    EXPECT_GT(std::string(info.summary).size(), 10u);
    EXPECT_FALSE(std::string(info.arguments).empty());
    EXPECT_FALSE(std::string(info.columns).empty());
    auto args = MinimalArgs().find(info.name);
    ASSERT_NE(args, MinimalArgs().end()) << "add minimal args for this calcer to the test";

    ASSERT_OK_AND_ASSIGN(auto calcers,
                         Config(fmt::format("[{{name: {}, args: {}}}]", info.name, args->second)));
    const Calcer& calcer = *calcers[0];
    EXPECT_EQ(calcer.name(), info.name);
    EXPECT_EQ(calcer.is_target(), std::string(info.name) == "target_from_campaigns");

    // The args as written back (defaults filled in) build the same calcer.
    ASSERT_OK_AND_ASSIGN(auto again, MakeCalcer(ConfigNode::FromJson(CalcerToJson(calcer), "j")));
    EXPECT_EQ(again->args(), calcer.args());
    EXPECT_EQ(again->OutputSchema(), calcer.OutputSchema());

    // Finish produces exactly the declared columns, in order, with the declared types.
    const Schema schema = calcer.OutputSchema();
    ASSERT_FALSE(schema.empty());
    for (int threads : {1, 2}) {
      InMemorySource source = AllTables(3);
      ExtractOptions opt;
      opt.params.date_to = Ts(kDateTo);
      Context ctx;
      ctx.threads = threads;
      ASSERT_OK_AND_ASSIGN(Table t, ExtractFeatures(calcers, source, opt, ctx));
      Schema got = t.schema();
      ASSERT_EQ(got.front().name, "client_id");
      got.erase(got.begin());
      EXPECT_EQ(got, schema);
      EXPECT_GT(t.num_rows(), 0u);
    }
    // Windowed calcers suffix every column with __{delta}d.
    const nlohmann::json a = calcer.args();
    if (a.contains("delta")) {
      const std::string suffix = fmt::format("__{}d", a["delta"].get<int64_t>());
      for (const Field& f : schema) {
        EXPECT_TRUE(f.name.size() > suffix.size() &&
                    f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) == 0)
            << f.name;
      }
    }
  }
  EXPECT_EQ(names.size(), MinimalArgs().size()) << "a calcer of the test is not registered";
}

TEST(CalcerRegistry, StatesFinishWithoutAnyRows) {
  // Every state copes with no clients at all (an empty base).
  for (const CalcerInfo& info : AllCalcers()) {
    SCOPED_TRACE(info.name);
    ASSERT_OK_AND_ASSIGN(auto calcers, Config(fmt::format("[{{name: {}, args: {}}}]", info.name,
                                                          MinimalArgs().at(info.name))));
    auto state = calcers[0]->Start(FeatureParams{Ts(kDateTo)});
    state->Grow(0);
    ASSERT_OK_AND_ASSIGN(CalcerOutput out, state->Finish(0));
    EXPECT_TRUE(out.present.empty());
    ASSERT_EQ(out.columns.size(), calcers[0]->OutputSchema().size());
    for (const Column& c : out.columns) EXPECT_EQ(c.size(), 0u);
  }
}

}  // namespace
}  // namespace upcamp
