#include "data/reference_schema.h"

#include <gtest/gtest.h>

#include <set>

#include "testing.h"

namespace upcamp {
namespace {

TEST(ReferenceSchema, FiveTablesWithUniqueColumns) {
  const auto& tables = ReferenceTables();
  ASSERT_EQ(tables.size(), 5u);
  EXPECT_EQ(ReferenceTableNames(), "client_profile, products, receipts, purchases, campaigns");
  for (const auto& t : tables) {
    std::set<std::string> names;
    for (const auto& f : t.schema) EXPECT_TRUE(names.insert(f.name).second) << t.name << f.name;
    EXPECT_FALSE(t.summary.empty());
    EXPECT_EQ(FindReferenceTable(t.name), &t);
  }
  EXPECT_EQ(FindReferenceTable("purchase"), nullptr);
}

TEST(ReferenceSchema, TypesFollowTheProductSpec) {
  // Identifiers are strings (hex ids, leading zeros kept).
  for (const char* t : {"client_profile", "receipts", "purchases", "campaigns"}) {
    EXPECT_EQ(ReferenceColumnType(t, "client_id"), DataType::kString) << t;
  }
  for (const char* c :
       {"product_id", "level_1", "level_4", "segment_id", "brand_id", "vendor_id"}) {
    EXPECT_EQ(ReferenceColumnType("products", c), DataType::kString) << c;
  }
  EXPECT_EQ(ReferenceColumnType("purchases", "store_id"), DataType::kString);
  EXPECT_EQ(ReferenceColumnType("receipts", "transaction_id"), DataType::kString);
  EXPECT_EQ(ReferenceColumnType("client_profile", "gender"), DataType::kString);
  // Dates.
  EXPECT_EQ(ReferenceColumnType("client_profile", "first_redeem_date"), DataType::kTimestamp);
  EXPECT_EQ(ReferenceColumnType("purchases", "transaction_datetime"), DataType::kTimestamp);
  EXPECT_EQ(ReferenceColumnType("campaigns", "treatment_date"), DataType::kTimestamp);
  // Numbers.
  EXPECT_EQ(ReferenceColumnType("client_profile", "age"), DataType::kInt64);
  EXPECT_EQ(ReferenceColumnType("products", "is_alcohol"), DataType::kInt64);
  EXPECT_EQ(ReferenceColumnType("campaigns", "treatment_flg"), DataType::kInt64);
  EXPECT_EQ(ReferenceColumnType("products", "netto"), DataType::kFloat64);
  EXPECT_EQ(ReferenceColumnType("purchases", "product_quantity"), DataType::kFloat64);
  EXPECT_EQ(ReferenceColumnType("receipts", "express_points_spent"), DataType::kFloat64);
  EXPECT_EQ(ReferenceColumnType("campaigns", "target_purchases_count"), DataType::kFloat64);
  EXPECT_EQ(ReferenceColumnType("campaigns", "nope"), std::nullopt);
  EXPECT_EQ(ReferenceColumnType("nope", "client_id"), std::nullopt);
}

TEST(ReferenceSchema, PurchasesCarryEveryReceiptColumn) {
  for (const auto& f : FindReferenceTable("receipts")->schema) {
    EXPECT_EQ(ReferenceColumnType("purchases", f.name), f.type) << f.name;
  }
}

}  // namespace
}  // namespace upcamp
