#include "features/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "core/civil_time.h"
#include "data/csv_writer.h"
#include "features/registry.h"
#include "testing.h"

namespace upcamp {
namespace {

const double kNaN = std::nan("");

int64_t Ts(const char* s) {
  return ParseTimestamp(s).value();
}

Table Receipts() {
  // client, datetime, purchase_sum, regular_spent, express_spent, trn_sum_from_red
  return Table::Make({Column::StringFromValues("client_id", {"A", "A", "A", "A", "B", "D", "E"}),
                      Column::Timestamp("transaction_datetime",
                                        {Ts("2019-03-17 00:00:00"),  // at date_from: inside
                                         Ts("2019-03-18 12:00:00"),  // inside
                                         Ts("2019-03-19 00:00:00"),  // at date_to: outside
                                         Ts("2019-03-16 23:59:59"),  // before the window
                                         Ts("2019-03-18 06:00:00"), Ts("2019-01-01 10:00:00"),
                                         Ts("2019-03-18 18:00:00")}),
                      Column::Float64("purchase_sum", {100, 50, 999, 999, 30, 10, 5}),
                      Column::Float64("regular_points_spent", {-10, 0, -1, -1, 0, 0, kNaN}),
                      Column::Float64("express_points_spent", {0, -5, -1, -1, 0, 0, -3}),
                      Column::Float64("trn_sum_from_red", {kNaN, 20, 7, 7, kNaN, kNaN, kNaN})})
      .value();
}

Table Profile() {
  return Table::Make({Column::StringFromValues("client_id", {"A", "C", "B", "E"}),
                      Column::Int64("age", {30, -7491, 1901, kNullInt64}),
                      Column::StringFromValues("gender", {"F", "U", "M", std::nullopt})})
      .value();
}

std::vector<std::unique_ptr<Calcer>> Config(const std::string& yaml) {
  auto node = ConfigNode::Parse(yaml, "features.yaml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  auto calcers = MakeCalcers(*node);
  EXPECT_TRUE(calcers.ok()) << calcers.status().ToString();
  return std::move(calcers).value();
}

Result<Table> RunFeatures(const std::string& yaml, int threads, size_t batch_rows,
                          std::optional<std::vector<std::string>> clients = std::nullopt) {
  InMemorySource source(batch_rows);
  source.Set(SourceTable::kReceipts, Receipts());
  source.Set(SourceTable::kClientProfile, Profile());
  ExtractOptions opt;
  opt.params.date_to = Ts("2019-03-19 00:00:00");
  opt.clients = std::move(clients);
  Context ctx;
  ctx.threads = threads;
  return ExtractFeatures(Config(yaml), source, opt, ctx);
}

double Get(const Table& t, const std::string& col, size_t row) {
  return t.FindColumn(col)->AsDouble(row);
}

void ExpectCell(const Table& t, const std::string& col, size_t row, double want) {
  ASSERT_NE(t.FindColumn(col), nullptr) << col;
  const double got = Get(t, col, row);
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << col << "[" << row << "] = " << got;
  } else {
    EXPECT_DOUBLE_EQ(got, want) << col << "[" << row << "]";
  }
}

constexpr const char* kBasic = "[{name: receipts_basic, args: {delta: 2}}, {name: age_gender}]";

TEST(FeatureEngine, ReceiptsBasicGolden) {
  ASSERT_OK_AND_ASSIGN(Table t, RunFeatures(kBasic, 1, 1 << 20));
  // Outer join, client_profile order; D only has receipts outside the window: no row.
  ASSERT_EQ(t.num_rows(), 4u);
  EXPECT_EQ(t.column(0).ValueToString(0), "A");
  EXPECT_EQ(t.column(0).ValueToString(1), "C");
  EXPECT_EQ(t.column(0).ValueToString(2), "B");
  EXPECT_EQ(t.column(0).ValueToString(3), "E");
  // A: two receipts inside [03-17 00:00, 03-19 00:00).
  ExpectCell(t, "transaction_id_count__2d", 0, 2);
  ExpectCell(t, "purchase_sum_sum__2d", 0, 150);
  ExpectCell(t, "purchase_sum_max__2d", 0, 100);
  ExpectCell(t, "purchase_sum_min__2d", 0, 50);
  ExpectCell(t, "purchase_sum_mean__2d", 0, 75);
  ExpectCell(t, "regular_points_spent_sum__2d", 0, -10);
  ExpectCell(t, "regular_points_spent_max__2d", 0, 0);
  ExpectCell(t, "express_points_spent_sum__2d", 0, -5);
  ExpectCell(t, "express_points_spent_max__2d", 0, 0);
  EXPECT_EQ(t.FindColumn("transaction_datetime_min__2d")->ValueToString(0), "2019-03-17 00:00:00");
  EXPECT_EQ(t.FindColumn("transaction_datetime_max__2d")->ValueToString(0), "2019-03-18 12:00:00");
  ExpectCell(t, "trn_sum_from_red_sum__2d", 0, 20);
  ExpectCell(t, "trn_sum_from_red_max__2d", 0, 20);
  ExpectCell(t, "trn_sum_from_red_mean__2d", 0, 20);
  ExpectCell(t, "points_spent_flag_sum__2d", 0, 2);          // -10+0 < 0 and 0-5 < 0
  ExpectCell(t, "express_points_spent_flag_sum__2d", 0, 1);  // only -5
  ExpectCell(t, "mean_time_interval__2d", 0, 1.5);           // 36 h / (2 - 1)
  ExpectCell(t, "time_since_last__2d", 0, 0.5);              // 12 h before date_to
  // C: in the profile, no receipts: every receipts column missing, the profile columns present.
  ExpectCell(t, "transaction_id_count__2d", 1, kNaN);
  ExpectCell(t, "purchase_sum_sum__2d", 1, kNaN);
  ExpectCell(t, "age", 1, -7491);
  EXPECT_EQ(t.FindColumn("gender")->ValueToString(1), "U");
  // B: a single receipt; trn_sum_from_red all missing → sum 0, max/mean missing.
  ExpectCell(t, "transaction_id_count__2d", 2, 1);
  ExpectCell(t, "trn_sum_from_red_sum__2d", 2, 0);
  ExpectCell(t, "trn_sum_from_red_max__2d", 2, kNaN);
  ExpectCell(t, "trn_sum_from_red_mean__2d", 2, kNaN);
  ExpectCell(t, "mean_time_interval__2d", 2, kNaN);
  ExpectCell(t, "time_since_last__2d", 2, 0.75);
  ExpectCell(t, "age", 2, 1901);
  // E: regular points missing → the combined flag is not raised (NaN < 0 is false).
  ExpectCell(t, "points_spent_flag_sum__2d", 3, 0);
  ExpectCell(t, "express_points_spent_flag_sum__2d", 3, 1);
  ExpectCell(t, "regular_points_spent_sum__2d", 3, 0);
  ExpectCell(t, "regular_points_spent_max__2d", 3, kNaN);
  ExpectCell(t, "age", 3, kNaN);
  EXPECT_TRUE(t.FindColumn("gender")->IsNull(3));
}

TEST(FeatureEngine, SameResultForAnyThreadsAndBatchSize) {
  ASSERT_OK_AND_ASSIGN(Table ref, RunFeatures(kBasic, 1, 1 << 20));
  for (int threads : {2, 3}) {
    for (size_t batch : {size_t{1}, size_t{2}, size_t{5}}) {
      ASSERT_OK_AND_ASSIGN(Table t, RunFeatures(kBasic, threads, batch));
      ASSERT_EQ(t.num_rows(), ref.num_rows());
      ASSERT_EQ(t.ColumnNames(), ref.ColumnNames());
      for (size_t c = 0; c < t.num_columns(); ++c) {
        for (size_t r = 0; r < t.num_rows(); ++r) {
          EXPECT_EQ(t.column(c).ValueToString(r), ref.column(c).ValueToString(r))
              << t.column(c).name() << " row " << r << " threads " << threads << " batch " << batch;
        }
      }
    }
  }
}

TEST(FeatureEngine, ClientListGivesExactlyThoseRows) {
  ASSERT_OK_AND_ASSIGN(Table t, RunFeatures(kBasic, 2, 2, std::vector<std::string>{"E", "Z", "A"}));
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column(0).ValueToString(0), "E");
  EXPECT_EQ(t.column(0).ValueToString(1), "Z");
  EXPECT_EQ(t.column(0).ValueToString(2), "A");
  ExpectCell(t, "transaction_id_count__2d", 1, kNaN);  // unknown client: all missing
  ExpectCell(t, "age", 1, kNaN);
  ExpectCell(t, "transaction_id_count__2d", 2, 2);
  ExpectCell(t, "age", 2, 30);
}

TEST(FeatureEngine, ConfigErrors) {
  auto dup = RunFeatures(
      "[{name: receipts_basic, args: {delta: 2}}, {name: receipts_basic, args: {delta: 2}}]", 1,
      10);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("produced twice"), std::string::npos);

  auto node = ConfigNode::Parse("- {name: receipts_basik, args: {delta: 2}}\n", "f.yaml").value();
  auto unknown = MakeCalcers(node);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown calcer 'receipts_basik' (known: "),
            std::string::npos);
  EXPECT_NE(unknown.status().message().find("f.yaml:1:3"), std::string::npos);

  auto bad_arg = MakeCalcers(
      ConfigNode::Parse("- {name: receipts_basic, args: {delta: 2, dleta: 3}}\n", "f.yaml")
          .value());
  ASSERT_FALSE(bad_arg.ok());
  EXPECT_NE(bad_arg.status().message().find("unknown key 'dleta'"), std::string::npos);

  auto no_delta = MakeCalcers(ConfigNode::Parse("- {name: receipts_basic}\n", "f.yaml").value());
  ASSERT_FALSE(no_delta.ok());
  EXPECT_NE(no_delta.status().message().find("missing required argument 'delta'"),
            std::string::npos);

  InMemorySource empty;
  ExtractOptions opt;
  auto missing = ExtractFeatures(Config(kBasic), empty, opt, Context{});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no table 'client_profile'"), std::string::npos);
}

TEST(FeatureEngine, DuplicateProfileClientIsADataError) {
  InMemorySource source;
  source.Set(
      SourceTable::kClientProfile,
      Table::Make({Column::StringFromValues("client_id", {"A", "A"}), Column::Int64("age", {1, 2}),
                   Column::StringFromValues("gender", {"F", "F"})})
          .value());
  auto r = ExtractFeatures(Config("[{name: age_gender}]"), source, ExtractOptions{}, Context{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("'A' appears more than once"), std::string::npos);
}

// A calcer that records what the engine hands it: whether every row of a Consume call belongs to
// that call's partition, and how many rows each client got. It may declare a time range.
class ProbeState : public CalcerState {
 public:
  ProbeState(std::string column, std::optional<RowTimeRange> range)
      : column_(std::move(column)), range_(std::move(range)) {}
  void Grow(size_t n) override { rows_.resize(n, 0); }
  std::optional<RowTimeRange> RowsUsed(SourceTable) const override { return range_; }
  Status Consume(SourceTable, const BatchRows& rows) override {
    for (uint32_t r : rows.rows) {
      const int32_t c = rows.client[r];
      if (c < 0 || PartitionOf(c, rows.num_partitions) != rows.partition) {
        ++wrong_partition_;
        continue;
      }
      ++rows_[static_cast<size_t>(c)];
    }
    return Status::Ok();
  }
  Result<CalcerOutput> Finish(size_t n) override {
    rows_.resize(n, 0);
    CalcerOutput out;
    out.present.assign(n, 1);
    out.columns.push_back(Column::Int64(column_, rows_));
    out.columns.push_back(
        Column::Int64(column_ + "_wrong", std::vector<int64_t>(n, wrong_partition_.load())));
    return out;
  }

 private:
  std::string column_;
  std::optional<RowTimeRange> range_;
  std::vector<int64_t> rows_;
  std::atomic<int64_t> wrong_partition_{0};
};

class ProbeCalcer : public Calcer {
 public:
  ProbeCalcer(std::string column, std::optional<RowTimeRange> range)
      : column_(std::move(column)), range_(std::move(range)) {}
  const std::string& name() const override {
    static const std::string kName = "probe";
    return kName;
  }
  nlohmann::json args() const override { return nlohmann::json::object(); }
  std::vector<TableInput> Inputs() const override {
    return {{SourceTable::kReceipts, {"transaction_datetime"}}};
  }
  Schema OutputSchema() const override {
    return {{column_, DataType::kInt64}, {column_ + "_wrong", DataType::kInt64}};
  }
  std::unique_ptr<CalcerState> Start(const FeatureParams&) const override {
    return std::make_unique<ProbeState>(column_, range_);
  }

 private:
  std::string column_;
  std::optional<RowTimeRange> range_;
};

TEST(FeatureEngine, PartitionsAndTimeRangesAsPromised) {
  // 1000 clients (c0, c1, ... in order of first appearance) with a receipt on each of days 0..4,
  // and c1000 only on day 0 (before every range: a client only while some reader uses every
  // row).
  std::vector<std::optional<std::string>> ids;
  std::vector<int64_t> times;
  for (int k = 0; k < 5; ++k) {
    for (int c = 0; c < 1000; ++c) {
      ids.push_back("c" + std::to_string(c));
      times.push_back(int64_t{86400} * k + c);
    }
    if (k == 0) {
      ids.push_back("c1000");
      times.push_back(5);
    }
  }
  InMemorySource source(777);
  source.Set(SourceTable::kReceipts, Table::Make({Column::StringFromValues("client_id", ids),
                                                  Column::Timestamp("transaction_datetime", times)})
                                         .value());
  const RowTimeRange days_1_2{"transaction_datetime", 86400, 3 * 86400};
  const RowTimeRange days_2_3{"transaction_datetime", 2 * 86400, 4 * 86400};
  // Rows each probe gets per client: all of them unless every reader has a range, then those in
  // the hull of the ranges.
  struct Case {
    std::optional<RowTimeRange> a, b;
    int64_t want;
  };
  const std::vector<Case> cases = {
      {days_1_2, std::nullopt, 5}, {days_1_2, days_2_3, 3}, {days_1_2, days_1_2, 2}};
  for (const Case& k : cases) {
    for (const int threads : {1, 2, 3, 4}) {
      std::vector<std::unique_ptr<Calcer>> calcers;
      calcers.push_back(std::make_unique<ProbeCalcer>("a", k.a));
      calcers.push_back(std::make_unique<ProbeCalcer>("b", k.b));
      Context ctx;
      ctx.threads = threads;
      ASSERT_OK_AND_ASSIGN(Table t, ExtractFeatures(calcers, source, ExtractOptions{}, ctx));
      const bool all_rows_used = k.want == 5;
      ASSERT_EQ(t.num_rows(), all_rows_used ? 1001u : 1000u);
      EXPECT_EQ(t.column(0).ValueToString(999), "c999");  // dense order: first appearance
      if (all_rows_used) {
        EXPECT_EQ(t.column(0).ValueToString(1000), "c1000");
      }
      for (const char* col : {"a", "b"}) {
        const auto seen = t.FindColumn(col)->int64s();
        for (size_t r = 0; r < 1000; ++r) {
          ASSERT_EQ(seen[r], k.want) << col << " client " << r << " threads " << threads;
        }
        if (all_rows_used) {
          EXPECT_EQ(seen[1000], 1) << col;
        }
        EXPECT_EQ(t.FindColumn(std::string(col) + "_wrong")->int64s()[0], 0)
            << col << " threads " << threads;
      }
    }
  }
}

// A CSV catalog leaves out the rows outside the calcers' ranges while parsing (their client ids
// are never looked up); an in-memory source hands over every row and the engine skips them.
// Either way the same table comes out, clients in order of first appearance among the rows used:
// F's first receipt is outside the window, so G (first used) comes before F; D has no used row.
TEST(FeatureEngine, CsvCatalogLeavesOutRowsOutsideTheRangesWithTheSameResult) {
  const Table receipts =
      Table::Make({Column::StringFromValues("client_id", {"F", "D", "G", "F", "A", "G"}),
                   Column::Timestamp("transaction_datetime",
                                     {Ts("2019-01-05 10:00:00"), Ts("2019-01-01 10:00:00"),
                                      Ts("2019-03-17 09:00:00"), Ts("2019-03-18 10:00:00"),
                                      Ts("2019-03-17 00:00:00"), Ts("2019-03-19 00:00:00")}),
                   Column::Float64("purchase_sum", {1, 2, 3, 4, 5, 6}),
                   Column::Float64("regular_points_spent", {0, 0, -1, 0, 0, 0}),
                   Column::Float64("express_points_spent", {0, 0, 0, -2, 0, 0}),
                   Column::Float64("trn_sum_from_red", {kNaN, kNaN, 3, kNaN, kNaN, kNaN})})
          .value();
  testing::TempDir dir;
  ASSERT_OK(WriteCsv(receipts, dir.path() + "/receipts.csv"));
  const std::string catalog_path = dir.Write("catalog.yaml", "tables: {receipts: receipts.csv}\n");
  ASSERT_OK_AND_ASSIGN(Catalog catalog, Catalog::Load(catalog_path));
  CatalogSource from_csv(catalog);
  InMemorySource in_memory(2);
  in_memory.Set(SourceTable::kReceipts, receipts);
  const std::string kWindow = "[{name: receipts_basic, args: {delta: 2}}]";
  ExtractOptions opt;
  opt.params.date_to = Ts("2019-03-19 00:00:00");
  for (int threads : {1, 2}) {
    Context ctx;
    ctx.threads = threads;
    ctx.quiet = true;
    ASSERT_OK_AND_ASSIGN(Table a, ExtractFeatures(Config(kWindow), from_csv, opt, ctx));
    ASSERT_OK_AND_ASSIGN(Table b, ExtractFeatures(Config(kWindow), in_memory, opt, ctx));
    ASSERT_EQ(a.num_rows(), 3u);
    ASSERT_EQ(b.num_rows(), 3u);
    for (size_t c = 0; c < a.num_columns(); ++c) {
      for (size_t r = 0; r < a.num_rows(); ++r) {
        EXPECT_EQ(a.column(c).ValueToString(r), b.column(c).ValueToString(r))
            << a.column(c).name() << " row " << r;
      }
    }
    EXPECT_EQ(a.column(0).ValueToString(0), "G");
    EXPECT_EQ(a.column(0).ValueToString(1), "F");
    EXPECT_EQ(a.column(0).ValueToString(2), "A");
    ExpectCell(a, "purchase_sum_sum__2d", 1, 4);  // F: only its receipt in the window
  }
}

}  // namespace
}  // namespace upcamp
