// How the reader works (see csv_reader.h for the contract):
//
// 1. Input arrives in rounds of up to 4 blocks (RecordBuffer): a plain file is mapped and parsed
//    in place (MappedFile; the pages behind the reader are released), anything else is read into
//    a buffer. A round always starts at a record start; at least kPadding readable bytes follow
//    its last byte, and a '\n' sentinel does at the end of the input, so unquoted scans need no
//    bounds checks.
// 2. Record boundaries come from quote parity: a '\n' ends a record iff an even number of '"' lies
//    between it and the start of the data. Per fixed-size block we count quotes and line ends
//    (SIMD, csv_scan.h), prefix the parities, and move each block start forward to the first
//    record start. For valid RFC 4180 text this is exactly the grammar's notion of a record; for
//    invalid text it is still a pure function of the bytes, so results never depend on block size
//    or threads.
// 3. Blocks are parsed in parallel by BlockParser straight into the output columns (Sink): the
//    caller sets aside room for as many rows as the block has line ends + 1, an upper bound, and
//    closes the gaps after the parse (SettleRound); strings go in as codes of a per-block
//    LocalDict (first-appearance order within the block) and are remapped in place later. Records
//    without quotes take the fast path: up to kGroupRows of them are split at once (SplitRecord:
//    field ends from SIMD bit masks), then each requested column is stored for the whole group in
//    one typed loop by inline parsers that must take the whole field (ParseGroup). A group with a
//    value those parsers reject is rolled back and its records up to that one go one by one
//    (FastRecord, then ParseRecord, the general path, for every record the fast path gives up
//    on), so all paths always agree. A bad row is rolled back (vectors truncated, its new
//    dictionary entry removed) and skipped by parity.
// 4. Rounds are finished in block order: local dictionaries are merged into the column's
//    StringDictionary (so codes are in first-appearance order of the file) and the round's codes
//    remapped; the output grows round by round (ReadCsv) or is handed out as a batch
//    (ReadCsvBatches). With several threads, a round's merge and batch consumer run while the
//    next round is parsed.

#include "data/csv_reader.h"

#include <fast_float/fast_float.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "core/civil_time.h"
#include "core/file_util.h"
#include "core/log.h"
#include "core/parallel.h"
#include "data/csv_scan.h"
#include "data/input_stream.h"

namespace upcamp {
namespace {

constexpr size_t kPadding = 64;  // readable bytes after a buffer's data
constexpr size_t kMaxRoundBytes = size_t{512} << 20;
constexpr size_t kMaxBlocksPerRound = 4;
constexpr size_t kExcerptChars = 40;  // offending text in messages is cut here

// ------------------------------------------------------------------------------------------------
// Field actions and type inference

enum class Action : uint8_t { kSkip, kInt64, kFloat64, kTimestamp, kBool, kString, kInfer };

Action ActionFor(DataType t) {
  switch (t) {
    case DataType::kInt64:
      return Action::kInt64;
    case DataType::kFloat64:
      return Action::kFloat64;
    case DataType::kTimestamp:
      return Action::kTimestamp;
    case DataType::kBool:
      return Action::kBool;
    case DataType::kString:
      return Action::kString;
  }
  return Action::kString;
}

// What a non-empty text can be parsed as (bit set); a column's candidates are the AND over its
// values, and its type the narrowest remaining one.
constexpr uint8_t kCanBool = 1;
constexpr uint8_t kCanInt = 2;
constexpr uint8_t kCanFloat = 4;
constexpr uint8_t kCanTimestamp = 8;
constexpr uint8_t kCanAll = 15;

DataType InferredType(uint8_t mask, bool seen) {
  if (!seen) return DataType::kFloat64;
  if (mask & kCanBool) return DataType::kBool;
  if (mask & kCanInt) return DataType::kInt64;
  if (mask & kCanFloat) return DataType::kFloat64;
  if (mask & kCanTimestamp) return DataType::kTimestamp;
  return DataType::kString;
}

// ------------------------------------------------------------------------------------------------
// Scalar parsers over a whole text (quoted fields, slow paths, inference)

bool ParseBoolText(std::string_view s, uint8_t& v) {
  if (s == "1" || s == "true" || s == "True") {
    v = 1;
    return true;
  }
  if (s == "0" || s == "false" || s == "False") {
    v = 0;
    return true;
  }
  return false;
}

bool ParseInt64Text(std::string_view s, int64_t& v) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') {
    ++b;
    if (b != e && *b == '-') return false;
  }
  const auto r = std::from_chars(b, e, v);
  // INT64_MIN is the missing-value sentinel, so it is out of range for data.
  return r.ec == std::errc() && r.ptr == e && v != kNullInt64;
}

bool ParseFloat64Text(std::string_view s, double& v) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') {
    ++b;
    if (b != e && (*b == '-' || *b == '+')) return false;
  }
  if (b == e) return false;
  const auto r = fast_float::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

uint8_t Classify(std::string_view s) {
  uint8_t m = 0;
  uint8_t b;
  int64_t i;
  double d;
  if (ParseBoolText(s, b)) m |= kCanBool;
  if (ParseInt64Text(s, i)) m |= kCanInt | kCanFloat;
  if (!(m & kCanFloat) && ParseFloat64Text(s, d)) m |= kCanFloat;
  if (s.size() >= 10 && ParseTimestamp(s)) m |= kCanTimestamp;
  return m;
}

constexpr bool IsLeapYear(unsigned y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
constexpr unsigned DaysInMonth(unsigned y, unsigned m) {
  constexpr unsigned char kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29u : kDays[m - 1];
}
inline unsigned Digit(char c) {
  return static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
}

// A plain decimal at p (optional '-', digits, optionally '.' and digits; at most 15 digits in
// all), e.g. "586.97", "-50.0". Clinger's fast path: the digits as an integer and 10^k are both
// exact doubles and IEEE division rounds correctly, so the result is the same correctly rounded
// double fast_float (or strtod) gives. Anything else (exponents, '+', long mantissas) returns
// false and takes the general path.
[[gnu::always_inline]] inline bool FastDecimal(const char* p, double& out, const char*& end) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const bool negative = *p == '-';
  const char* q = p + negative;
  const char* digits = q;
  uint64_t m = 0;
  while (Digit(*q) < 10) m = m * 10 + Digit(*q++);
  if (q == digits) return false;
  size_t fraction = 0;
  if (*q == '.') {
    const char* f = ++q;
    while (Digit(*q) < 10) m = m * 10 + Digit(*q++);
    fraction = static_cast<size_t>(q - f);
    if (fraction == 0) return false;
  }
  if (static_cast<size_t>(q - digits) - (fraction > 0) > 15) return false;
  const double v = static_cast<double>(m) / kPow10[fraction];
  out = negative ? -v : v;
  end = q;
  return true;
}

// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` at p (which has >= 19 readable bytes); on success sets
// the end of the text. The caller checks that a field terminator follows, else falls back to
// ParseTimestamp (fractions, 'T').
[[gnu::always_inline]] inline bool FastTimestamp(const char* p, int64_t& out, const char*& end) {
  const unsigned y0 = Digit(p[0]), y1 = Digit(p[1]), y2 = Digit(p[2]), y3 = Digit(p[3]);
  const unsigned m0 = Digit(p[5]), m1 = Digit(p[6]), d0 = Digit(p[8]), d1 = Digit(p[9]);
  if (((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) | (d1 > 9)) ||
      p[4] != '-' || p[7] != '-') {
    return false;
  }
  const unsigned y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const unsigned m = m0 * 10 + m1;
  const unsigned d = d0 * 10 + d1;
  if (m - 1 > 11 || d - 1 >= DaysInMonth(y, m)) return false;
  int64_t seconds = DaysFromCivil(y, m, d) * kSecondsPerDay;
  if (p[10] == ' ') {
    const unsigned h0 = Digit(p[11]), h1 = Digit(p[12]), n0 = Digit(p[14]), n1 = Digit(p[15]);
    const unsigned s0 = Digit(p[17]), s1 = Digit(p[18]);
    if (((h0 > 9) | (h1 > 9) | (n0 > 9) | (n1 > 9) | (s0 > 9) | (s1 > 9)) || p[13] != ':' ||
        p[16] != ':') {
      return false;
    }
    const unsigned h = h0 * 10 + h1, n = n0 * 10 + n1, s = s0 * 10 + s1;
    if (h > 23 || n > 59 || s > 59) return false;
    seconds += h * 3600 + n * 60 + s;
    end = p + 19;
  } else {
    end = p + 10;
  }
  out = seconds;
  return true;
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The len bytes at a and b are equal. Keys of 8 to 24 bytes (ids such as "b55cb548cf",
// timestamps) compare as overlapping 8-byte words instead of a call to memcmp.
inline bool SameBytes(const char* a, const char* b, size_t len) {
  if (len - 8 <= 8) return Load64(a) == Load64(b) && Load64(a + len - 8) == Load64(b + len - 8);
  if (len - 17 <= 7) {
    return Load64(a) == Load64(b) && Load64(a + 8) == Load64(b + 8) &&
           Load64(a + len - 8) == Load64(b + len - 8);
  }
  return std::memcmp(a, b, len) == 0;
}

// Same as SameBytes for two texts in the parse buffer, which has at least 8 readable bytes after
// any text (the padding): a text of up to 8 bytes is one masked word compare.
[[gnu::always_inline]] inline bool SameText(const char* a, const char* b, size_t len) {
  if (len - 1 < 8) return ((Load64(a) ^ Load64(b)) << (64 - 8 * len)) == 0;
  return SameBytes(a, b, len);
}

// memcpy for the short keys of logs (ids of 8 to 16 bytes: two overlapping word copies, no call).
// Reads and writes exactly [src, src + len) and [dst, dst + len).
inline void CopyBytes(char* dst, const char* src, size_t len) {
  if (len - 8 <= 8) {
    const uint64_t head = Load64(src);
    const uint64_t tail = Load64(src + len - 8);
    std::memcpy(dst, &head, 8);
    std::memcpy(dst + len - 8, &tail, 8);
    return;
  }
  std::memcpy(dst, src, len);
}

// A key of at most kInlineKeyBytes bytes as three words: together with its length, equal words
// mean equal keys. Reads only the key's own bytes (overlapping loads), never past its end.
constexpr size_t kInlineKeyBytes = 24;
struct KeyWords {
  uint64_t w0 = 0, w1 = 0, w2 = 0;
};

inline KeyWords ShortKey(const char* s, size_t len) {
  KeyWords k;
  if (len >= 16) {
    k.w0 = Load64(s);
    k.w1 = Load64(s + 8);
    k.w2 = Load64(s + len - 8);
  } else if (len >= 8) {
    k.w0 = Load64(s);
    k.w1 = Load64(s + len - 8);
  } else if (len >= 4) {
    k.w0 = Load32(s) | Load32(s + len - 4) << 32;
  } else if (len > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(s);
    k.w0 = uint64_t{u[0]} | uint64_t{u[len / 2]} << 8 | uint64_t{u[len - 1]} << 16;
  }
  return k;
}

// Table position of a short key: a multiply-xorshift mix (much cheaper than XXH3; the XXH3 hash
// the merge needs is computed once per entry instead of once per value).
inline uint64_t ShortKeyHash(const KeyWords& k, size_t len) {
  uint64_t x = k.w0 ^ (k.w1 * 0x9E3779B97F4A7C15ULL) ^ (k.w2 * 0xC2B2AE3D27D4EB4FULL) ^ len;
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ULL;
  return x ^ (x >> 32);
}

// ------------------------------------------------------------------------------------------------
// Per-block string dictionary: open addressing over an arena, no allocation per value. Each entry
// keeps its StringDictionary::HashOf hash, so the merge into the column's dictionary does not hash
// the value again.
//
// Keys of up to kInlineKeyBytes bytes (every id of the reference tables) live in their table slot
// as well (32 bytes: key words, length, code), so a lookup touches one slot and nothing else; a
// longer key's slot holds its hash, and a match is confirmed against the arena.
//
// A column of (nearly) unique values, such as transaction_id, gains nothing from deduplicating
// within a block, and its table would be one cache miss per value on top of the merge's. So once
// a block has seen kProbeValues values of which more than 3/4 were new, the dictionary stops
// looking values up and only appends them (codes then repeat nothing; the merge maps duplicates
// to one column code anyway). Which mode a block ends in never changes the result.

class LocalDict {
 public:
  LocalDict() = default;

  void Clear() {
    lookups_ = 0;
    append_from_ = INT32_MAX;
    if (entries_.empty()) return;  // the table is already all-empty
    arena_size_ = 0;
    entries_.clear();
    if (slots_.size() > kInitialSlots * 64) {
      slots_.assign(kInitialSlots, Slot{});  // do not carry a huge table into small blocks
    } else {
      std::fill(slots_.begin(), slots_.end(), Slot{});
    }
  }

  int32_t size() const { return static_cast<int32_t>(entries_.size()); }
  std::string_view Get(int32_t code) const {
    const Entry& e = entries_[static_cast<size_t>(code)];
    return {arena_.get() + e.offset, e.len};
  }
  uint64_t Hash(int32_t code) const { return entries_[static_cast<size_t>(code)].hash; }

  /// Code of the text, adding it if new (`added` tells which).
  int32_t GetOrAdd(const char* s, size_t len, bool& added) {
    added = true;
    if (append_from_ != INT32_MAX) return Append(s, len);
    if (++lookups_ == kProbeValues && entries_.size() * 4 > kProbeValues * 3) {
      append_from_ = size();
      return Append(s, len);
    }
    if (entries_.size() * 2 >= slots_.size()) Grow();  // also the first allocation
    const bool inline_key = len <= kInlineKeyBytes;
    KeyWords k;
    uint64_t h;
    if (inline_key) {
      k = ShortKey(s, len);
      h = ShortKeyHash(k, len);
    } else {
      h = StringDictionary::HashOf(std::string_view(s, len));
      k.w0 = h;
    }
    const size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    for (;;) {
      const Slot& sl = slots_[i];
      if (sl.code < 0) break;
      if (sl.len == len && sl.key.w0 == k.w0 && sl.key.w1 == k.w1 && sl.key.w2 == k.w2 &&
          (inline_key ||
           SameBytes(arena_.get() + entries_[static_cast<size_t>(sl.code)].offset, s, len))) {
        added = false;
        return sl.code;
      }
      i = (i + 1) & mask;
    }
    const int32_t code = inline_key ? Append(s, len) : Append(s, len, h);
    slots_[i] = Slot{k, static_cast<uint32_t>(len), code};
    return code;
  }

  /// Removes the most recently added entry (rollback of a bad row). With linear probing and no
  /// other deletions, emptying its slot restores the table exactly as it was before the add.
  void PopLast() {
    const Entry e = entries_.back();
    const auto code = static_cast<int32_t>(entries_.size() - 1);
    if (code < append_from_) {
      const size_t mask = slots_.size() - 1;
      size_t i = SlotHash(e) & mask;
      while (slots_[i].code != code) i = (i + 1) & mask;
      slots_[i].code = -1;
    }
    entries_.pop_back();
    arena_size_ = e.offset;
  }

 private:
  static constexpr size_t kInitialSlots = 256;
  static constexpr uint32_t kProbeValues = 4096;
  struct Entry {
    uint64_t hash;    // StringDictionary::HashOf
    uint32_t offset;  // in arena_ (a block is far below 4 GiB)
    uint32_t len;
  };
  struct alignas(32) Slot {
    KeyWords key;  // ShortKey, or {hash, 0, 0} for a longer key
    uint32_t len = 0;
    int32_t code = -1;  // -1: empty
  };

  int32_t Append(const char* s, size_t len) {
    return Append(s, len, StringDictionary::HashOf(std::string_view(s, len)));
  }
  int32_t Append(const char* s, size_t len, uint64_t h) {
    const auto code = static_cast<int32_t>(entries_.size());
    entries_.push_back(Entry{h, static_cast<uint32_t>(arena_size_), static_cast<uint32_t>(len)});
    if (arena_capacity_ - arena_size_ < len) [[unlikely]]
      GrowArena(len);
    CopyBytes(arena_.get() + arena_size_, s, len);
    arena_size_ += len;
    return code;
  }

  // The slot of an entry: its key words and table hash, recomputed from the arena.
  Slot SlotOf(const Entry& e, int32_t code) const {
    if (e.len > kInlineKeyBytes) return Slot{KeyWords{e.hash, 0, 0}, e.len, code};
    return Slot{ShortKey(arena_.get() + e.offset, e.len), e.len, code};
  }
  uint64_t SlotHash(const Entry& e) const {
    if (e.len > kInlineKeyBytes) return e.hash;
    return ShortKeyHash(ShortKey(arena_.get() + e.offset, e.len), e.len);
  }

  void Grow() {
    slots_.assign(std::max(kInitialSlots, slots_.size() * 2), Slot{});
    const size_t mask = slots_.size() - 1;
    for (size_t c = 0; c < entries_.size(); ++c) {  // in code order, as if inserted anew
      const Entry& e = entries_[c];
      size_t i = SlotHash(e) & mask;
      while (slots_[i].code >= 0) i = (i + 1) & mask;
      slots_[i] = SlotOf(e, static_cast<int32_t>(c));
    }
  }

  [[gnu::noinline]] void GrowArena(size_t len) {
    const size_t capacity = std::max({size_t{1} << 16, arena_capacity_ * 2, arena_size_ + len});
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (arena_size_ > 0) std::memcpy(bigger.get(), arena_.get(), arena_size_);
    arena_ = std::move(bigger);
    arena_capacity_ = capacity;
  }

  std::unique_ptr<char[]> arena_;  // the keys' bytes, back to back
  size_t arena_size_ = 0;
  size_t arena_capacity_ = 0;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  uint32_t lookups_ = 0;
  int32_t append_from_ = INT32_MAX;  // codes from here on were appended without a lookup
};

// ------------------------------------------------------------------------------------------------
// Block parsing

struct FieldPlan {
  Action action = Action::kSkip;
  uint32_t out = 0;  // output column (unused for kSkip)
};

struct ParsePlan {
  std::vector<FieldPlan> fields;  // one per header column
  std::vector<Action> out_actions;
  std::vector<uint32_t> parsed_fields;  // header indices of the fields that are not skipped
  csv_scan::Level level = csv_scan::Level::kGeneral;  // kGeneral: no fast record path
  char delimiter = ',';
  bool skip_blank_lines = true;  // blank lines are rows only in a one-column file
  uint64_t max_bad_rows = 0;     // a block stops after more bad rows than this
  // CsvReadOptions::keep_rows: the output column (timestamp or int64) and header field of the
  // filter, and the range kept; filter_out < 0: every row is kept.
  int32_t filter_out = -1;
  uint32_t filter_field = 0;
  std::vector<uint32_t> kept_row_fields;     // parsed_fields but the filter's
  std::vector<uint32_t> dropped_row_fields;  // those of them that are not strings
  RowTimeRange keep;
};

// Where a block's values of one column go: straight into the output column's storage, at the
// place the round set aside for the block (Bind), or, when the caller keeps no values (the type
// inference pass), into the block's own reusable scratch buffer (BindScratch). Either way there is
// room for `max_rows` values, a bound on the block's rows (its line ends, plus one for a last
// record without a '\n'; see ComputeLayout), so an append needs no capacity check.
template <typename T>
class Sink {
 public:
  using value_type = T;
  void Bind(T* data, size_t max_rows) {
    data_ = data;
    size_ = 0;
    max_rows_ = max_rows;
  }
  void BindScratch(size_t max_rows) {
    if (scratch_capacity_ < max_rows) {
      scratch_ = std::make_unique_for_overwrite<T[]>(max_rows);
      scratch_capacity_ = max_rows;
    }
    Bind(scratch_.get(), max_rows);
  }
  size_t size() const { return size_; }
  const T* data() const { return data_; }
  T* data() { return data_; }
  void clear() { size_ = 0; }
  /// Only shrinks (the rollback of a bad row).
  void resize(size_t n) { size_ = std::min(size_, n); }
  /// Of the n values from `from` on (the last ones), keeps those whose keep[i] is 1, in order.
  void KeepRows(size_t from, const uint8_t* keep, size_t n) {
    assert(from + n == size_);
    T* d = data_ + from;
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i) {
      d[kept] = d[i];
      kept += keep[i];
    }
    size_ = from + kept;
  }
  void push_back(T v) {
    assert(size_ < max_rows_);
    data_[size_++] = v;
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t max_rows_ = 0;
  std::unique_ptr<T[]> scratch_;
  size_t scratch_capacity_ = 0;
};

struct OutColumn {
  Action action = Action::kSkip;
  Sink<int64_t> i64;
  Sink<double> f64;
  Sink<int32_t> codes;
  Sink<uint8_t> bools;
  LocalDict dict;
  size_t dict_added_row = SIZE_MAX;  // the row that added the dictionary's last entry
  // The fast path's previous text (unquoted, in the block's buffer) and its string code, timestamp
  // or number: ids, times and amounts repeat on consecutive rows (a client's receipts, a
  // receipt's lines, points that are mostly 0.0), and such a repeat costs a compare.
  const char* last_text = nullptr;
  uint32_t last_len = 0;
  int32_t last_code = kNullCode;
  int64_t last_value = 0;
  double last_double = 0;
  uint8_t mask = kCanAll;  // kInfer: candidate types
  bool seen = false;       // kInfer: any non-empty value
  uint8_t saved_mask = kCanAll;
  bool saved_seen = false;

  void Reset(Action a) {
    action = a;
    i64.clear();
    f64.clear();
    codes.clear();
    bools.clear();
    if (a == Action::kString) dict.Clear();
    dict_added_row = SIZE_MAX;
    last_text = nullptr;
    mask = kCanAll;
    seen = false;
  }

  /// Whether the unquoted text [s, s + len) repeats the fast path's previous one, whose value (or
  /// code) is then reused.
  [[gnu::always_inline]] bool RepeatsLast(const char* s, size_t len) const {
    return len == last_len && last_text != nullptr && SameText(s, last_text, len);
  }
  /// Makes [s, s + len) the previous text (the caller stores its value or code next to it).
  void RememberText(const char* s, size_t len) {
    last_text = s;
    last_len = static_cast<uint32_t>(len);
  }

  /// Points the sink of this column's type at `data` (room for `max_rows` values of the type),
  /// or at the block's own scratch buffer if `data` is nullptr.
  void Bind(void* data, size_t max_rows) {
    WithSink([&](auto& sink) {
      using T = typename std::remove_reference_t<decltype(sink)>::value_type;
      data ? sink.Bind(static_cast<T*>(data), max_rows) : sink.BindScratch(max_rows);
    });
  }

  /// Drops the rows a group's filter did not keep (Sink::KeepRows); not for strings, whose
  /// dropped rows were never stored.
  void KeepRows(size_t from, const uint8_t* keep, size_t n) {
    assert(action != Action::kString);
    WithSink([&](auto& sink) { sink.KeepRows(from, keep, n); });
  }

  void Rollback(size_t rows) {
    WithSink([&](auto& sink) { sink.resize(rows); });
    if (action == Action::kString) {
      last_text = nullptr;  // its code may be the entry removed here
      if (dict_added_row == rows) {
        dict.PopLast();
        dict_added_row = SIZE_MAX;
      }
    } else if (action == Action::kInfer) {
      mask = saved_mask;
      seen = saved_seen;
    }
  }

 private:
  // Calls f with the sink of this column's type (none for kInfer and kSkip).
  template <typename F>
  void WithSink(F&& f) {
    switch (action) {
      case Action::kInt64:
      case Action::kTimestamp:
        f(i64);
        break;
      case Action::kFloat64:
        f(f64);
        break;
      case Action::kBool:
        f(bools);
        break;
      case Action::kString:
        f(codes);
        break;
      case Action::kInfer:
      case Action::kSkip:
        break;
    }
  }
};

enum class ErrorKind : uint8_t {
  kBadValue,
  kTooFewFields,
  kTooManyFields,
  kQuoteInField,
  kAfterQuote,
  kUnterminatedQuote,
};

struct RowError {
  size_t offset = 0;  // in the round buffer: where the line number is taken
  uint32_t field = 0;
  uint32_t got_fields = 0;
  ErrorKind kind = ErrorKind::kBadValue;
  Action action = Action::kSkip;
  std::string text;
};

struct BlockResult {
  std::vector<OutColumn> cols;
  size_t rows = 0;
  size_t max_rows = 0;  // bound on `rows` (see Sink)
  uint64_t bad_rows = 0;
  uint64_t dropped_rows = 0;  // by the plan's filter
  RowError first_error;       // valid if bad_rows > 0

  /// Sets the columns' actions and binds them to scratch buffers of `max_rows` values; a caller
  /// that keeps the values then rebinds them (OutColumn::Bind) before the block is parsed.
  void Prepare(const std::vector<Action>& actions, size_t block_max_rows) {
    max_rows = block_max_rows;
    cols.resize(actions.size());
    for (size_t c = 0; c < cols.size(); ++c) {
      cols[c].action = actions[c];
      cols[c].Bind(nullptr, max_rows);
    }
  }
};

// Bytes per value of a column's type (8 for int64, timestamp and float64, 4 for string codes).
size_t ValueBytes(Action a) {
  switch (a) {
    case Action::kInt64:
    case Action::kTimestamp:
    case Action::kFloat64:
      return 8;
    case Action::kString:
      return 4;
    case Action::kBool:
      return 1;
    default:
      return 0;
  }
}

std::string Excerpt(std::string_view s) {
  std::string out;
  size_t shown = 0;
  for (char c : s) {
    if (shown == kExcerptChars) {
      out += "...";
      break;
    }
    ++shown;
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out;
}

class BlockParser {
 public:
  BlockParser(const ParsePlan& plan, const char* base)
      : plan_(plan), base_(base), nfields_(static_cast<uint32_t>(plan.fields.size())) {
    const auto d = static_cast<unsigned char>(plan.delimiter);
    special_[d] = special_['\n'] = special_['\r'] = special_['"'] = true;
    term_[d] = term_['\n'] = term_['\r'] = true;
    for (const FieldPlan& f : plan.fields) has_infer_ |= f.action == Action::kInfer;
    fast_ = plan.level != csv_scan::Level::kGeneral;
    if (fast_) ends_.resize(nfields_);
    grouped_ = fast_ && !has_infer_;
    if (grouped_) group_.resize(kGroupRows * (size_t{nfields_} + 1));
  }

  void Parse(const char* begin, const char* end, BlockResult& out) {
    out.rows = 0;
    out.bad_rows = 0;
    out.dropped_rows = 0;
    assert(out.cols.size() == plan_.out_actions.size());  // Prepare'd
    for (size_t c = 0; c < out.cols.size(); ++c) out.cols[c].Reset(plan_.out_actions[c]);
    end_ = end;
    last_word_ = static_cast<size_t>(end - base_) >> 6;
    win_begin_ = win_end_ = 0;
    const char* p = begin;
    while (p < end) {
      if (plan_.skip_blank_lines && (*p == '\n' || (*p == '\r' && p[1] == '\n'))) {
        p += *p == '\n' ? 1 : 2;
        continue;
      }
      if (grouped_) {
        if (record_path_left_ == 0 && ParseGroup(p, out)) continue;
        --record_path_left_;  // ParseGroup set it when it returned false
      }
      const char* record = p;
      if (has_infer_) SaveInferState(out);
      if (fast_) {
        const FastResult r = FastRecord(p, out);
        if (r == FastResult::kDone) {
          ++out.rows;
          continue;
        }
        if (r == FastResult::kDropped) {
          ++out.dropped_rows;
          continue;
        }
        if (r == FastResult::kPartlyStored) {
          for (OutColumn& c : out.cols) c.Rollback(out.rows);
        }
      }
      if (ParseRecord(p, out)) {
        if (Keeps(out)) {
          ++out.rows;
        } else {
          for (OutColumn& c : out.cols) c.Rollback(out.rows);
          ++out.dropped_rows;
        }
        continue;
      }
      if (out.bad_rows == 0) out.first_error = std::move(error_);
      ++out.bad_rows;
      for (OutColumn& c : out.cols) c.Rollback(out.rows);
      p = SkipRecord(record);
      if (out.bad_rows > plan_.max_bad_rows) break;  // the read fails; no need to go on
    }
  }

 private:
  // Whether the row just stored (at index out.rows) passes the plan's filter.
  bool Keeps(const BlockResult& out) const {
    if (plan_.filter_out < 0) return true;
    return plan_.keep.Contains(
        out.cols[static_cast<size_t>(plan_.filter_out)].i64.data()[out.rows]);
  }

  static void SaveInferState(BlockResult& out) {
    for (OutColumn& c : out.cols) {
      c.saved_mask = c.mask;
      c.saved_seen = c.seen;
    }
  }

  bool IsEol(const char* q) const { return *q == '\n' || (*q == '\r' && q[1] == '\n'); }

  // ----------------------------------------------------------------------------------------------
  // The fast record path. Field and record ends come from bit masks of the delimiter, '\n' and
  // '"' bytes (csv_scan.h), computed for a window of 64-byte words (counted from base_) at a
  // time; then only the fields the plan parses are looked at, by inline parsers that must take
  // the whole field. Anything else (a quote anywhere in the record, a wrong number of fields, a
  // value those parsers do not take) gives up, possibly after storing part of the row (FastResult
  // tells): the caller rolls the row back and ParseRecord, the general path, parses the record and
  // decides.
  // So the fast path can only ever produce what ParseRecord would have produced, faster.
  //
  // Why field ends from the masks are ParseRecord's: without quotes, a field ends at the next
  // delimiter or '\n' (a CR is data unless it precedes the '\n'), and the record at the first
  // '\n'. The delimiter is one that no number, timestamp or bool text contains (FastPathDelimiter),
  // so the inline parsers stop at a field's end exactly where ParseRecord's stop.

  static constexpr size_t kWindowWords = 64;

  // Masks of the words from w on (up to the word holding end_) into the window.
  bool LoadWindow(size_t w) {
    if (w > last_word_) return false;
    const size_t n = std::min(kWindowWords, last_word_ + 1 - w);
    csv_scan::ClassMasks(plan_.level, base_ + (w << 6), n, plan_.delimiter, win_delims_.data(),
                         win_newlines_.data(), win_quotes_.data());
    win_begin_ = w;
    win_end_ = w + n;
    return true;
  }

  // kDropped: the record was parsed and then dropped by the plan's filter (nothing stored).
  enum class FastResult : uint8_t { kDone, kDropped, kNothingStored, kPartlyStored };

  // Splits the record at p into its fields without looking at their values: ends[f] is where
  // field f ends (for the last one, before a CRLF's CR) and line_end is the record's '\n'.
  // false: not a record for the fast path (a quote, the wrong number of fields, or it runs past
  // the block's end).
  [[gnu::always_inline]] bool SplitRecord(const char* p, const char** ends, const char*& line_end) {
    const auto off = static_cast<size_t>(p - base_);
    size_t w = off >> 6;
    uint64_t from = ~uint64_t{0} << (off & 63);  // bits of the record's bytes in word w
    const uint32_t last = nfields_ - 1;
    uint32_t f = 0;
    for (;;) {
      if ((w < win_begin_ || w >= win_end_) && !LoadWindow(w)) return false;
      const size_t i = w - win_begin_;
      const uint64_t nl = win_newlines_[i] & from;
      const uint64_t before = nl != 0 ? (nl & (0 - nl)) - 1 : ~uint64_t{0};  // before the '\n'
      if ((win_quotes_[i] & from & before) != 0) return false;
      const char* word = base_ + (w << 6);
      for (uint64_t d = win_delims_[i] & from & before; d != 0; d &= d - 1) {
        if (f == last) return false;  // too many fields
        ends[f++] = word + std::countr_zero(d);
      }
      if (nl != 0) {
        line_end = word + std::countr_zero(nl);
        break;
      }
      ++w;
      from = ~uint64_t{0};
    }
    if (f != last || line_end > end_) return false;  // too few fields
    const char* last_start = f == 0 ? p : ends[f - 1] + 1;
    ends[f] = line_end - (line_end > last_start && line_end[-1] == '\r');  // CRLF
    return true;
  }

  FastResult FastRecord(const char*& pp, BlockResult& out) {
    const char* p = pp;
    const char* line_end;
    if (!SplitRecord(p, ends_.data(), line_end)) return FastResult::kNothingStored;
    const std::vector<uint32_t>* fields = &plan_.parsed_fields;
    if (plan_.filter_out >= 0) {
      // The filter's field first. A dropped row's other fields are still parsed (a bad value
      // stays an error) except its strings, which would only cost a dictionary lookup and
      // cannot be bad here; its values are then rolled back.
      const uint32_t fk = plan_.filter_field;
      if (!StoreField(plan_.fields[fk], fk == 0 ? p : ends_[fk - 1] + 1, ends_[fk], out)) {
        return FastResult::kPartlyStored;
      }
      if (!Keeps(out)) {
        for (uint32_t k : plan_.dropped_row_fields) {
          if (!StoreField(plan_.fields[k], k == 0 ? p : ends_[k - 1] + 1, ends_[k], out)) {
            return FastResult::kPartlyStored;
          }
        }
        for (OutColumn& c : out.cols) {
          if (c.action != Action::kString) c.Rollback(out.rows);  // strings: nothing stored
        }
        pp = std::min(line_end + 1, end_);
        return FastResult::kDropped;
      }
      fields = &plan_.kept_row_fields;
    }
    for (uint32_t k : *fields) {
      if (!StoreField(plan_.fields[k], k == 0 ? p : ends_[k - 1] + 1, ends_[k], out)) {
        return FastResult::kPartlyStored;
      }
    }
    pp = std::min(line_end + 1, end_);
    return FastResult::kDone;
  }

  // ----------------------------------------------------------------------------------------------
  // The grouped fast path: up to kGroupRows fast records are split first (SplitRecord), then each
  // parsed column is stored for all of them in one loop: one type and one output stream per loop,
  // no per-field dispatch, and the group's text and field ends stay in the core's cache. Strings
  // go last, because only the other types can reject a value; if one does, the group's values are
  // rolled back and its records up to the rejected one take the record path (FastRecord, then
  // ParseRecord), which decides and reports exactly as it does for any record. So grouping never
  // changes a result. Not used with type inference (per record, with its own rollback).

  static constexpr uint32_t kGroupRows = 256;
  // Records the record path takes after a record that cannot start a group (a quote, a ragged
  // row), so a file of quoted records does not try, and fail, to split each one twice.
  static constexpr uint32_t kRecordPathAfterMiss = 16;

  // Parses the records from pp on as one group and moves pp past them. false: nothing stored, and
  // record_path_left_ says how many records the record path takes first.
  bool ParseGroup(const char*& pp, BlockResult& out) {
    const size_t width = size_t{nfields_} + 1;  // per row: the record's start, then field ends
    const char* p = pp;
    uint32_t n = 0;
    while (n < kGroupRows && p < end_) {
      if (plan_.skip_blank_lines && (*p == '\n' || (*p == '\r' && p[1] == '\n'))) {
        p += *p == '\n' ? 1 : 2;
        continue;
      }
      const char** row = group_.data() + n * width;
      const char* line_end;
      if (!SplitRecord(p, row + 1, line_end)) break;
      row[0] = p;
      p = std::min(line_end + 1, end_);
      ++n;
    }
    if (n == 0) {
      record_path_left_ = kRecordPathAfterMiss;
      return false;
    }
    // Field k of group row i is [start(i, k), stop(i, k)).
    auto start = [&](uint32_t i, uint32_t k) {
      const char* const* row = group_.data() + i * width;
      return k == 0 ? row[0] : row[k] + 1;
    };
    auto stop = [&](uint32_t i, uint32_t k) { return group_[i * width + k + 1]; };
    // Stores column k's values of the group's rows; returns the first row whose value the inline
    // parsers reject, or n.
    auto store_column = [&](uint32_t k) {
      const FieldPlan& fp = plan_.fields[k];
      OutColumn& c = out.cols[fp.out];
      uint32_t i = 0;
      switch (fp.action) {
        case Action::kFloat64:
          while (i < n && StoreFloat64(c, start(i, k), stop(i, k))) ++i;
          return i;
        case Action::kTimestamp:
          while (i < n && StoreTimestamp(c, start(i, k), stop(i, k))) ++i;
          return i;
        case Action::kInt64:
          while (i < n && StoreInt64(c, start(i, k), stop(i, k))) ++i;
          return i;
        case Action::kBool:
          while (i < n && StoreText(fp, std::string_view(start(i, k), stop(i, k)), out)) ++i;
          return i;
        default:  // strings go last; kSkip and kInfer are not parsed fields here
          return n;
      }
    };
    // With a row filter, its field goes first, and a dropped row's other values are parsed all
    // the same (a bad one is still an error), as on the record path; only its strings are not.
    const bool filtered = plan_.filter_out >= 0;
    const size_t rows = out.rows;
    uint32_t rejected = filtered ? store_column(plan_.filter_field) : n;
    for (uint32_t k : plan_.parsed_fields) {
      if (rejected < n) break;
      if (!filtered || k != plan_.filter_field) rejected = store_column(k);
    }
    if (rejected < n) {
      for (OutColumn& c : out.cols) {
        if (c.action != Action::kString) c.Rollback(rows);
      }
      record_path_left_ = rejected + 1;
      return false;
    }
    std::array<uint8_t, kGroupRows> keep;
    uint32_t kept = n;
    if (filtered) {
      const int64_t* key = out.cols[static_cast<size_t>(plan_.filter_out)].i64.data() + rows;
      kept = 0;
      for (uint32_t i = 0; i < n; ++i) {
        keep[i] = plan_.keep.Contains(key[i]) ? 1 : 0;
        kept += keep[i];
      }
      if (kept < n) {
        for (OutColumn& c : out.cols) {
          if (c.action != Action::kString) c.KeepRows(rows, keep.data(), n);
        }
      }
    }
    for (uint32_t k : plan_.parsed_fields) {
      const FieldPlan& fp = plan_.fields[k];
      if (fp.action != Action::kString) continue;
      OutColumn& c = out.cols[fp.out];
      size_t row = rows;
      for (uint32_t i = 0; i < n; ++i) {
        if (kept < n && keep[i] == 0) continue;
        const char* s = start(i, k);
        StoreUnquotedString(c, s, static_cast<size_t>(stop(i, k) - s), row++);
      }
    }
    out.rows += kept;
    out.dropped_rows += n - kept;
    pp = p;
    return true;
  }

  // Stores the unquoted field [s, e) (no quote or '\n' inside) as ParseRecord would, or returns
  // false if the inline parsers do not take all of it.
  [[gnu::always_inline]] bool StoreField(const FieldPlan& fp, const char* s, const char* e,
                                         BlockResult& out) {
    OutColumn& c = out.cols[fp.out];
    switch (fp.action) {
      case Action::kString:
        StoreUnquotedString(c, s, static_cast<size_t>(e - s), out.rows);
        return true;
      case Action::kFloat64:
        return StoreFloat64(c, s, e);
      case Action::kTimestamp:
        return StoreTimestamp(c, s, e);
      case Action::kInt64:
        return StoreInt64(c, s, e);
      case Action::kBool:
      case Action::kInfer:
        return StoreText(fp, std::string_view(s, static_cast<size_t>(e - s)), out);
      case Action::kSkip:
        return true;
    }
    return true;
  }

  // The inline parsers of StoreField, one per type (a repeat of the column's previous text costs
  // a compare).
  [[gnu::always_inline]] static bool StoreFloat64(OutColumn& c, const char* s, const char* e) {
    double v = kNullFloat64;
    const auto len = static_cast<size_t>(e - s);
    if (c.RepeatsLast(s, len)) {
      v = c.last_double;
    } else if (len != 0) {
      const char* end;
      if (!FastDecimal(s, v, end) || end != e) {
        const auto r = fast_float::from_chars(s + (*s == '+' && s[1] != '-'), e, v);
        if (r.ec != std::errc() || r.ptr != e) return false;
      }
      c.RememberText(s, len);
      c.last_double = v;
    }
    c.f64.push_back(v);
    return true;
  }

  [[gnu::always_inline]] static bool StoreTimestamp(OutColumn& c, const char* s, const char* e) {
    int64_t v = kNullInt64;
    const auto len = static_cast<size_t>(e - s);
    if (c.RepeatsLast(s, len)) {
      v = c.last_value;
    } else if (len != 0) {
      const char* end;
      if (!FastTimestamp(s, v, end) || end != e) return false;
      c.RememberText(s, len);
      c.last_value = v;
    }
    c.i64.push_back(v);
    return true;
  }

  [[gnu::always_inline]] static bool StoreInt64(OutColumn& c, const char* s, const char* e) {
    int64_t v = kNullInt64;
    if (s != e) {
      const char* d = s + (*s == '-' || *s == '+');
      const char* q = d;
      uint64_t u = 0;
      while (Digit(*q) < 10 && q - d < 18) u = u * 10 + Digit(*q++);
      if (q == d || q != e) return false;
      v = *s == '-' ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
    }
    c.i64.push_back(v);
    return true;
  }

  // A field's text may end at q: the delimiter or a line end (a lone CR is data).
  bool EndsField(const char* q) const {
    return term_[static_cast<unsigned char>(*q)] && (*q != '\r' || q[1] == '\n');
  }

  // End of an unquoted field: the delimiter, the line end, or a '"' (an error for the caller).
  const char* ScanUnquoted(const char* q) const {
    for (;;) {
      while (!special_[static_cast<unsigned char>(*q)]) ++q;
      if (*q == '\r' && q[1] != '\n') {  // a lone CR is data
        ++q;
        continue;
      }
      return q;
    }
  }

  // Parity-aware end of the record that starts at `record` (for skipping a bad row).
  const char* SkipRecord(const char* record) const {
    bool in_quotes = false;
    for (const char* q = record; q < end_; ++q) {
      if (*q == '"') {
        in_quotes = !in_quotes;
      } else if (*q == '\n' && !in_quotes) {
        return q + 1;
      }
    }
    return end_;
  }

  // Quoted field at p (p points at the opening quote). On success `text` is the unescaped value
  // and `q` the position after the closing quote.
  bool ScanQuoted(const char* p, std::string_view& text, const char*& q) {
    const char* s = p + 1;
    auto* c = static_cast<const char*>(std::memchr(s, '"', static_cast<size_t>(end_ - s)));
    if (c == nullptr) return false;
    if (c[1] != '"') {
      text = std::string_view(s, static_cast<size_t>(c - s));
      q = c + 1;
      return true;
    }
    scratch_.assign(s, c + 1);  // up to and including the first quote of a "" pair
    s = c + 2;
    for (;;) {
      c = static_cast<const char*>(std::memchr(s, '"', static_cast<size_t>(end_ - s)));
      if (c == nullptr) return false;
      scratch_.append(s, c);
      if (c[1] == '"') {
        scratch_.push_back('"');
        s = c + 2;
        continue;
      }
      text = scratch_;
      q = c + 1;
      return true;
    }
  }

  // Parses `text` as the field's type and appends it; false if it does not parse.
  bool StoreText(const FieldPlan& fp, std::string_view text, BlockResult& out) {
    if (fp.action == Action::kSkip) return true;
    OutColumn& c = out.cols[fp.out];
    switch (fp.action) {
      case Action::kInt64: {
        int64_t v = kNullInt64;
        if (!text.empty() && !ParseInt64Text(text, v)) return false;
        c.i64.push_back(v);
        return true;
      }
      case Action::kFloat64: {
        double v = kNullFloat64;
        if (!text.empty() && !ParseFloat64Text(text, v)) return false;
        c.f64.push_back(v);
        return true;
      }
      case Action::kTimestamp: {
        int64_t v = kNullInt64;
        if (!text.empty()) {
          const auto t = ParseTimestamp(text);
          if (!t) return false;
          v = *t;
        }
        c.i64.push_back(v);
        return true;
      }
      case Action::kBool: {
        uint8_t v = kNullBool;
        if (!text.empty() && !ParseBoolText(text, v)) return false;
        c.bools.push_back(v);
        return true;
      }
      case Action::kString:
        StoreString(c, text.data(), text.size(), out.rows);
        return true;
      case Action::kInfer:
        if (!text.empty()) {
          c.seen = true;
          if (c.mask != 0) c.mask &= Classify(text);
        }
        return true;
      case Action::kSkip:
        return true;
    }
    return true;
  }

  // A string that may be unescaped into scratch_ (a quoted field).
  static void StoreString(OutColumn& c, const char* s, size_t len, size_t row) {
    c.last_text = nullptr;
    if (len == 0) {
      c.codes.push_back(kNullCode);
      return;
    }
    bool added;
    c.codes.push_back(c.dict.GetOrAdd(s, len, added));
    if (added) c.dict_added_row = row;
  }

  // A string that stays in the block's buffer (an unquoted field): a repeat of the previous
  // row's string reuses its code without a dictionary lookup (inlined: three string fields a
  // row, and the call cost 2% of the instructions).
  [[gnu::always_inline]] static void StoreUnquotedString(OutColumn& c, const char* s, size_t len,
                                                         size_t row) {
    if (len == 0) {
      c.codes.push_back(kNullCode);
      return;
    }
    if (c.RepeatsLast(s, len)) {
      c.codes.push_back(c.last_code);
      return;
    }
    bool added;
    const int32_t code = c.dict.GetOrAdd(s, len, added);
    c.codes.push_back(code);
    if (added) c.dict_added_row = row;
    c.RememberText(s, len);
    c.last_code = code;
  }

  bool Fail(ErrorKind kind, uint32_t field, const char* at, std::string_view text,
            uint32_t got = 0) {
    error_.kind = kind;
    error_.field = field;
    error_.offset = static_cast<size_t>(at - base_);
    error_.got_fields = got;
    error_.action = field < nfields_ ? plan_.fields[field].action : Action::kSkip;
    error_.text = Excerpt(text);
    return false;
  }

  // Number of fields of the record from `q` (a delimiter after field `f`) on, plus f + 1.
  uint32_t CountFields(const char* q, uint32_t f) const {
    uint32_t n = f + 1;
    bool in_quotes = false;
    for (; q < end_; ++q) {
      if (*q == '"') {
        in_quotes = !in_quotes;
      } else if (!in_quotes) {
        if (*q == plan_.delimiter) {
          ++n;
        } else if (*q == '\n') {
          break;
        }
      }
    }
    return n;
  }

  // The text of field f ended at q but q is not the right terminator: say why.
  bool FailTerminator(uint32_t f, const char* field, const char* q, bool quoted) {
    const bool last = f + 1 == nfields_;
    if (!quoted) {
      const char* fe = ScanUnquoted(field);
      if (*fe == '"') return Fail(ErrorKind::kQuoteInField, f, field, LineRest(field));
      if (fe != q) {
        return Fail(ErrorKind::kBadValue, f, field,
                    std::string_view(field, static_cast<size_t>(fe - field)));
      }
    }
    if (!last && (IsEol(q) || q >= end_))
      return Fail(ErrorKind::kTooFewFields, f + 1, q, {}, f + 1);
    if (last && *q == plan_.delimiter && q < end_) {
      return Fail(ErrorKind::kTooManyFields, nfields_, q, {}, CountFields(q, f));
    }
    return Fail(ErrorKind::kAfterQuote, f, q, LineRest(q));
  }

  std::string_view LineRest(const char* q) const {
    const char* e = q;
    while (e < end_ && *e != '\n' && e - q <= static_cast<ptrdiff_t>(kExcerptChars)) ++e;
    return {q, static_cast<size_t>(e - q)};
  }

  // The general path for an unquoted field whose fast parse did not succeed.
  bool SlowUnquoted(const FieldPlan& fp, uint32_t f, const char* p, BlockResult& out,
                    const char*& q) {
    const char* fe = ScanUnquoted(p);
    if (*fe == '"') return Fail(ErrorKind::kQuoteInField, f, p, LineRest(p));
    const std::string_view text(p, static_cast<size_t>(fe - p));
    if (!StoreText(fp, text, out)) return Fail(ErrorKind::kBadValue, f, p, text);
    q = fe;
    return true;
  }

  bool ParseRecord(const char*& pp, BlockResult& out) {
    const char* p = pp;
    const char delim = plan_.delimiter;
    for (uint32_t f = 0; f < nfields_; ++f) {
      const FieldPlan fp = plan_.fields[f];
      const char* field = p;
      const char* q = p;  // after the field's text, at its terminator
      bool quoted = false;
      if (*p == '"' && p < end_) {
        quoted = true;
        std::string_view text;
        if (!ScanQuoted(p, text, q)) {
          return Fail(ErrorKind::kUnterminatedQuote, f, field, {});
        }
        if (!StoreText(fp, text, out)) return Fail(ErrorKind::kBadValue, f, field, text);
      } else {
        switch (fp.action) {
          case Action::kFloat64: {
            if (EndsField(p)) {
              out.cols[fp.out].f64.push_back(kNullFloat64);
              break;
            }
            double v;
            const char* e;
            if (FastDecimal(p, v, e) && EndsField(e)) {
              out.cols[fp.out].f64.push_back(v);
              q = e;
              break;
            }
            const char* s = p + (*p == '+' && p[1] != '-');
            const auto r = fast_float::from_chars(s, end_, v);
            if (r.ec == std::errc() && term_[static_cast<unsigned char>(*r.ptr)]) {
              out.cols[fp.out].f64.push_back(v);
              q = r.ptr;
              break;
            }
            if (!SlowUnquoted(fp, f, p, out, q)) return false;
            break;
          }
          case Action::kString: {
            q = ScanUnquoted(p);
            if (*q == '"') return Fail(ErrorKind::kQuoteInField, f, p, LineRest(p));
            StoreUnquotedString(out.cols[fp.out], p, static_cast<size_t>(q - p), out.rows);
            break;
          }
          case Action::kTimestamp: {
            int64_t v;
            const char* e;
            if (FastTimestamp(p, v, e) && EndsField(e)) {
              out.cols[fp.out].i64.push_back(v);
              q = e;
              break;
            }
            if (!SlowUnquoted(fp, f, p, out, q)) return false;
            break;
          }
          case Action::kInt64: {
            const char* s = p + (*p == '-' || *p == '+');
            const char* e = s;
            uint64_t v = 0;
            while (Digit(*e) < 10 && e - s < 18) v = v * 10 + Digit(*e++);
            if (e != s && EndsField(e)) {
              out.cols[fp.out].i64.push_back(*p == '-' ? -static_cast<int64_t>(v)
                                                       : static_cast<int64_t>(v));
              q = e;
              break;
            }
            if (!SlowUnquoted(fp, f, p, out, q)) return false;
            break;
          }
          case Action::kSkip: {
            q = ScanUnquoted(p);
            if (*q == '"') return Fail(ErrorKind::kQuoteInField, f, p, LineRest(p));
            break;
          }
          case Action::kBool:
          case Action::kInfer:
            if (!SlowUnquoted(fp, f, p, out, q)) return false;
            break;
        }
      }
      if (f + 1 < nfields_) {
        if (*q == delim && q < end_) {
          p = q + 1;
          continue;
        }
      } else if (*q == '\n') {
        p = q + 1;
        continue;
      } else if (*q == '\r' && q[1] == '\n') {
        p = q + 2;
        continue;
      }
      return FailTerminator(f, field, q, quoted);
    }
    pp = std::min(p, end_);
    return true;
  }

  const ParsePlan& plan_;
  const char* base_;
  const char* end_ = nullptr;
  const uint32_t nfields_;
  bool has_infer_ = false;
  bool fast_ = false;
  bool grouped_ = false;            // the grouped fast path (ParseGroup) is on
  uint32_t record_path_left_ = 0;   // records to parse one by one before the next group
  std::vector<const char*> group_;  // ParseGroup's rows: kGroupRows x (1 + fields)
  // Fast path: the window of masks (words [win_begin_, win_end_) from base_), the word holding
  // end_, and the end of each field of the current record.
  size_t win_begin_ = 0;
  size_t win_end_ = 0;
  size_t last_word_ = 0;
  std::array<uint64_t, kWindowWords> win_delims_;
  std::array<uint64_t, kWindowWords> win_newlines_;
  std::array<uint64_t, kWindowWords> win_quotes_;
  std::vector<const char*> ends_;
  std::array<bool, 256> special_{};
  std::array<bool, 256> term_{};
  std::string scratch_;
  RowError error_;
};

// ------------------------------------------------------------------------------------------------
// Input buffering at record granularity

// A plain file mapped into memory, so that the reader parses its pages in place instead of
// copying them with read(). Private and writable only for the sentinel: the region is the file's
// pages followed by at least one zero page, and a '\n' is written right after the last byte (into
// the file's last page past its end, or the zero page), so that scans past the data behave as in
// the read() buffer.
class MappedFile {
 public:
  /// nullptr if the file cannot be mapped (then it is read with read(), which reports errors).
  static std::unique_ptr<MappedFile> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
      ::close(fd);
      return nullptr;
    }
    const auto size = static_cast<size_t>(st.st_size);
    const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t length = (size + page - 1) / page * page + std::max(page, kPadding);
    void* region =
        ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
      ::close(fd);
      return nullptr;
    }
    void* file = ::mmap(region, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    ::close(fd);
    if (file == MAP_FAILED) {
      ::munmap(region, length);
      return nullptr;
    }
    (void)::madvise(region, size, MADV_SEQUENTIAL);
    static_cast<char*>(region)[size] = '\n';
    return std::unique_ptr<MappedFile>(
        new MappedFile(static_cast<char*>(region), size, length, page));
  }

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { ::munmap(base_, length_); }

  const char* data() const { return base_; }
  size_t size() const { return size_; }

  /// Maps the pages of [begin, end) now, in one call instead of a page fault per few pages.
  void Populate(size_t begin, size_t end) const {
#ifdef MADV_POPULATE_READ
    begin = begin / page_ * page_;
    if (end > begin) (void)::madvise(base_ + begin, end - begin, MADV_POPULATE_READ);
#else
    (void)begin;
    (void)end;
#endif
  }

  /// The bytes before `offset` are no longer needed: unmaps their whole pages (the page cache
  /// keeps them), so the process's resident memory stays a few rounds. The sentinel's page
  /// is never released: it lies at or after the end of the data.
  void Release(size_t offset) {
    const size_t upto = offset / page_ * page_;
    if (upto <= released_) return;
    (void)::madvise(base_ + released_, upto - released_, MADV_DONTNEED);
    released_ = upto;
  }

 private:
  MappedFile(char* base, size_t size, size_t length, size_t page)
      : base_(base), size_(size), length_(length), page_(page) {}

  char* base_;
  size_t size_;
  size_t length_;
  size_t page_;
  size_t released_ = 0;
};

// The input as consecutive bytes, consumed at record granularity: a buffer filled with read()
// from an InputStream, or a MappedFile. Either way a '\n' sentinel follows the data when the
// input has ended, and at least kPadding readable bytes follow the data always.
class RecordBuffer {
 public:
  RecordBuffer(std::unique_ptr<InputStream> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)) {
    Reserve(0);
  }
  RecordBuffer(std::unique_ptr<MappedFile> map, std::string name)
      : map_(std::move(map)), name_(std::move(name)) {}
  RecordBuffer(const RecordBuffer&) = delete;
  RecordBuffer& operator=(const RecordBuffer&) = delete;
  ~RecordBuffer() { JoinPageJob(); }

  const std::string& name() const { return name_; }
  const char* data() const { return map_ ? map_->data() + consumed_ : buf_.get(); }
  size_t size() const { return size_; }
  bool eof() const { return eof_; }
  uint64_t line() const { return line_; }
  /// For progress: the input's size and how much of it has been read.
  uint64_t raw_size() const { return map_ ? map_->size() : in_->raw_size(); }
  uint64_t raw_position() const { return map_ ? consumed_ + size_ : in_->raw_position(); }

  /// Reads until size() >= target or the end of the input. The buffer grows by doubling as data
  /// actually arrives, so a small input never costs a round-sized allocation.
  Status Fill(size_t target) {
    if (map_) {
      size_ = std::min(target, map_->size() - consumed_);
      eof_ = consumed_ + size_ == map_->size();
      StartPageJob(target);
      return Status::Ok();
    }
    while (!eof_ && size_ < target) {
      const size_t want = std::min(target, std::max(size_ * 2, size_t{64} << 10));
      Reserve(want);
      auto got = ReadFully(*in_, buf_.get() + size_, want - size_);
      if (!got.ok()) return got.status();
      size_ += *got;
      if (size_ < want) eof_ = true;
    }
    SetSentinel();
    return Status::Ok();
  }

  /// Maps the pages of data()[begin, end) that no page job has mapped (the first round's), in
  /// one call instead of a page fault per few pages; ComputeLayout calls it for each of its
  /// blocks on the thread that scans the block first.
  void Populate(size_t begin, size_t end) const {
    if (!map_) return;
    begin = std::max(consumed_ + begin, layout_maps_from_);
    end += consumed_;
    if (end > begin) map_->Populate(begin, end);
  }

  /// Drops the first n bytes (which hold `newlines` line ends).
  void Consume(size_t n, uint64_t newlines) {
    line_ += newlines;
    if (map_) {
      consumed_ += n;
      size_ -= n;
      return;  // the next Fill's page job releases the consumed pages
    }
    std::memmove(buf_.get(), buf_.get() + n, size_ - n);
    size_ -= n;
    SetSentinel();
  }

 private:
  // A '\n' after the data stops every unquoted scan; the rest of the padding is zero, so that
  // the fast path's 64-byte words past the data read defined bytes.
  void SetSentinel() {
    std::memset(buf_.get() + size_, 0, kPadding);
    buf_[size_] = '\n';
  }

  void Reserve(size_t n) {
    if (buf_ && capacity_ >= n) return;
    auto bigger = std::make_unique_for_overwrite<char[]>(n + kPadding);
    if (size_ > 0) std::memcpy(bigger.get(), buf_.get(), size_);
    // Only the bytes a scan may look at past the data need defined values.
    std::memset(bigger.get() + size_, 0, std::min(n, size_ + kPadding) - size_);
    std::memset(bigger.get() + n, 0, kPadding);
    bigger[size_] = '\n';
    buf_ = std::move(bigger);
    capacity_ = n;
  }

  // Mapped input: the kernel's work of mapping the file's pages into the process and releasing
  // them after use is about a fifth of the reader's time on a large file. Done on the calling
  // thread between rounds, it left the other cores idle; so each Fill starts a page job on a
  // thread of its own that releases the pages consumed so far and maps the next round's new
  // pages while this round is laid out and parsed. Pages the job has not mapped yet simply fault
  // in when read: the job only saves work, it never decides what is read.
  void StartPageJob(size_t round_bytes) {
    JoinPageJob();  // started a round ago: the pages of this round are mapped now
    const size_t end = consumed_ + size_;
    layout_maps_from_ = mapped_to_;  // [mapped_to_, end): no job mapped them (the first round)
    const size_t from = std::max(end, mapped_to_);
    const size_t to = std::min(map_->size(), from + round_bytes);
    mapped_to_ = std::max(mapped_to_, to);
    auto job = [map = map_.get(), upto = consumed_, from, to] {
      map->Release(upto);
      if (to > from) map->Populate(from, to);
    };
    try {
      page_job_ = std::thread(job);
    } catch (const std::system_error&) {  // no thread to be had: do the work here
      job();
    }
  }
  void JoinPageJob() {
    if (page_job_.joinable()) page_job_.join();
  }

  std::unique_ptr<InputStream> in_;
  std::unique_ptr<MappedFile> map_;
  size_t consumed_ = 0;  // mapped: bytes of the file before data()
  std::thread page_job_;
  size_t mapped_to_ = 0;         // file bytes before this were mapped by page jobs
  size_t layout_maps_from_ = 0;  // file bytes of the current round from here on: Populate's
  std::string name_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t size_ = 0;
  bool eof_ = false;
  uint64_t line_ = 1;
};

uint64_t CountNewlines(const char* p, size_t n) {
  uint64_t quotes = 0, newlines = 0;
  csv_scan::CountQuotesAndNewlines(csv_scan::ActiveLevel(), p, n, quotes, newlines);
  return newlines;
}

// Record-aligned blocks of the current buffer.
struct Layout {
  std::vector<size_t> starts;      // nblocks + 1 entries; starts.back() = end of complete records
  std::vector<uint64_t> newlines;  // per fixed block [k*bs, (k+1)*bs)
  size_t block_size = 0;
  std::vector<size_t> max_rows;  // per block: a bound on its rows (its line ends, see below)
  size_t usable = 0;             // = starts.back()
  uint64_t usable_newlines = 0;  // line ends in [0, usable)

  size_t blocks() const { return starts.size() - 1; }
};

// Splits [0, size) into blocks at record starts. usable == 0 (with !eof) means no whole record
// is in the buffer yet.
Layout ComputeLayout(const RecordBuffer& rb, size_t block_size, int threads) {
  Layout lay;
  lay.block_size = block_size;
  const char* d = rb.data();
  const size_t n = rb.size();
  const size_t nb = std::max<size_t>(1, (n + block_size - 1) / block_size);
  std::vector<uint64_t> quotes(nb, 0);
  lay.newlines.assign(nb, 0);
  const csv_scan::Level level = csv_scan::ActiveLevel();
  ParallelFor(threads, nb, [&](size_t k, int) {
    const size_t b = k * block_size;
    const size_t e = std::min(n, b + block_size);
    rb.Populate(b, e);
    csv_scan::CountQuotesAndNewlines(level, d + b, e - b, quotes[k], lay.newlines[k]);
  });
  std::vector<uint8_t> parity(nb + 1, 0);  // quote parity before fixed block k
  for (size_t k = 0; k < nb; ++k) parity[k + 1] = parity[k] ^ static_cast<uint8_t>(quotes[k] & 1);

  size_t usable = n;
  if (!rb.eof()) {  // the last record may continue in the next read
    uint8_t par = parity[nb];
    usable = 0;
    for (size_t i = n; i-- > 0;) {
      if (d[i] == '"') {
        par ^= 1;
      } else if (d[i] == '\n' && par == 0) {
        usable = i + 1;
        break;
      }
    }
  }
  lay.usable = usable;
  lay.starts.assign(nb + 1, usable);
  lay.starts[0] = 0;
  for (size_t k = nb; k-- > 1;) {
    // First record start in [k*bs, (k+1)*bs]: after a '\n' at even parity, scanning from k*bs-1.
    const size_t from = k * block_size - 1;
    const size_t to = std::min(usable, (k + 1) * block_size);
    size_t found = SIZE_MAX;
    bool in_quotes = (parity[k] ^ (d[from] == '"')) != 0;
    for (size_t i = from; i < to; ++i) {
      if (d[i] == '"') {
        in_quotes = !in_quotes;
      } else if (d[i] == '\n' && !in_quotes) {
        found = i + 1;
        break;
      }
    }
    lay.starts[k] = std::min(found == SIZE_MAX ? lay.starts[k + 1] : found, usable);
  }
  std::vector<uint64_t> prefix(nb + 1, 0);  // line ends before fixed block k
  for (size_t k = 0; k < nb; ++k) prefix[k + 1] = prefix[k] + lay.newlines[k];
  auto newlines_before = [&](size_t x) {  // line ends in [0, x)
    const size_t k = std::min(x / block_size, nb);
    const size_t from = std::min(k * block_size, x);
    return prefix[k] + CountNewlines(d + from, x - from);
  };
  // A block's rows: one per record, and every record (or bad row) of a block ends at one of its
  // line ends, except the file's last record when the input ends without a '\n'. A bound that
  // is exact in the usual case, so the blocks' rows lie back to back (SettleRound moves nothing).
  lay.max_rows.resize(nb);
  uint64_t at = 0;  // newlines_before(starts[k])
  for (size_t k = 0; k < nb; ++k) {
    const uint64_t next = newlines_before(lay.starts[k + 1]);
    lay.max_rows[k] = static_cast<size_t>(next - at);
    const bool holds_unterminated_last = rb.eof() && usable > 0 && d[usable - 1] != '\n' &&
                                         lay.starts[k] < usable && lay.starts[k + 1] == usable;
    if (holds_unterminated_last) ++lay.max_rows[k];
    at = next;
  }
  lay.usable_newlines = at;
  return lay;
}

// The physical line of byte `offset` of the buffer.
uint64_t LineAt(const RecordBuffer& rb, const Layout& lay, size_t offset) {
  const size_t k = std::min(offset / lay.block_size, lay.newlines.size() - 1);
  uint64_t line = rb.line();
  for (size_t i = 0; i < k; ++i) line += lay.newlines[i];
  return line + CountNewlines(rb.data() + k * lay.block_size, offset - k * lay.block_size);
}

// ------------------------------------------------------------------------------------------------
// Header, projection, plan

struct ColumnSpec {
  std::string name;
  uint32_t field = 0;  // index in the header
  DataType type = DataType::kFloat64;
  bool declared = false;
  bool inferred_from_first_block = false;
};

std::string DelimiterName(char d) {
  if (d == '\t') return "tab";
  return fmt::format("'{}'", d);
}

const char* Expectation(Action a) {
  switch (a) {
    case Action::kInt64:
      return "an integer";
    case Action::kFloat64:
      return "a number";
    case Action::kTimestamp:
      return "a timestamp (YYYY-MM-DD HH:MM:SS or YYYY-MM-DD)";
    case Action::kBool:
      return "a bool (0, 1, true, false)";
    default:
      return "a value";
  }
}

struct ReaderContext {
  std::string name;
  const CsvReadOptions* options = nullptr;
  std::vector<std::string> header;
  std::vector<ColumnSpec> columns;  // output columns, in output order
};

std::string FormatRowError(const ReaderContext& ctx, uint64_t line, const RowError& e) {
  std::string where = fmt::format("{}:{}:{}", ctx.name, line, e.field + 1);
  if (e.field < ctx.header.size()) where += fmt::format(" (column '{}')", ctx.header[e.field]);
  const size_t n = ctx.header.size();
  switch (e.kind) {
    case ErrorKind::kBadValue: {
      std::string msg =
          fmt::format("{}: expected {}, got \"{}\"", where, Expectation(e.action), e.text);
      for (const ColumnSpec& c : ctx.columns) {
        if (c.field == e.field && c.inferred_from_first_block) {
          msg += fmt::format(
              " (the type {} was inferred from the first rows; declare the column's "
              "type in the schema)",
              DataTypeName(c.type));
        }
      }
      return msg;
    }
    case ErrorKind::kTooFewFields:
    case ErrorKind::kTooManyFields:
      return fmt::format("{}: expected {} fields, got {}", where, n, e.got_fields);
    case ErrorKind::kQuoteInField:
      return fmt::format(
          "{}: expected a field without quotes or a fully quoted field (with \"\" for a quote "
          "inside), got \"{}\"",
          where, e.text);
    case ErrorKind::kAfterQuote:
      return fmt::format("{}: expected {} or a line end after the closing quote, got \"{}\"", where,
                         DelimiterName(ctx.options->delimiter), e.text);
    case ErrorKind::kUnterminatedQuote:
      return fmt::format(
          "{}: unterminated quoted field (no closing '\"' before the end of the file)", where);
  }
  return where;
}

Status ValidateOptions(const CsvReadOptions& o) {
  if (o.threads < 1)
    return Status::Config("CsvReadOptions.threads must be >= 1, got {}", o.threads);
  if (o.block_size < 1) return Status::Config("CsvReadOptions.block_size must be >= 1, got 0");
  if (o.block_size > kMaxRoundBytes) {  // per-block dictionaries use 32-bit offsets
    return Status::Config("CsvReadOptions.block_size must be <= {}, got {}", kMaxRoundBytes,
                          o.block_size);
  }
  if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r') {
    return Status::Config("CsvReadOptions.delimiter cannot be a quote or a line end");
  }
  for (size_t i = 0; i < o.columns.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (o.columns[i] == o.columns[j]) {
        return Status::Config("CsvReadOptions.columns lists '{}' twice", o.columns[i]);
      }
    }
  }
  if (o.keep_rows) {
    const std::string& name = o.keep_rows->column;
    const bool typed = std::any_of(o.schema.begin(), o.schema.end(), [&](const Field& f) {
      return f.name == name && (f.type == DataType::kTimestamp || f.type == DataType::kInt64);
    });
    if (!typed) {
      return Status::Config(
          "CsvReadOptions.keep_rows: column '{}' must be declared a timestamp or int64 in the "
          "schema",
          name);
    }
    if (!o.columns.empty() &&
        std::find(o.columns.begin(), o.columns.end(), name) == o.columns.end()) {
      return Status::Config("CsvReadOptions.keep_rows: column '{}' must be one of the columns read",
                            name);
    }
  }
  return Status::Ok();
}

// Splits the header record [0, len) of the buffer into names.
Result<std::vector<std::string>> ParseHeaderFields(const std::string& name, const char* d,
                                                   size_t len, char delim) {
  std::vector<std::string> names;
  size_t i = 0;
  for (;;) {
    std::string field;
    const auto col = names.size() + 1;
    if (i < len && d[i] == '"') {
      ++i;
      for (;;) {
        if (i >= len) {
          return Status::Data("{}:1:{}: unterminated quoted field in the header", name, col);
        }
        if (d[i] == '"') {
          if (i + 1 < len && d[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += d[i++];
      }
      if (i < len && d[i] != delim && d[i] != '\n' &&
          !(d[i] == '\r' && i + 1 < len && d[i + 1] == '\n')) {
        return Status::Data(
            "{}:1:{}: expected {} or a line end after the closing quote in the header", name, col,
            DelimiterName(delim));
      }
    } else {
      while (i < len && d[i] != delim && d[i] != '\n' &&
             !(d[i] == '\r' && i + 1 < len && d[i + 1] == '\n')) {
        if (d[i] == '"') {
          return Status::Data("{}:1:{}: unexpected '\"' in an unquoted header name", name, col);
        }
        field += d[i++];
      }
    }
    names.push_back(std::move(field));
    if (i < len && d[i] == delim) {
      ++i;
      continue;
    }
    break;
  }
  for (size_t c = 0; c < names.size(); ++c) {
    if (names[c].empty()) {
      return Status::Data("{}:1:{}: empty column name in the header (every column needs a name)",
                          name, c + 1);
    }
    for (size_t j = 0; j < c; ++j) {
      if (names[j] == names[c]) {
        return Status::Data(
            "{}:1:{} (column '{}'): duplicate column name in the header (also column {})", name,
            c + 1, names[c], j + 1);
      }
    }
  }
  return names;
}

// Reads and consumes the header record.
Result<std::vector<std::string>> ReadHeader(RecordBuffer& rb, char delim, size_t first_fill) {
  UPCAMP_RETURN_IF_ERROR(rb.Fill(first_fill));
  if (rb.size() >= 3 && std::memcmp(rb.data(), "\xEF\xBB\xBF", 3) == 0) rb.Consume(3, 0);  // BOM
  if (rb.size() == 0) return Status::Data("{}: empty file (expected a header line)", rb.name());
  for (;;) {
    const char* d = rb.data();
    bool in_quotes = false;
    size_t end = SIZE_MAX;
    for (size_t i = 0; i < rb.size(); ++i) {
      if (d[i] == '"') {
        in_quotes = !in_quotes;
      } else if (d[i] == '\n' && !in_quotes) {
        end = i + 1;
        break;
      }
    }
    if (end == SIZE_MAX && !rb.eof()) {
      UPCAMP_RETURN_IF_ERROR(rb.Fill(rb.size() * 2));
      continue;
    }
    if (end == SIZE_MAX) end = rb.size();
    auto names = ParseHeaderFields(rb.name(), d, end, delim);
    if (!names.ok()) return names.status();
    rb.Consume(end, CountNewlines(d, end));
    return names;
  }
}

Status ResolveColumns(ReaderContext& ctx) {
  const CsvReadOptions& o = *ctx.options;
  std::unordered_map<std::string_view, uint32_t> index;
  for (size_t i = 0; i < ctx.header.size(); ++i)
    index.emplace(ctx.header[i], static_cast<uint32_t>(i));
  std::vector<std::string> wanted = o.columns.empty() ? ctx.header : o.columns;
  for (const std::string& w : wanted) {
    auto it = index.find(w);
    if (it == index.end()) {
      return Status::Data("{} has no column '{}' (columns: {})", ctx.name, w,
                          fmt::join(ctx.header, ", "));
    }
    ColumnSpec spec;
    spec.name = w;
    spec.field = it->second;
    for (const Field& f : o.schema) {
      if (f.name == w) {
        spec.type = f.type;
        spec.declared = true;
      }
    }
    ctx.columns.push_back(std::move(spec));
  }
  if (o.keep_rows && std::none_of(ctx.columns.begin(), ctx.columns.end(), [&](const ColumnSpec& c) {
        return c.name == o.keep_rows->column;
      })) {
    return Status::Data("{} has no column '{}' to keep rows by (columns: {})", ctx.name,
                        o.keep_rows->column, fmt::join(ctx.header, ", "));
  }
  return Status::Ok();
}

// Delimiters for the fast record path: none of them can continue a number, timestamp or bool
// text (fast_float alone takes digits, signs, '.', letters and parentheses), so its inline parsers
// end where ParseRecord's do. Files with other delimiters take the general path only.
bool FastPathDelimiter(char d) {
  return d == ',' || d == ';' || d == '\t' || d == '|';
}

ParsePlan MakePlan(const ReaderContext& ctx, bool infer) {
  ParsePlan plan;
  plan.delimiter = ctx.options->delimiter;
  plan.skip_blank_lines = ctx.header.size() > 1;
  plan.max_bad_rows = ctx.options->max_errors;
  plan.fields.resize(ctx.header.size());
  for (size_t c = 0; c < ctx.columns.size(); ++c) {
    const ColumnSpec& s = ctx.columns[c];
    const Action a = infer && !s.declared ? Action::kInfer : ActionFor(s.type);
    plan.fields[s.field] = FieldPlan{a, static_cast<uint32_t>(c)};
    plan.out_actions.push_back(a);
  }
  for (uint32_t f = 0; f < plan.fields.size(); ++f) {
    if (plan.fields[f].action != Action::kSkip) plan.parsed_fields.push_back(f);
  }
  if (ctx.options->keep_rows && !infer) {  // the inference pass looks at every row
    const RowTimeRange& k = *ctx.options->keep_rows;
    for (size_t c = 0; c < ctx.columns.size(); ++c) {
      if (ctx.columns[c].name != k.column) continue;
      plan.filter_out = static_cast<int32_t>(c);
      plan.filter_field = ctx.columns[c].field;
    }
    for (uint32_t f : plan.parsed_fields) {
      if (f == plan.filter_field) continue;
      plan.kept_row_fields.push_back(f);
      if (plan.fields[f].action != Action::kString) plan.dropped_row_fields.push_back(f);
    }
    plan.keep = k;
  }
  plan.level =
      FastPathDelimiter(plan.delimiter) ? csv_scan::ActiveLevel() : csv_scan::Level::kGeneral;
  return plan;
}

bool NeedsInference(const ReaderContext& ctx) {
  return std::any_of(ctx.columns.begin(), ctx.columns.end(),
                     [](const ColumnSpec& c) { return !c.declared; });
}

// ------------------------------------------------------------------------------------------------
// The round loop

/// A finished round: parsed blocks in file order, string codes already global.
struct Round {
  std::vector<BlockResult>* blocks = nullptr;
  size_t nblocks = 0;
  size_t rows = 0;
  double input_fraction = 1.0;  // of the input file read so far (for reserving capacity)
  int set = 0;                  // which of the runner's two result sets (double buffering)
  size_t base = 0;              // the caller's: first output row of the round
};

/// What RoundRunner::Run calls for each round, in this order:
/// - `bind` (optional; calling thread, before the parse): the blocks are Prepare'd (bound to
///   scratch, max_rows known); it may rebind their columns to the caller's storage. If that
///   storage must move (grow), it first calls `wait`, which finishes the previous round's merge.
/// - `settle` (optional; calling thread, after the parse, rows known, before the merge).
/// - `merge`: each round in file order; with more than one thread on a helper thread while the
///   next round is parsed (double buffering).
/// - `after` (optional): on the calling thread once that round's merge is done, also while the
///   next round is parsed (on a thread of its own then).
struct RoundHooks {
  std::function<Status(Round&, const std::function<Status()>& wait)> bind;
  std::function<void(Round&)> settle;
  std::function<Status(Round&)> merge;
  std::function<Status()> after;
};

/// Output columns growing round by round (also the batch of one round).
struct ColumnBuilder {
  Action action = Action::kSkip;
  // Grown round by round without zero-filling (BindRound): the blocks write every kept row.
  NoInitVector<int64_t> i64;
  NoInitVector<double> f64;
  NoInitVector<int32_t> codes;
  NoInitVector<uint8_t> bools;
  std::shared_ptr<StringDictionary> dict;
  // Per block of the current round: local code -> global code.
  std::vector<std::vector<int32_t>> remap;

  /// Calls f on the vector that holds this column's values (codes for strings).
  template <typename F>
  decltype(auto) Values(F&& f) {
    switch (action) {
      case Action::kInt64:
      case Action::kTimestamp:
        return f(i64);
      case Action::kFloat64:
        return f(f64);
      case Action::kBool:
        return f(bools);
      default:
        return f(codes);
    }
  }
};

class RoundRunner {
 public:
  RoundRunner(const ReaderContext& ctx, const ParsePlan& plan) : ctx_(ctx), plan_(plan) {
    const CsvReadOptions& o = *ctx.options;
    block_size_ = o.block_size;
    blocks_per_round_ = std::clamp<size_t>(kMaxRoundBytes / block_size_, 1, kMaxBlocksPerRound);
    round_bytes_ = block_size_ * blocks_per_round_;
  }

  size_t round_bytes() const { return round_bytes_; }
  uint64_t bad_rows() const { return bad_rows_; }
  uint64_t dropped_rows() const { return dropped_rows_; }
  const std::string& first_error() const { return first_error_; }

  /// Parses rounds until the input ends, calling `hooks` (see RoundHooks) for each. If
  /// `first_block_only`, parses only the first block of the first round and consumes nothing.
  Status Run(RecordBuffer& rb, bool first_block_only, Progress* progress, const RoundHooks& hooks) {
    const auto& merge = hooks.merge;
    const auto& after = hooks.after;
    const int threads = ctx_.options->threads;
    const bool pipelined = threads > 1 && !first_block_only;
    std::thread helper;
    Status helper_status;
    struct JoinAtExit {
      std::thread& t;
      ~JoinAtExit() {
        if (t.joinable()) t.join();
      }
    } join_at_exit{helper};
    auto finish_previous = [&]() -> Status {
      if (!helper.joinable()) return Status::Ok();
      helper.join();
      UPCAMP_RETURN_IF_ERROR(helper_status);
      return after ? after() : Status::Ok();
    };

    const uint64_t raw_size = rb.raw_size();
    // Counted from 0, not from the current position: the header read may already have buffered
    // the whole file (anything under a round), and those bytes are parsed in the first round.
    uint64_t raw_seen = 0;
    size_t fill = round_bytes_;
    int set = 0;
    for (;;) {
      UPCAMP_RETURN_IF_ERROR(rb.Fill(fill));
      if (rb.size() == 0) break;
      Layout lay = ComputeLayout(rb, block_size_, threads);
      if (lay.usable == 0 && !rb.eof()) {  // one record longer than the buffer: read more
        fill = rb.size() * 2;
        continue;
      }
      fill = round_bytes_;
      std::vector<BlockResult>& results = results_[set];
      const size_t nb = first_block_only ? 1 : lay.blocks();
      if (results.size() < nb) results.resize(nb);
      for (size_t k = 0; k < nb; ++k) results[k].Prepare(plan_.out_actions, lay.max_rows[k]);
      Round round;
      round.blocks = &results;
      round.nblocks = nb;
      round.set = set;
      if (hooks.bind) UPCAMP_RETURN_IF_ERROR(hooks.bind(round, finish_previous));
      auto parse = [&] {
        ParallelFor(threads, nb, [&](size_t k, int) {
          BlockParser parser(plan_, rb.data());
          parser.Parse(rb.data() + lay.starts[k], rb.data() + lay.starts[k + 1], results[k]);
        });
      };
      Status previous;
      if (helper.joinable()) {
        // The previous round's merge and `after` (the batch consumer, on this thread) overlap
        // this round's parse.
        std::thread parser(parse);
        struct JoinParser {
          std::thread& t;
          ~JoinParser() {
            if (t.joinable()) t.join();
          }
        } join_parser{parser};
        previous = finish_previous();  // frees the other result set, too
        parser.join();
      } else {
        parse();
      }
      UPCAMP_RETURN_IF_ERROR(previous);
      for (size_t k = 0; k < nb; ++k) {
        const BlockResult& b = results[k];
        round.rows += b.rows;
        dropped_rows_ += b.dropped_rows;
        if (b.bad_rows == 0) continue;
        if (bad_rows_ == 0) {
          first_error_ = FormatRowError(ctx_, LineAt(rb, lay, b.first_error.offset), b.first_error);
        }
        bad_rows_ += b.bad_rows;
        if (bad_rows_ > ctx_.options->max_errors) {
          if (ctx_.options->max_errors == 0) return Status::Data("{}", first_error_);
          return Status::Data("{} (the first of more than {} bad rows; max_errors = {})",
                              first_error_, ctx_.options->max_errors, ctx_.options->max_errors);
        }
      }
      if (first_block_only) return merge(round);
      rb.Consume(lay.usable, lay.usable_newlines);
      const uint64_t raw = rb.raw_position();
      round.input_fraction =
          raw_size > 0 ? std::min(1.0, static_cast<double>(raw) / static_cast<double>(raw_size))
                       : 1.0;
      if (progress != nullptr) {
        progress->Add(raw - raw_seen);
        raw_seen = raw;
      }
      if (hooks.settle) hooks.settle(round);
      if (pipelined) {
        helper = std::thread([&merge, &helper_status, round]() mutable {
          try {
            helper_status = merge(round);
          } catch (const std::exception& e) {
            helper_status = Status::Runtime("CSV reader: {}", e.what());
          }
        });
        set ^= 1;
      } else {
        UPCAMP_RETURN_IF_ERROR(merge(round));
        if (after) UPCAMP_RETURN_IF_ERROR(after());
      }
      if (rb.eof() && rb.size() == 0) break;
    }
    return finish_previous();
  }

 private:
  const ReaderContext& ctx_;
  const ParsePlan& plan_;
  size_t block_size_ = 0;
  size_t blocks_per_round_ = 0;
  size_t round_bytes_ = 0;
  std::vector<BlockResult> results_[2];  // double buffer: parse one round, merge the other
  uint64_t bad_rows_ = 0;
  uint64_t dropped_rows_ = 0;
  std::string first_error_;
};

// Maps the not yet touched pages of [p, p + bytes) in one system call instead of one page fault
// per page when they are first written.
void PopulateForWrite([[maybe_unused]] char* p, [[maybe_unused]] size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
  if (end > begin) {
    (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
  }
#endif
}

// Makes room for the round's rows at the end of `cols` (from row `base`, up to each block's
// max_rows, in block order) and binds the blocks' columns there. Storage the previous round's
// merge may still use is only moved (reallocated) after `wait`. The new rows' pages are mapped in
// one call each and not zero-filled (NoInitVector): together about a tenth of the reader's CPU
// time on a large file (the kernel's page faults, then a memset whose zeros the parse's stores
// had to read back from memory).
Status BindRound(Round& round, std::vector<ColumnBuilder>& cols, size_t base, size_t reserve_rows,
                 const std::function<Status()>& wait) {
  auto& blocks = *round.blocks;
  size_t need = base;
  for (size_t k = 0; k < round.nblocks; ++k) need += blocks[k].max_rows;
  bool waited = false;
  for (ColumnBuilder& c : cols) {
    const bool grow = c.Values([&](auto& v) { return v.capacity() < need; });
    if (grow && !waited && wait) {
      UPCAMP_RETURN_IF_ERROR(wait());
      waited = true;
    }
    c.Values([&](auto& v) {
      if (grow) v.reserve(std::max({need, reserve_rows, v.capacity() + v.capacity() / 2}));
      PopulateForWrite(reinterpret_cast<char*>(v.data() + v.size()),
                       (need - std::min(need, v.size())) * sizeof(v[0]));
      v.resize(need);
    });
  }
  round.base = base;
  for (size_t c = 0; c < cols.size(); ++c) {
    auto* data = cols[c].Values([](auto& v) { return reinterpret_cast<char*>(v.data()); });
    const size_t bytes = ValueBytes(cols[c].action);
    size_t at = base;
    for (size_t k = 0; k < round.nblocks; ++k) {
      blocks[k].cols[c].Bind(data + at * bytes, blocks[k].max_rows);
      at += blocks[k].max_rows;
    }
  }
  return Status::Ok();
}

// After the parse: closes the gaps between the blocks' rows (a block has fewer rows than its
// max_rows only when it holds blank lines, quoted line ends, bad rows or the file's last line)
// and trims `cols` to the round's end.
void SettleRound(const Round& round, std::vector<ColumnBuilder>& cols) {
  const auto& blocks = *round.blocks;
  for (size_t c = 0; c < cols.size(); ++c) {
    auto* data = cols[c].Values([](auto& v) { return reinterpret_cast<char*>(v.data()); });
    const size_t bytes = ValueBytes(cols[c].action);
    size_t at = round.base;  // where the block's rows are now
    size_t to = round.base;  // where they belong
    for (size_t k = 0; k < round.nblocks; ++k) {
      const size_t rows = blocks[k].rows;
      if (to != at && rows > 0) std::memmove(data + to * bytes, data + at * bytes, rows * bytes);
      at += blocks[k].max_rows;
      to += rows;
    }
    cols[c].Values([&](auto& v) { v.resize(to); });
  }
}

// Merges the round's local dictionaries (in block order) into the columns' dictionaries and
// turns the round's codes (already in place, SettleRound'ed) from local into column codes.
void AppendRound(Round& round, std::vector<ColumnBuilder>& cols, int threads) {
  auto& blocks = *round.blocks;
  const size_t nb = round.nblocks;
  std::vector<size_t> string_cols;
  for (size_t c = 0; c < cols.size(); ++c) {
    if (cols[c].action == Action::kString) string_cols.push_back(c);
  }
  ParallelFor(threads, string_cols.size(), [&](size_t t, int) {
    ColumnBuilder& col = cols[string_cols[t]];
    col.remap.resize(nb);
    for (size_t k = 0; k < nb; ++k) {
      const LocalDict& local = blocks[k].cols[string_cols[t]].dict;
      auto& remap = col.remap[k];
      const int32_t n = local.size();
      remap.resize(static_cast<size_t>(n));
      // A column of unique keys makes this a stream of cache misses in a large table: fetch the
      // slots a few values ahead.
      constexpr int32_t kAhead = 8;
      for (int32_t i = 0; i < std::min(n, kAhead); ++i) col.dict->Prefetch(local.Hash(i));
      for (int32_t i = 0; i < n; ++i) {
        if (i + kAhead < n) col.dict->Prefetch(local.Hash(i + kAhead));
        remap[static_cast<size_t>(i)] = col.dict->GetOrAdd(local.Get(i), local.Hash(i));
      }
    }
  });
  std::vector<size_t> offsets(nb + 1, round.base);
  for (size_t k = 0; k < nb; ++k) offsets[k + 1] = offsets[k] + blocks[k].rows;
  ParallelFor(threads, nb * string_cols.size(), [&](size_t task, int) {
    const size_t k = task / string_cols.size();
    ColumnBuilder& c = cols[string_cols[task % string_cols.size()]];
    const auto& remap = c.remap[k];
    int32_t* out = c.codes.data() + offsets[k];
    const size_t rows = blocks[k].rows;
    for (size_t i = 0; i < rows; ++i) {
      const int32_t code = out[i];
      out[i] = code == kNullCode ? kNullCode : remap[static_cast<size_t>(code)];
    }
  });
}

std::vector<ColumnBuilder> MakeBuilders(const ReaderContext& ctx) {
  std::vector<ColumnBuilder> cols(ctx.columns.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    cols[c].action = ActionFor(ctx.columns[c].type);
    if (cols[c].action == Action::kString) cols[c].dict = std::make_shared<StringDictionary>();
  }
  return cols;
}

Result<Table> BuildTable(const ReaderContext& ctx, std::vector<ColumnBuilder>& cols,
                         bool keep_dicts) {
  std::vector<Column> out;
  out.reserve(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    const std::string& name = ctx.columns[c].name;
    ColumnBuilder& b = cols[c];
    switch (ctx.columns[c].type) {
      case DataType::kInt64:
        out.push_back(Column::AdoptInt64(name, std::move(b.i64)));
        break;
      case DataType::kTimestamp:
        out.push_back(Column::AdoptTimestamp(name, std::move(b.i64)));
        break;
      case DataType::kFloat64:
        out.push_back(Column::AdoptFloat64(name, std::move(b.f64)));
        break;
      case DataType::kBool:
        out.push_back(Column::AdoptBool(name, std::move(b.bools)));
        break;
      case DataType::kString:
        out.push_back(
            Column::AdoptString(name, std::move(b.codes), keep_dicts ? b.dict : std::move(b.dict)));
        break;
    }
    b.i64 = {};
    b.f64 = {};
    b.bools = {};
    b.codes = {};
  }
  return Table::Make(std::move(out));
}

void ReportSkipped(const ReaderContext& ctx, const RoundRunner& runner) {
  if (runner.bad_rows() == 0) return;
  spdlog::warn("{}: skipped {} bad row{} (max_errors = {}); the first: {}", ctx.name,
               runner.bad_rows(), runner.bad_rows() == 1 ? "" : "s", ctx.options->max_errors,
               runner.first_error());
}

using InputFactory = std::function<Result<std::unique_ptr<RecordBuffer>>()>;

// A plain file is mapped; a compressed one (or one that cannot be mapped) is streamed, with the
// decompression on a prefetching thread.
Result<std::unique_ptr<RecordBuffer>> OpenFile(const std::string& path) {
  const bool compressed = !CompressionSuffix(path).empty();
  if (!compressed) {
    if (auto map = MappedFile::Open(path)) {
      return std::make_unique<RecordBuffer>(std::move(map), path);
    }
  }
  auto in = InputStream::Open(path);
  if (!in.ok()) return in.status();
  if (compressed) *in = InputStream::Prefetching(std::move(*in));
  return std::make_unique<RecordBuffer>(std::move(*in), path);
}

// Opens the input and reads the header; fills ctx.header and ctx.columns.
Result<std::unique_ptr<RecordBuffer>> OpenReader(const InputFactory& open, ReaderContext& ctx,
                                                 size_t first_fill) {
  UPCAMP_ASSIGN_OR_RETURN(std::unique_ptr<RecordBuffer> rb, open());
  auto header = ReadHeader(*rb, ctx.options->delimiter, first_fill);
  if (!header.ok()) return header.status();
  ctx.header = std::move(*header);
  ctx.columns.clear();
  UPCAMP_RETURN_IF_ERROR(ResolveColumns(ctx));
  return rb;
}

// Infers the undeclared columns' types from every row (ReadCsv) or the first block (batches).
Status InferTypes(ReaderContext& ctx, RecordBuffer& rb, bool first_block_only) {
  const ParsePlan plan = MakePlan(ctx, /*infer=*/true);
  std::vector<uint8_t> masks(ctx.columns.size(), kCanAll);
  std::vector<uint8_t> seen(ctx.columns.size(), 0);
  RoundRunner runner(ctx, plan);
  std::unique_ptr<Progress> progress;
  if (!ctx.options->progress_label.empty() && !first_block_only) {
    progress = std::make_unique<Progress>(ctx.options->progress_label + " (inferring types)",
                                          rb.raw_size(), "bytes");
  }
  RoundHooks hooks;
  hooks.merge = [&](Round& round) {
    for (size_t k = 0; k < round.nblocks; ++k) {
      const BlockResult& b = (*round.blocks)[k];
      for (size_t c = 0; c < masks.size(); ++c) {
        masks[c] &= b.cols[c].mask;
        seen[c] |= static_cast<uint8_t>(b.cols[c].seen);
      }
    }
    return Status::Ok();
  };
  UPCAMP_RETURN_IF_ERROR(runner.Run(rb, first_block_only, progress.get(), hooks));
  if (progress) progress->Finish();
  for (size_t c = 0; c < ctx.columns.size(); ++c) {
    ColumnSpec& s = ctx.columns[c];
    if (s.declared) continue;
    s.type = InferredType(masks[c], seen[c] != 0);
    s.inferred_from_first_block = first_block_only;
  }
  return Status::Ok();
}

size_t RoundBytes(const CsvReadOptions& o) {
  return std::clamp<size_t>(kMaxRoundBytes / o.block_size, 1, kMaxBlocksPerRound) * o.block_size;
}

// Validates the options, opens the input and reads the header.
Result<std::unique_ptr<RecordBuffer>> Start(const InputFactory& open, ReaderContext& ctx) {
  UPCAMP_RETURN_IF_ERROR(ValidateOptions(*ctx.options));
  return OpenReader(open, ctx, RoundBytes(*ctx.options));
}

// The typed pass of ReadAll and ReadCsvBatches (types known). Blocks parse straight into the
// output columns: ReadAll appends every round to `sets[0]` (`append`); ReadCsvBatches gives each
// round fresh columns in `sets[round.set]`, two sets so that one round's batch is built while the
// next round parses into the other. Each round is then merged and handed to `on_round` (on the
// merge thread); `after` runs on the calling thread.
Status ParseTyped(const ReaderContext& ctx, RecordBuffer& rb,
                  std::array<std::vector<ColumnBuilder>*, 2> sets, bool append,
                  const std::function<Status(const Round&)>& on_round,
                  const std::function<Status()>& after = nullptr) {
  const ParsePlan plan = MakePlan(ctx, /*infer=*/false);
  RoundRunner runner(ctx, plan);
  std::unique_ptr<Progress> progress;
  if (!ctx.options->progress_label.empty()) {
    progress = std::make_unique<Progress>(ctx.options->progress_label, rb.raw_size(), "bytes");
  }
  auto cols_of = [&](const Round& r) -> std::vector<ColumnBuilder>& {
    return append ? *sets[0] : *sets[static_cast<size_t>(r.set)];
  };
  size_t rows_done = 0;
  double fraction_done = 0;
  RoundHooks hooks;
  hooks.bind = [&](Round& r, const std::function<Status()>& wait) {
    if (!append) return BindRound(r, cols_of(r), 0, 0, nullptr);  // fresh columns: not shared
    // Appending: once the first round has shown the file's density, grow the columns for the
    // whole file at once (capacity never touched costs no memory), not by doubling.
    size_t hint = 0;
    if (rows_done > 0 && fraction_done > 0 && fraction_done < 0.9) {
      hint = static_cast<size_t>(static_cast<double>(rows_done) * 1.1 / fraction_done);
    }
    return BindRound(r, cols_of(r), rows_done, hint, wait);
  };
  hooks.settle = [&](Round& r) {
    SettleRound(r, cols_of(r));
    rows_done = append ? rows_done + r.rows : 0;
    fraction_done = r.input_fraction;
  };
  hooks.merge = [&](Round& r) {
    AppendRound(r, cols_of(r), ctx.options->threads);
    return on_round(r);
  };
  hooks.after = after;
  UPCAMP_RETURN_IF_ERROR(runner.Run(rb, false, progress.get(), hooks));
  if (progress) progress->Finish();
  ReportSkipped(ctx, runner);
  if (ctx.options->rows_dropped != nullptr) *ctx.options->rows_dropped = runner.dropped_rows();
  return Status::Ok();
}

Result<Table> ReadAll(const InputFactory& open, std::string name, const CsvReadOptions& options) {
  ReaderContext ctx;
  ctx.name = std::move(name);
  ctx.options = &options;
  UPCAMP_ASSIGN_OR_RETURN(std::unique_ptr<RecordBuffer> rb, Start(open, ctx));
  if (NeedsInference(ctx)) {
    UPCAMP_RETURN_IF_ERROR(InferTypes(ctx, *rb, /*first_block_only=*/false));
    std::vector<ColumnSpec> resolved = ctx.columns;
    UPCAMP_ASSIGN_OR_RETURN(rb, OpenReader(open, ctx, RoundBytes(options)));  // types known
    ctx.columns = std::move(resolved);
    for (ColumnSpec& c : ctx.columns) c.declared = true;
  }
  std::vector<ColumnBuilder> cols = MakeBuilders(ctx);
  bool reserved = false;
  UPCAMP_RETURN_IF_ERROR(ParseTyped(ctx, *rb, {&cols, &cols}, /*append=*/true, [&](const Round& r) {
    if (reserved || r.input_fraction >= 0.9 || r.rows == 0) return Status::Ok();
    // Size the dictionaries for the whole file from the first round's density, so that they do
    // not rehash while growing.
    reserved = true;
    const double scale = 1.1 / std::max(r.input_fraction, 1e-6);
    const auto rows = static_cast<size_t>(static_cast<double>(r.rows) * scale);
    for (ColumnBuilder& c : cols) {
      if (c.dict) {
        c.dict->Reserve(
            std::min(rows, static_cast<size_t>(static_cast<double>(c.dict->size()) * scale)));
      }
    }
    return Status::Ok();
  }));
  return BuildTable(ctx, cols, /*keep_dicts=*/false);
}

}  // namespace

Result<Table> ReadCsv(const std::string& path, const CsvReadOptions& options) {
  return ReadAll([&] { return OpenFile(path); }, path, options);
}

Result<Table> ReadCsvString(std::string_view text, const CsvReadOptions& options,
                            std::string_view name) {
  const std::string file_name(name);
  return ReadAll(
      [&]() -> Result<std::unique_ptr<RecordBuffer>> {
        return std::make_unique<RecordBuffer>(InputStream::FromMemory(text), file_name);
      },
      file_name, options);
}

Result<std::vector<std::string>> ReadCsvHeader(const std::string& path, char delimiter) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    return Status::Config("ReadCsvHeader: the delimiter cannot be a quote or a line end");
  }
  auto in = InputStream::Open(path);
  if (!in.ok()) return in.status();
  RecordBuffer rb(std::move(*in), path);
  return ReadHeader(rb, delimiter, size_t{64} << 10);
}

Status ReadCsvBatches(const std::string& path, const CsvReadOptions& options,
                      const std::function<Status(const Table& batch)>& consume) {
  ReaderContext ctx;
  ctx.name = path;
  ctx.options = &options;
  UPCAMP_ASSIGN_OR_RETURN(std::unique_ptr<RecordBuffer> rb,
                          Start([&] { return OpenFile(path); }, ctx));
  if (NeedsInference(ctx)) {
    UPCAMP_RETURN_IF_ERROR(InferTypes(ctx, *rb, /*first_block_only=*/true));
    for (ColumnSpec& c : ctx.columns) c.declared = true;
  }
  std::vector<ColumnBuilder> cols[2] = {MakeBuilders(ctx), MakeBuilders(ctx)};
  for (size_t c = 0; c < cols[0].size(); ++c) cols[1][c].dict = cols[0][c].dict;  // one per column
  // The batch is built on the merge thread; `consume` always runs on the calling thread.
  Table pending;
  return ParseTyped(
      ctx, *rb, {&cols[0], &cols[1]}, /*append=*/false,
      [&](const Round& r) {
        UPCAMP_ASSIGN_OR_RETURN(
            pending, BuildTable(ctx, cols[static_cast<size_t>(r.set)], /*keep_dicts=*/true));
        return Status::Ok();
      },
      [&] {
        Table batch = std::move(pending);
        pending = Table();
        if (batch.num_rows() == 0) return Status::Ok();
        return consume(batch);
      });
}

}  // namespace upcamp
