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
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
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

inline bool IsNullFloat64(double v) {
  return std::isnan(v);
}

/// An allocator whose vectors leave new elements uninitialized on resize(n) (default- instead of
/// value-initialization; other constructions are as usual). For buffers of plain values that are
/// written right after they grow, such as the CSV reader's output columns: zero-filling hundreds
/// of MB first writes every byte twice, and by the time the values are stored the zeros have left
/// the cache, so each store reads its line back from memory.
template <typename T>
class NoInitAllocator : public std::allocator<T> {
 public:
  template <typename U>
  struct rebind {
    using other = NoInitAllocator<U>;
  };
  NoInitAllocator() = default;
  template <typename U>
  NoInitAllocator(const NoInitAllocator<U>& /*other*/) noexcept {}

  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    std::construct_at(p, std::forward<Args>(args)...);
  }
};

/// Column storage that grows without zero-filling (see NoInitAllocator).
template <typename T>
using NoInitVector = std::vector<T, NoInitAllocator<T>>;

/// Distinct strings of a column, each with a dense code 0..size-1 in order of first insertion.
/// Codes are stable: adding never changes an existing code, and the views Get returns stay valid
/// for the dictionary's lifetime (the bytes are never moved).
///
/// Layout (built for dictionaries of millions of unique keys, such as transaction ids): the string
/// bytes live back to back in an arena of large chunks; a flat open-addressing table of 8-byte
/// slots (32-bit hash tag + code, linear probing, load <= 5/8) indexes them. A slot's position is
/// derived from its tag alone, so growing the table never touches or rehashes the strings.
class StringDictionary {
 public:
  StringDictionary() = default;
  StringDictionary(const StringDictionary& other);
  StringDictionary& operator=(const StringDictionary& other);
  StringDictionary(StringDictionary&&) noexcept = default;
  StringDictionary& operator=(StringDictionary&&) noexcept = default;

  /// The hash GetOrAdd and Find use: XXH3-64 of the bytes, equal to Hash64(value) of core/hash.h
  /// but compiled inline (it runs once per string field the CSV reader parses). A caller that
  /// already hashed a value with it (the CSV reader's per-block dictionaries) passes the hash on,
  /// so each value is hashed once.
  static uint64_t HashOf(std::string_view value);

  /// Code of `value`, adding it if new.
  int32_t GetOrAdd(std::string_view value) { return GetOrAdd(value, HashOf(value)); }
  /// Same, with `hash` == HashOf(value).
  int32_t GetOrAdd(std::string_view value, uint64_t hash);
  /// Code of `value`, or kNullCode if absent.
  int32_t Find(std::string_view value) const { return Find(value, HashOf(value)); }
  /// Same, with `hash` == HashOf(value).
  int32_t Find(std::string_view value, uint64_t hash) const;
  std::string_view Get(int32_t code) const {
    const uint64_t ref = refs_[static_cast<size_t>(code)];
    const size_t len = ref & kLongValue;
    if (len == 0) return {};
    const char* p = chunks_[ref >> kChunkShift].get() + ((ref >> kOffsetShift) & kOffsetMask);
    if (len == kLongValue) [[unlikely]]
      return LongValue(p);
    return {p, len};
  }
  int32_t size() const { return static_cast<int32_t>(refs_.size()); }
  /// Makes room for `n` values in total without regrowing the table.
  void Reserve(size_t n);
  /// Hints the CPU to fetch the table slot of `hash` (for batched inserts: prefetch a few values
  /// ahead, then GetOrAdd them in order).
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[SlotOf(Tag(hash))]);
  }

 private:
  struct Slot {
    uint32_t tag;
    int32_t code;  // kNullCode: empty
  };
  static constexpr size_t kMinSlots = 16;
  // At most 5/8 of the slots in use (probes stay within a cache line or two; a table reserved for
  // the 8.3 M transaction ids of a 700 MB receipts file is 2^24 slots, 128 MiB, rather than 2^25).
  static bool WithinLoad(size_t values, size_t slots) { return 8 * values <= 5 * slots; }

  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
  // Fibonacci hashing of the tag onto the table's 2^bits slots.
  size_t SlotOf(uint32_t tag) const {
    return static_cast<size_t>((uint64_t{tag} * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void Resize(size_t slots);               // a power of two
  uint64_t Store(std::string_view value);  // copies the bytes into the arena; returns the ref
  static std::string_view LongValue(const char* p);

  // A value's place in the arena as 8 bytes (half a string_view: a dictionary of 8.3 M unique
  // transaction ids saves 66 MB): chunk index (bits 40..63), offset in the chunk (bits 16..39;
  // chunks are at most 16 MiB, and a longer value has a chunk of its own at offset 0) and length
  // (bits 0..15). A value of kLongValue bytes or more has length kLongValue in its ref, and its
  // 8-byte length stored in front of its bytes.
  static constexpr uint64_t kLongValue = 0xFFFF;
  static constexpr int kOffsetShift = 16;
  static constexpr uint64_t kOffsetMask = 0xFFFFFF;
  static constexpr int kChunkShift = 40;
  static constexpr size_t kMaxChunk = size_t{16} << 20;

  std::vector<uint64_t> refs_;  // by code
  std::vector<Slot> slots_;     // size 0 or a power of two
  int shift_ = 64;              // 64 - log2(slots_.size())
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* chunk_pos_ = nullptr;
  size_t chunk_left_ = 0;
  size_t arena_bytes_ = 0;  // bytes stored so far (sizes the next chunk)
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
  /// The same over NoInitVector storage, adopted as is (no copy; see NoInitAllocator). Named
  /// apart so that a braced list still picks the std::vector factories above.
  static Column AdoptInt64(std::string name, NoInitVector<int64_t> values);
  static Column AdoptFloat64(std::string name, NoInitVector<double> values);
  static Column AdoptTimestamp(std::string name, NoInitVector<int64_t> seconds);
  static Column AdoptBool(std::string name, NoInitVector<uint8_t> values);
  static Column AdoptString(std::string name, NoInitVector<int32_t> codes,
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

  // Mutable access (a column adopted from NoInitVector storage is copied into a std::vector once).
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
  template <typename T>
  std::span<const T> ValuesOf() const;
  template <typename T>
  std::vector<T>& MutableValuesOf();
  // The one factory behind the public ones; a string column without a dictionary gets an empty one.
  template <typename Vector>
  static Column FromValues(std::string name, DataType type, Vector values,
                           std::shared_ptr<StringDictionary> dictionary = nullptr);

  std::string name_;
  DataType type_ = DataType::kInt64;
  std::variant<std::vector<int64_t>, std::vector<double>, std::vector<int32_t>,
               std::vector<uint8_t>, NoInitVector<int64_t>, NoInitVector<double>,
               NoInitVector<int32_t>, NoInitVector<uint8_t>>
      data_;
  std::shared_ptr<StringDictionary> dictionary_;  // kString only
};

/// Shortest text that parses back to exactly `v` ("nan"-free: NaN gives ""), locale-independent.
/// Writes into `out` (needs 32 bytes); returns the end pointer.
char* FormatDouble(double v, char* out);
std::string FormatDouble(double v);

}  // namespace upcamp
