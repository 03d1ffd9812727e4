#include "data/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "core/civil_time.h"
#include "data/csv_writer.h"
#include "data/ucol.h"
#include "testing.h"

namespace upcamp {
namespace {

using ::upcamp::testing::TempDir;

constexpr const char* kProfileCsv =
    "client_id,first_issue_date,first_redeem_date,age,gender\n"
    "000012768d,2017-08-05 15:40:48,2018-01-04 19:30:07,45,U\n"
    "000036f903,2017-04-10 13:54:23,,72,F\n"
    "0001,2018-01-01,,7,M\n";

constexpr const char* kPurchasesHeader =
    "client_id,transaction_id,transaction_datetime,regular_points_received,"
    "express_points_received,regular_points_spent,express_points_spent,purchase_sum,store_id,"
    "product_id,product_quantity,trn_sum_from_iss,trn_sum_from_red\n";

// Two clients share transaction id 7e3e2e3984 (receipts are keyed by the pair); the lines of
// receipt (00001f0b4e, 7e3e2e3984) are not adjacent; the second line of (000012768d, b1b2)
// disagrees on purchase_sum.
constexpr const char* kPurchasesRows =
    "000012768d,7e3e2e3984,2018-12-01 07:12:45,10.0,0.0,0.0,0.0,100.5,54a4a11a29,9a80204f78,1.0,"
    "50.25,\n"
    "000012768d,7e3e2e3984,2018-12-01 07:12:45,10.0,0.0,0.0,0.0,100.5,54a4a11a29,439498bce2,2.0,"
    "50.25,\n"
    "00001f0b4e,7e3e2e3984,2019-01-02 10:00:00,0.5,0,-20,0,30,0001,9a80204f78,1,10,20\n"
    "000012768d,b1b2,2019-01-05 12:00:00,1,0,0,-5,40,54a4a11a29,9a80204f78,1,,\n"
    "00001f0b4e,7e3e2e3984,2019-01-02 10:00:00,0.5,0,-20,0,30,0001,439498bce2,3,15,\n"
    "000012768d,b1b2,2019-01-05 12:00:00,1,0,0,-5,41,54a4a11a29,aaa,1,,\n";

// Hand-computed from the rows above.
constexpr const char* kExpectedReceipts =
    "client_id,transaction_id,transaction_datetime,regular_points_received,"
    "express_points_received,regular_points_spent,express_points_spent,purchase_sum,store_id,"
    "trn_sum_from_iss,trn_sum_from_red\n"
    "000012768d,7e3e2e3984,2018-12-01 07:12:45,10,0,0,0,100.5,54a4a11a29,100.5,\n"
    "00001f0b4e,7e3e2e3984,2019-01-02 10:00:00,0.5,0,-20,0,30,0001,25,20\n"
    "000012768d,b1b2,2019-01-05 12:00:00,1,0,0,-5,40,54a4a11a29,,\n";

// A folder with data/ files and a catalog at the top, referring to them by relative paths.
struct Fixture {
  TempDir dir;
  std::string catalog;
  Fixture() {
    std::filesystem::create_directories(dir.File("data"));
    dir.Write("data/client_profile.csv", kProfileCsv);
    dir.Write("data/purchases.csv", std::string(kPurchasesHeader) + kPurchasesRows);
    catalog = dir.Write("catalog.yaml",
                        "description: test data\n"
                        "tables:\n"
                        "  client_profile: data/client_profile.csv\n"
                        "  purchases: {path: ./data/purchases.csv}\n");
  }
};

// Read options without progress output.
CatalogReadOptions Quiet(std::vector<std::string> columns = {}, int threads = 1) {
  CatalogReadOptions o;
  o.columns = std::move(columns);
  o.threads = threads;
  o.progress = false;
  return o;
}

Status LoadError(const TempDir& dir, const std::string& yaml) {
  const std::string path = dir.Write("bad.yaml", yaml);
  auto r = Catalog::Load(path);
  return r.ok() ? Status::Ok() : r.status();
}

TEST(Catalog, RelativePathsResolveAgainstTheCatalogFolder) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(f.catalog));
  EXPECT_EQ(c.description(), "test data");
  ASSERT_OK_AND_ASSIGN(std::string p, c.TablePath("client_profile"));
  EXPECT_EQ(p, f.dir.File("data/client_profile.csv"));
  ASSERT_OK_AND_ASSIGN(std::string q, c.TablePath("purchases"));
  EXPECT_EQ(q, f.dir.File("data/purchases.csv"));  // "./" normalized away
  // Listed tables in file order, then the derived receipts.
  ASSERT_EQ(c.tables().size(), 3u);
  EXPECT_EQ(c.tables()[0].name, "client_profile");
  EXPECT_EQ(c.tables()[1].name, "purchases");
  EXPECT_EQ(c.tables()[2].name, "receipts");
  EXPECT_TRUE(c.tables()[2].derived);
  EXPECT_FALSE(c.Has("campaigns"));
  ASSERT_OK_AND_ASSIGN(std::string r, c.TablePath("receipts"));
  EXPECT_EQ(r, q);
}

TEST(Catalog, LoadsFromAnotherWorkingDirectory) {
  Fixture f;
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(f.dir.path());
  auto c = Catalog::Load("catalog.yaml");  // relative catalog path: folder "."
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c->TablePath("client_profile"), "data/client_profile.csv");
}

TEST(Catalog, ReadsTablesWithReferenceTypes) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(f.catalog));
  ASSERT_OK_AND_ASSIGN(Table profile, c.ReadTable("client_profile", Quiet({}, 2)));
  ASSERT_EQ(profile.num_rows(), 3u);
  const Schema want = {{"client_id", DataType::kString},
                       {"first_issue_date", DataType::kTimestamp},
                       {"first_redeem_date", DataType::kTimestamp},
                       {"age", DataType::kInt64},
                       {"gender", DataType::kString}};
  EXPECT_EQ(profile.schema(), want);
  EXPECT_EQ(profile.column(0).ValueToString(2), "0001");  // a string: leading zeros kept
  EXPECT_EQ(profile.column(1).ValueToString(2), "2018-01-01 00:00:00");
  EXPECT_TRUE(profile.column(2).IsNull(1));

  ASSERT_OK_AND_ASSIGN(Table some, c.ReadTable("purchases", Quiet({"store_id", "client_id"})));
  ASSERT_EQ(some.num_columns(), 2u);
  EXPECT_EQ(some.column(0).name(), "store_id");
  EXPECT_EQ(some.column(0).ValueToString(2), "0001");

  auto missing = c.ReadTable("campaigns");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("catalog has no table 'campaigns'"), std::string::npos)
      << missing.status().message();
}

TEST(Catalog, DerivesReceiptsFromPurchases) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(f.catalog));
  ASSERT_OK_AND_ASSIGN(Table receipts, c.ReadTable("receipts", Quiet()));
  EXPECT_EQ(TableToCsvString(receipts), kExpectedReceipts);
  EXPECT_EQ(receipts.schema(), (Schema{{"client_id", DataType::kString},
                                       {"transaction_id", DataType::kString},
                                       {"transaction_datetime", DataType::kTimestamp},
                                       {"regular_points_received", DataType::kFloat64},
                                       {"express_points_received", DataType::kFloat64},
                                       {"regular_points_spent", DataType::kFloat64},
                                       {"express_points_spent", DataType::kFloat64},
                                       {"purchase_sum", DataType::kFloat64},
                                       {"store_id", DataType::kString},
                                       {"trn_sum_from_iss", DataType::kFloat64},
                                       {"trn_sum_from_red", DataType::kFloat64}}));

  // A subset, in the order asked; ScanTable serves the same.
  const CatalogReadOptions opts = Quiet({"trn_sum_from_iss", "purchase_sum"});
  ASSERT_OK_AND_ASSIGN(Table part, c.ReadTable("receipts", opts));
  EXPECT_EQ(TableToCsvString(part), "trn_sum_from_iss,purchase_sum\n100.5,100.5\n25,30\n,40\n");
  size_t rows = 0;
  ASSERT_OK(c.ScanTable("receipts", opts, [&](const Table& batch) {
    rows += batch.num_rows();
    return Status::Ok();
  }));
  EXPECT_EQ(rows, 3u);

  auto bad = c.ReadTable("receipts", Quiet({"product_id"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no column 'product_id'"), std::string::npos);
}

TEST(Catalog, ListedReceiptsAreReadNotDerived) {
  Fixture f;
  f.dir.Write("data/receipts.csv", kExpectedReceipts);
  const std::string cat = f.dir.Write("with_receipts.yaml",
                                      "tables:\n"
                                      "  purchases: data/purchases.csv\n"
                                      "  receipts: data/receipts.csv\n");
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(cat));
  EXPECT_FALSE(c.Find("receipts")->derived);
  ASSERT_OK_AND_ASSIGN(Table r, c.ReadTable("receipts", Quiet()));
  EXPECT_EQ(TableToCsvString(r), kExpectedReceipts);
}

TEST(Catalog, ReceiptsBuilderCountsDisagreeingLinesAndWorksAcrossBatches) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(f.catalog));
  ASSERT_OK_AND_ASSIGN(Table purchases, c.ReadTable("purchases", Quiet()));
  // The same lines fed as three batches sharing dictionaries (as ReadCsvBatches does).
  ReceiptsBuilder builder({});
  for (int64_t b = 0; b < 3; ++b) {
    const std::vector<int64_t> rows = {2 * b, 2 * b + 1};
    ASSERT_OK(builder.Add(purchases.TakeRows(rows)));
  }
  ASSERT_OK_AND_ASSIGN(Table receipts, builder.Finish());
  EXPECT_EQ(TableToCsvString(receipts), kExpectedReceipts);
  EXPECT_EQ(builder.mismatches("purchase_sum"), 1u);
  EXPECT_EQ(builder.mismatches("store_id"), 0u);
}

TEST(Catalog, PurchaseLineWithoutTransactionIdIsADataError) {
  ASSERT_OK_AND_ASSIGN(
      Table purchases,
      Table::Make({Column::StringFromValues("client_id", {"a", "a"}),
                   Column::StringFromValues("transaction_id", {"t1", std::nullopt}),
                   Column::Float64("trn_sum_from_iss", {1.0, 2.0})}));
  auto r = DeriveReceipts(purchases, {"client_id", "trn_sum_from_iss"}, "p.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("p.csv: missing transaction_id at data row 2"),
            std::string::npos)
      << r.status().message();
}

TEST(Catalog, ReceiptSumsAreCompensatedLikePandas) {
  // Receipt t1: ten lines of 0.1 (a naive sum gives 0.9999999999999999; pandas' Kahan sum 1).
  // Receipt t2: 0.1, 0.2, 0.3 (naive 0.6000000000000001, Kahan 0.6). Receipt t3: an infinite
  // amount stays infinite.
  std::vector<std::optional<std::string>> clients, txns;
  std::vector<double> iss;
  for (int i = 0; i < 10; ++i) {
    clients.push_back("a");
    txns.push_back("t1");
    iss.push_back(0.1);
  }
  for (double v : {0.1, 0.2, 0.3}) {
    clients.push_back("a");
    txns.push_back("t2");
    iss.push_back(v);
  }
  for (double v : {1.0, std::numeric_limits<double>::infinity(), 2.0}) {
    clients.push_back("b");
    txns.push_back("t3");
    iss.push_back(v);
  }
  ASSERT_OK_AND_ASSIGN(Table purchases,
                       Table::Make({Column::StringFromValues("client_id", clients),
                                    Column::StringFromValues("transaction_id", txns),
                                    Column::Float64("trn_sum_from_iss", iss)}));
  ASSERT_OK_AND_ASSIGN(Table r, DeriveReceipts(purchases, {"trn_sum_from_iss"}));
  ASSERT_EQ(r.num_rows(), 3u);
  EXPECT_EQ(r.column(0).float64s()[0], 1.0);
  EXPECT_EQ(r.column(0).float64s()[1], 0.6);
  EXPECT_EQ(r.column(0).float64s()[2], std::numeric_limits<double>::infinity());
}

TEST(Catalog, EmptyPurchasesGiveEmptyTypedReceipts) {
  TempDir dir;
  dir.Write("purchases.csv", kPurchasesHeader);
  const std::string cat = dir.Write("catalog.yaml", "tables: {purchases: purchases.csv}\n");
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(cat));
  ASSERT_OK_AND_ASSIGN(Table r, c.ReadTable("receipts", Quiet()));
  EXPECT_EQ(r.num_rows(), 0u);
  EXPECT_EQ(r.num_columns(), 11u);
  EXPECT_EQ(r.column(2).type(), DataType::kTimestamp);
}

TEST(Catalog, UnknownKeysNameTheKeyFileAndLine) {
  TempDir dir;
  dir.Write("p.csv", kPurchasesHeader);
  Status st = LoadError(dir,
                        "tables:\n"
                        "  purchases: p.csv\n"
                        "tabels: {}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("bad.yaml:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown key 'tabels'"), std::string::npos) << st.message();

  st = LoadError(dir,
                 "tables:\n"
                 "  purchases: {path: p.csv,\n"
                 "              delimeter: ';'}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("bad.yaml:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown key 'delimeter'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("did you mean 'delimiter'"), std::string::npos) << st.message();

  st = LoadError(dir,
                 "tables:\n"
                 "\n"
                 "  purchase: p.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("bad.yaml:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown table 'purchase'; did you mean 'purchases'?"),
            std::string::npos)
      << st.message();

  st = LoadError(dir, "tables:\n  purchases: {path: p.csv, delimiter: ';;'}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("delimiter must be one character"), std::string::npos)
      << st.message();

  st = LoadError(dir, "- purchases\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  st = LoadError(dir, "description: x\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'tables'"), std::string::npos) << st.message();
}

TEST(Catalog, MissingFilesAreClearErrors) {
  TempDir dir;
  const Status st = LoadError(dir,
                              "tables:\n"
                              "  campaigns: nowhere/campaigns.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("bad.yaml:2:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(dir.File("nowhere/campaigns.csv") + "' does not exist"),
            std::string::npos)
      << st.message();

  auto none = Catalog::Load(dir.File("no-catalog.yaml"));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no-catalog.yaml"), std::string::npos);
}

TEST(Catalog, UcolTablesAreReadAndTypeChecked) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(Table good, Table::Make({Column::StringFromValues("client_id", {"a", "b"}),
                                                Column::Int64("age", {30, kNullInt64})}));
  ASSERT_OK(WriteUcol(good, dir.File("profile.ucol")));
  ASSERT_OK_AND_ASSIGN(Table bad, Table::Make({Column::StringFromValues("client_id", {"a"}),
                                               Column::Float64("age", {30.5})}));
  ASSERT_OK(WriteUcol(bad, dir.File("bad_profile.ucol")));
  const std::string cat = dir.Write("catalog.yaml", "tables: {client_profile: profile.ucol}\n");
  ASSERT_OK_AND_ASSIGN(Catalog c, Catalog::Load(cat));
  ASSERT_OK_AND_ASSIGN(Table t, c.ReadTable("client_profile", Quiet({"age"})));
  EXPECT_EQ(t.column(0).int64s()[0], 30);

  const std::string cat2 = dir.Write("bad.yaml", "tables: {client_profile: bad_profile.ucol}\n");
  ASSERT_OK_AND_ASSIGN(Catalog c2, Catalog::Load(cat2));
  auto r = c2.ReadTable("client_profile");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("column 'age' is float64, but the reference schema of "
                                      "'client_profile' says int64"),
            std::string::npos)
      << r.status().message();
}

// keep_rows gives the same rows from a CSV file (filtered while parsing), a .ucol file and the
// receipts derived from purchases (both filtered after reading), and counts what it dropped.
TEST(Catalog, KeepRowsFiltersEveryKindOfTable) {
  Fixture f;
  ASSERT_OK_AND_ASSIGN(Catalog csv, Catalog::Load(f.catalog));
  ASSERT_OK_AND_ASSIGN(Table all, csv.ReadTable("purchases", Quiet()));
  ASSERT_OK(WriteUcol(all, f.dir.File("data/purchases.ucol")));
  const std::string ucol_catalog =
      f.dir.Write("ucol.yaml", "tables: {purchases: data/purchases.ucol}\n");
  ASSERT_OK_AND_ASSIGN(Catalog ucol, Catalog::Load(ucol_catalog));
  const std::vector<std::string> columns = {"client_id", "transaction_datetime", "product_id"};
  for (const Catalog* c : {&csv, &ucol}) {
    CatalogReadOptions o = Quiet(columns);
    // [2019-01-01, 2019-01-05 12:00:00): the two lines of 2019-01-02, not those of 2018-12-01 or
    // the two at exactly the end.
    o.keep_rows = RowTimeRange{"transaction_datetime", ParseTimestamp("2019-01-01").value(),
                               ParseTimestamp("2019-01-05 12:00:00").value()};
    uint64_t dropped = 0;
    o.rows_dropped = &dropped;
    ASSERT_OK_AND_ASSIGN(Table t, c->ReadTable("purchases", o));
    ASSERT_EQ(t.num_rows(), 2u) << c->path();
    EXPECT_EQ(t.column(0).ValueToString(0), "00001f0b4e");
    EXPECT_EQ(t.column(2).ValueToString(0), "9a80204f78");
    EXPECT_EQ(t.column(2).ValueToString(1), "439498bce2");
    EXPECT_EQ(dropped, 4u) << c->path();
    size_t scanned = 0;
    ASSERT_OK(c->ScanTable("purchases", o, [&](const Table& b) {
      scanned += b.num_rows();
      return Status::Ok();
    }));
    EXPECT_EQ(scanned, 2u) << c->path();

    // The derived receipts: filtered as receipts (3 of them; 1 in the range).
    CatalogReadOptions r = Quiet({"client_id", "transaction_datetime", "purchase_sum"});
    r.keep_rows = o.keep_rows;
    r.rows_dropped = &dropped;
    ASSERT_OK_AND_ASSIGN(Table receipts, c->ReadTable("receipts", r));
    ASSERT_EQ(receipts.num_rows(), 1u) << c->path();
    EXPECT_EQ(receipts.column(2).ValueToString(0), "30");
    EXPECT_EQ(dropped, 2u) << c->path();
  }
  CatalogReadOptions unread = Quiet({"client_id"});
  unread.keep_rows = RowTimeRange{"transaction_datetime", 0, 1};
  auto r = csv.ReadTable("purchases", unread);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("keep_rows: column 'transaction_datetime' must be one of"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace upcamp
