#pragma once
// The reference schema (PRODUCT.md §2, the X5 RetailHero layout): the five tables a catalog may
// name and the declared type of each of their columns. The catalog hands these types to the CSV
// reader, so every file of a table is parsed the same way whatever its values look like (a
// column of ids that happen to be digits stays a string, leading zeros included).
//
// Type choices
// - Identifiers are strings: client_id, transaction_id, product_id, store_id, level_1..level_4,
//   segment_id, brand_id, vendor_id (X5 uses hex strings; integer ids work too), and gender.
// - Dates and datetimes are timestamps (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`).
// - Money, points, quantities and netto are float64.
// - Flags (is_own_trademark, is_alcohol, treatment_flg) are int64 0/1, and age is int64.
// - target_purchases_count is float64: a count, but exports from dataframes often write it as
//   "3.0" (pandas turns an integer column with missing values into floats), and every consumer
//   (targets, expressions, metrics) uses it as a number anyway. Its values stay exact integers.
// Columns of a file that the schema does not list are read with inferred types.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/table.h"

namespace upcamp {

/// One table of the reference schema.
struct ReferenceTable {
  std::string name;     ///< "client_profile", "products", "receipts", "purchases", "campaigns"
  std::string summary;  ///< one line, for --help and docs
  Schema schema;        ///< columns in the reference order
};

/// The five reference tables, in the order above.
const std::vector<ReferenceTable>& ReferenceTables();

/// The table named `name`, or nullptr.
const ReferenceTable* FindReferenceTable(std::string_view name);

/// The declared type of `column` in `table`, or nullopt if either is not in the schema.
std::optional<DataType> ReferenceColumnType(std::string_view table, std::string_view column);

/// "client_profile, products, receipts, purchases, campaigns" — for error messages.
std::string ReferenceTableNames();

/// Column names shared by the reference tables.
namespace refcol {
inline constexpr std::string_view kClientId = "client_id";
inline constexpr std::string_view kTransactionId = "transaction_id";
inline constexpr std::string_view kTransactionDatetime = "transaction_datetime";
inline constexpr std::string_view kTrnSumFromIss = "trn_sum_from_iss";
inline constexpr std::string_view kTrnSumFromRed = "trn_sum_from_red";
}  // namespace refcol

}  // namespace upcamp
