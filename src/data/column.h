#pragma once
// Typed columns of the in-memory columnar table. Values live in one contiguous std::vector per
// column; hot loops take a std::span over it (zero copy). Missing values are sentinels inside the
// data, so a loop needs no second validity buffer:
//   int64 / timestamp : kNullInt64 (INT64_MIN)
//   float64           : NaN (a CSV "nan" is therefore missing too, as in pandas)
//   string            : code kNullCode (-1); other codes index the column's StringDictionary
//   bool              : kNullBool (2); otherwise 0 / 1

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace upcamp {

enum class DataType : uint8_t {
  kInt64 = 0,
  kFloat64 = 1,
  kString = 2,     ///< dictionary-encoded
  kTimestamp = 3,  ///< int64 seconds since 1970-01-01 00:00:00, naive (see core/civil_time.h)
  kBool = 4,
};

/// "int64", "float64", "string", "timestamp", "bool" — the names used in configs and files.
const char* DataTypeName(DataType type);
/// Inverse of DataTypeName; also accepts "int", "float", "double", "str", "datetime", "date".
std::optional<DataType> ParseDataType(std::string_view name);

inline constexpr int64_t kNullInt64 = std::numeric_limits<int64_t>::min();
inline constexpr int32_t kNullCode = -1;
inline constexpr uint8_t kNullBool = 2;
inline constexpr double kNullFloat64 = std::numeric_limits<double>::quiet_NaN();

inline bool IsNullFloat64(double v) { return std::isnan(v); }

/// Distinct strings of a column, each with a dense code 0..size-1 in order of first insertion.
/// Codes are stable: adding never changes an existing code.
class StringDictionary {
 public:
  StringDictionary() = default;
  StringDictionary(const StringDictionary& other);
  StringDictionary& operator=(const StringDictionary& other);
  StringDictionary(StringDictionary&&) noexcept = default;
  StringDictionary& operator=(StringDictionary&&) noexcept = default;

  /// Code of `value`, adding it if new.
  int32_t GetOrAdd(std::string_view value);
  /// Code of `value`, or kNullCode if absent.
  int32_t Find(std::string_view value) const;
  std::string_view Get(int32_t code) const { return values_[static_cast<size_t>(code)]; }
  int32_t size() const { return static_cast<int32_t>(values_.size()); }
  void Reserve(size_t n) { index_.reserve(n); }

 private:
  std::deque<std::string> values_;  // deque: element addresses are stable, index_ views into them
  std::unordered_map<std::string_view, int32_t> index_;
};

class Column {
 public:
  Column() = default;

  static Column Int64(std::string name, std::vector<int64_t> values);
  static Column Float64(std::string name, std::vector<double> values);
  static Column Timestamp(std::string name, std::vector<int64_t> seconds);
  static Column Bool(std::string name, std::vector<uint8_t> values);
  static Column String(std::string name, std::vector<int32_t> codes,
                       std::shared_ptr<StringDictionary> dictionary);
  /// Dictionary-encodes `values`; std::nullopt entries are missing.
  static Column StringFromValues(std::string name,
                                 const std::vector<std::optional<std::string>>& values);
  /// An all-missing column of a type.
  static Column Nulls(std::string name, DataType type, size_t size);

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  DataType type() const { return type_; }
  size_t size() const;

  // Zero-copy typed access. Each asserts the column's type (int64s() serves kInt64 and kTimestamp).
  std::span<const int64_t> int64s() const;
  std::span<const double> float64s() const;
  std::span<const int32_t> codes() const;
  std::span<const uint8_t> bools() const;
  const StringDictionary& dictionary() const;
  const std::shared_ptr<StringDictionary>& shared_dictionary() const { return dictionary_; }

  std::vector<int64_t>& mutable_int64s();
  std::vector<double>& mutable_float64s();
  std::vector<int32_t>& mutable_codes();
  std::vector<uint8_t>& mutable_bools();

  bool IsNull(size_t row) const;
  size_t NullCount() const;
  /// Numeric view of one value: int64/timestamp/bool as double, float64 as is, NaN if missing.
  /// Strings: NaN (use dictionary()).
  double AsDouble(size_t row) const;
  /// The value as CSV text would show it ("" if missing; timestamps as YYYY-MM-DD HH:MM:SS;
  /// floats shortest round-trip; bools 0/1).
  std::string ValueToString(size_t row) const;

  /// Rows `rows` (in that order) as a new column; a string column shares the dictionary.
  Column Take(std::span<const int64_t> rows) const;

 private:
  std::string name_;
  DataType type_ = DataType::kInt64;
  std::variant<std::vector<int64_t>, std::vector<double>, std::vector<int32_t>,
               std::vector<uint8_t>>
      data_;
  std::shared_ptr<StringDictionary> dictionary_;  // kString only
};

/// Shortest text that parses back to exactly `v` ("nan"-free: NaN gives ""), locale-independent.
/// Writes into `out` (needs 32 bytes); returns the end pointer.
char* FormatDouble(double v, char* out);
std::string FormatDouble(double v);

}  // namespace upcamp
