#include "data/reference_schema.h"

namespace upcamp {
namespace {

constexpr DataType kStr = DataType::kString;
constexpr DataType kTs = DataType::kTimestamp;
constexpr DataType kF64 = DataType::kFloat64;
constexpr DataType kI64 = DataType::kInt64;

std::vector<ReferenceTable> MakeTables() {
  return {
      {"client_profile",
       "one row per client: client_id, first_issue_date, first_redeem_date, age, gender",
       {{"client_id", kStr},
        {"first_issue_date", kTs},
        {"first_redeem_date", kTs},
        {"age", kI64},
        {"gender", kStr}}},
      {"products",
       "one row per product: category levels, segment, brand, vendor, netto, flags",
       {{"product_id", kStr},
        {"level_1", kStr},
        {"level_2", kStr},
        {"level_3", kStr},
        {"level_4", kStr},
        {"segment_id", kStr},
        {"brand_id", kStr},
        {"vendor_id", kStr},
        {"netto", kF64},
        {"is_own_trademark", kI64},
        {"is_alcohol", kI64}}},
      {"receipts",
       "one row per receipt (derived from purchases when absent)",
       {{"client_id", kStr},
        {"transaction_id", kStr},
        {"transaction_datetime", kTs},
        {"regular_points_received", kF64},
        {"express_points_received", kF64},
        {"regular_points_spent", kF64},
        {"express_points_spent", kF64},
        {"purchase_sum", kF64},
        {"store_id", kStr},
        {"trn_sum_from_iss", kF64},
        {"trn_sum_from_red", kF64}}},
      {"purchases",
       "one row per product line: the receipt columns plus product_id, product_quantity",
       {{"client_id", kStr},
        {"transaction_id", kStr},
        {"transaction_datetime", kTs},
        {"regular_points_received", kF64},
        {"express_points_received", kF64},
        {"regular_points_spent", kF64},
        {"express_points_spent", kF64},
        {"purchase_sum", kF64},
        {"store_id", kStr},
        {"product_id", kStr},
        {"product_quantity", kF64},
        {"trn_sum_from_iss", kF64},
        {"trn_sum_from_red", kF64}}},
      {"campaigns",
       "a past randomized campaign: treatment flag and date, outcomes",
       {{"client_id", kStr},
        {"treatment_flg", kI64},
        {"treatment_date", kTs},
        {"target_purchases_sum", kF64},
        {"target_purchases_count", kF64},
        {"target_campaign_points_spent", kF64}}},
  };
}

}  // namespace

const std::vector<ReferenceTable>& ReferenceTables() {
  static const std::vector<ReferenceTable> kTables = MakeTables();
  return kTables;
}

const ReferenceTable* FindReferenceTable(std::string_view name) {
  for (const auto& t : ReferenceTables()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<DataType> ReferenceColumnType(std::string_view table, std::string_view column) {
  const ReferenceTable* t = FindReferenceTable(table);
  if (t == nullptr) return std::nullopt;
  for (const auto& f : t->schema) {
    if (f.name == column) return f.type;
  }
  return std::nullopt;
}

std::string ReferenceTableNames() {
  std::string out;
  for (const auto& t : ReferenceTables()) {
    if (!out.empty()) out += ", ";
    out += t.name;
  }
  return out;
}

}  // namespace upcamp
