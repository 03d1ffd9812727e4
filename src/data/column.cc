#include "data/column.h"

// Inline XXH3 (StringDictionary::HashOf): no call into the shared library per value.
#define XXH_INLINE_ALL
#include <sys/mman.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/civil_time.h"

namespace upcamp {

const char* DataTypeName(DataType type) {
  switch (type) {
    case DataType::kInt64:
      return "int64";
    case DataType::kFloat64:
      return "float64";
    case DataType::kString:
      return "string";
    case DataType::kTimestamp:
      return "timestamp";
    case DataType::kBool:
      return "bool";
  }
  return "unknown";
}

std::optional<DataType> ParseDataType(std::string_view n) {
  if (n == "int64" || n == "int") return DataType::kInt64;
  if (n == "float64" || n == "float" || n == "double") return DataType::kFloat64;
  if (n == "string" || n == "str") return DataType::kString;
  if (n == "timestamp" || n == "datetime" || n == "date") return DataType::kTimestamp;
  if (n == "bool") return DataType::kBool;
  return std::nullopt;
}

uint64_t StringDictionary::HashOf(std::string_view value) {
  return XXH3_64bits(value.data(), value.size());
}

StringDictionary::StringDictionary(const StringDictionary& other) {
  *this = other;
}

StringDictionary& StringDictionary::operator=(const StringDictionary& other) {
  if (this == &other) return *this;
  // Same table size, hence the same slots: copy the table and the values (in code order).
  refs_.clear();
  chunks_.clear();
  chunk_pos_ = nullptr;
  chunk_left_ = 0;
  arena_bytes_ = 0;
  refs_.reserve(other.refs_.size());
  for (int32_t c = 0; c < other.size(); ++c) refs_.push_back(Store(other.Get(c)));
  slots_ = other.slots_;
  shift_ = other.shift_;
  return *this;
}

std::string_view StringDictionary::LongValue(const char* p) {
  uint64_t len;
  std::memcpy(&len, p, sizeof len);
  return {p + sizeof len, static_cast<size_t>(len)};
}

uint64_t StringDictionary::Store(std::string_view value) {
  if (value.empty()) return 0;
  const bool long_value = value.size() >= kLongValue;
  const size_t need = value.size() + (long_value ? sizeof(uint64_t) : 0);
  // chunks_.empty(): also a moved-from dictionary, whose chunk_pos_ still points into the chunk
  // that moved away with the other one.
  if (chunks_.empty() || need > chunk_left_) {
    // Chunks grow with the arena (4 KiB .. 16 MiB), so small dictionaries stay small and large
    // ones make few allocations; a value longer than that gets a chunk of its own size.
    constexpr size_t kMinChunk = size_t{4} << 10;
    const size_t size = std::max(need, std::clamp(arena_bytes_, kMinChunk, kMaxChunk));
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    chunk_pos_ = chunks_.back().get();
    chunk_left_ = size;
  }
  char* dst = chunk_pos_;
  const uint64_t ref = (static_cast<uint64_t>(chunks_.size() - 1) << kChunkShift) |
                       (static_cast<uint64_t>(dst - chunks_.back().get()) << kOffsetShift) |
                       (long_value ? kLongValue : value.size());
  if (long_value) {
    const uint64_t len = value.size();
    std::memcpy(dst, &len, sizeof len);
    dst += sizeof len;
  }
  const size_t n = value.size();
  if (n - 8 <= 8) {  // ids of 8 to 16 bytes: two overlapping word copies instead of a call
    uint64_t head, tail;
    std::memcpy(&head, value.data(), 8);
    std::memcpy(&tail, value.data() + n - 8, 8);
    std::memcpy(dst, &head, 8);
    std::memcpy(dst + n - 8, &tail, 8);
  } else {
    std::memcpy(dst, value.data(), n);
  }
  chunk_pos_ += need;
  chunk_left_ -= need;
  arena_bytes_ += need;
  return ref;
}

namespace {

// Asks the kernel to back a large, not yet touched allocation with 2 MiB pages. A dictionary of
// millions of unique values hits its slot table at random, one TLB miss per lookup with 4 KiB
// pages; with huge pages the misses mostly go. Only a hint: without THP nothing changes.
void AdviseHugePages([[maybe_unused]] void* p, [[maybe_unused]] size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < 2 * kHuge) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
}

}  // namespace

void StringDictionary::Resize(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_ = std::vector<Slot>();
  slots_.reserve(slots);  // untouched memory, so the advice applies before the pages exist
  AdviseHugePages(slots_.data(), slots * sizeof(Slot));
  slots_.assign(slots, Slot{0, kNullCode});
  shift_ = 64 - std::countr_zero(slots);
  const size_t mask = slots - 1;
  for (const Slot& s : old) {
    if (s.code == kNullCode) continue;
    size_t i = SlotOf(s.tag);
    while (slots_[i].code != kNullCode) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void StringDictionary::Reserve(size_t n) {
  refs_.reserve(n);
  size_t slots = std::max(kMinSlots, slots_.size());
  while (!WithinLoad(n, slots)) slots *= 2;
  if (slots > slots_.size()) Resize(slots);
}

int32_t StringDictionary::GetOrAdd(std::string_view value, uint64_t hash) {
  if (!WithinLoad(refs_.size() + 1, slots_.size())) {
    Resize(std::max(kMinSlots, 2 * slots_.size()));
  }
  const uint32_t tag = Tag(hash);
  const size_t mask = slots_.size() - 1;
  size_t i = SlotOf(tag);
  for (;; i = (i + 1) & mask) {
    const Slot s = slots_[i];
    if (s.code == kNullCode) break;
    if (s.tag == tag && Get(s.code) == value) return s.code;
  }
  const auto code = static_cast<int32_t>(refs_.size());
  refs_.push_back(Store(value));
  slots_[i] = Slot{tag, code};
  return code;
}

int32_t StringDictionary::Find(std::string_view value, uint64_t hash) const {
  if (slots_.empty()) return kNullCode;
  const uint32_t tag = Tag(hash);
  const size_t mask = slots_.size() - 1;
  for (size_t i = SlotOf(tag);; i = (i + 1) & mask) {
    const Slot s = slots_[i];
    if (s.code == kNullCode) return kNullCode;
    if (s.tag == tag && Get(s.code) == value) return s.code;
  }
}

template <typename Vector>
Column Column::FromValues(std::string name, DataType type, Vector values,
                          std::shared_ptr<StringDictionary> dictionary) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = type;
  c.data_ = std::move(values);
  if (type == DataType::kString) {
    c.dictionary_ = dictionary ? std::move(dictionary) : std::make_shared<StringDictionary>();
  }
  return c;
}

Column Column::Int64(std::string name, std::vector<int64_t> values) {
  return FromValues(std::move(name), DataType::kInt64, std::move(values));
}
Column Column::Float64(std::string name, std::vector<double> values) {
  return FromValues(std::move(name), DataType::kFloat64, std::move(values));
}
Column Column::Timestamp(std::string name, std::vector<int64_t> seconds) {
  return FromValues(std::move(name), DataType::kTimestamp, std::move(seconds));
}
Column Column::Bool(std::string name, std::vector<uint8_t> values) {
  return FromValues(std::move(name), DataType::kBool, std::move(values));
}
Column Column::String(std::string name, std::vector<int32_t> codes,
                      std::shared_ptr<StringDictionary> dictionary) {
  return FromValues(std::move(name), DataType::kString, std::move(codes), std::move(dictionary));
}
Column Column::AdoptInt64(std::string name, NoInitVector<int64_t> values) {
  return FromValues(std::move(name), DataType::kInt64, std::move(values));
}
Column Column::AdoptFloat64(std::string name, NoInitVector<double> values) {
  return FromValues(std::move(name), DataType::kFloat64, std::move(values));
}
Column Column::AdoptTimestamp(std::string name, NoInitVector<int64_t> seconds) {
  return FromValues(std::move(name), DataType::kTimestamp, std::move(seconds));
}
Column Column::AdoptBool(std::string name, NoInitVector<uint8_t> values) {
  return FromValues(std::move(name), DataType::kBool, std::move(values));
}
Column Column::AdoptString(std::string name, NoInitVector<int32_t> codes,
                           std::shared_ptr<StringDictionary> dictionary) {
  return FromValues(std::move(name), DataType::kString, std::move(codes), std::move(dictionary));
}

Column Column::StringFromValues(std::string name,
                                const std::vector<std::optional<std::string>>& values) {
  auto dict = std::make_shared<StringDictionary>();
  std::vector<int32_t> codes;
  codes.reserve(values.size());
  for (const auto& v : values) codes.push_back(v ? dict->GetOrAdd(*v) : kNullCode);
  return String(std::move(name), std::move(codes), std::move(dict));
}

Column Column::Nulls(std::string name, DataType type, size_t size) {
  switch (type) {
    case DataType::kInt64:
      return Int64(std::move(name), std::vector<int64_t>(size, kNullInt64));
    case DataType::kTimestamp:
      return Timestamp(std::move(name), std::vector<int64_t>(size, kNullInt64));
    case DataType::kFloat64:
      return Float64(std::move(name), std::vector<double>(size, kNullFloat64));
    case DataType::kBool:
      return Bool(std::move(name), std::vector<uint8_t>(size, kNullBool));
    case DataType::kString:
      return String(std::move(name), std::vector<int32_t>(size, kNullCode), nullptr);
  }
  return {};
}

size_t Column::size() const {
  return std::visit([](const auto& v) { return v.size(); }, data_);
}

template <typename T>
std::span<const T> Column::ValuesOf() const {
  if (const auto* v = std::get_if<std::vector<T>>(&data_)) return *v;
  return std::get<NoInitVector<T>>(data_);
}

template <typename T>
std::vector<T>& Column::MutableValuesOf() {
  if (auto* adopted = std::get_if<NoInitVector<T>>(&data_)) {
    std::vector<T> copy(adopted->begin(), adopted->end());
    data_ = std::move(copy);
  }
  return std::get<std::vector<T>>(data_);
}

std::span<const int64_t> Column::int64s() const {
  assert(type_ == DataType::kInt64 || type_ == DataType::kTimestamp);
  return ValuesOf<int64_t>();
}
std::span<const double> Column::float64s() const {
  assert(type_ == DataType::kFloat64);
  return ValuesOf<double>();
}
std::span<const int32_t> Column::codes() const {
  assert(type_ == DataType::kString);
  return ValuesOf<int32_t>();
}
std::span<const uint8_t> Column::bools() const {
  assert(type_ == DataType::kBool);
  return ValuesOf<uint8_t>();
}
const StringDictionary& Column::dictionary() const {
  assert(type_ == DataType::kString && dictionary_);
  return *dictionary_;
}
std::vector<int64_t>& Column::mutable_int64s() {
  return MutableValuesOf<int64_t>();
}
std::vector<double>& Column::mutable_float64s() {
  return MutableValuesOf<double>();
}
std::vector<int32_t>& Column::mutable_codes() {
  return MutableValuesOf<int32_t>();
}
std::vector<uint8_t>& Column::mutable_bools() {
  return MutableValuesOf<uint8_t>();
}

bool Column::IsNull(size_t row) const {
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      return int64s()[row] == kNullInt64;
    case DataType::kFloat64:
      return IsNullFloat64(float64s()[row]);
    case DataType::kString:
      return codes()[row] == kNullCode;
    case DataType::kBool:
      return bools()[row] == kNullBool;
  }
  return false;
}

size_t Column::NullCount() const {
  size_t n = 0;
  const size_t rows = size();
  for (size_t i = 0; i < rows; ++i) n += IsNull(i);
  return n;
}

double Column::AsDouble(size_t row) const {
  if (IsNull(row)) return kNullFloat64;
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      return static_cast<double>(int64s()[row]);
    case DataType::kFloat64:
      return float64s()[row];
    case DataType::kBool:
      return bools()[row];
    case DataType::kString:
      return kNullFloat64;
  }
  return kNullFloat64;
}

std::string Column::ValueToString(size_t row) const {
  if (IsNull(row)) return {};
  switch (type_) {
    case DataType::kInt64:
      return std::to_string(int64s()[row]);
    case DataType::kTimestamp:
      return FormatTimestamp(int64s()[row]);
    case DataType::kFloat64:
      return FormatDouble(float64s()[row]);
    case DataType::kBool:
      return bools()[row] ? "1" : "0";
    case DataType::kString:
      return std::string(dictionary().Get(codes()[row]));
  }
  return {};
}

Column Column::Take(std::span<const int64_t> rows) const {
  Column out;
  out.name_ = name_;
  out.type_ = type_;
  out.dictionary_ = dictionary_;
  std::visit(
      [&](const auto& src) {
        using Vec = std::decay_t<decltype(src)>;
        Vec dst;
        dst.reserve(rows.size());
        for (int64_t r : rows) dst.push_back(src[static_cast<size_t>(r)]);
        out.data_ = std::move(dst);
      },
      data_);
  return out;
}

char* FormatDouble(double v, char* out) {
  if (std::isnan(v)) return out;
  if (v == 0.0) {  // "-0" would surprise readers; -0.0 and 0.0 compare equal anyway
    *out = '0';
    return out + 1;
  }
  // Most feature values are counts or sums of money: v = m/100 exactly (the double nearest to
  // it), for which the shortest text is the plain decimal. Written here directly, as the same
  // bytes std::to_chars gives, at a fraction of its cost. Why they are the same: below 2^40 the
  // doubles are less than 0.01 apart, so no other decimal with at most two decimals (every
  // shorter candidate is one) reads back to v; and fixed notation is never longer than
  // scientific here, except for integers from 100000 up with trailing zeros ("1e+05"), which are
  // left to std::to_chars.
  const double a = std::fabs(v);
  if (a < 0x1p40) {
    const double scaled = std::nearbyint(a * 100);
    if (scaled / 100 == a && (a < 100000 || std::fmod(scaled, 100) != 0)) {
      auto m = static_cast<uint64_t>(scaled);
      char* p = out;
      if (v < 0) *p++ = '-';
      p = std::to_chars(p, out + 32, m / 100).ptr;
      const auto cents = static_cast<unsigned>(m % 100);
      if (cents != 0) {
        *p++ = '.';
        *p++ = static_cast<char>('0' + cents / 10);
        if (cents % 10 != 0) *p++ = static_cast<char>('0' + cents % 10);
      }
      return p;
    }
  }
  auto res = std::to_chars(out, out + 32, v);
  return res.ptr;
}

std::string FormatDouble(double v) {
  char buf[32];
  char* end = FormatDouble(v, buf);
  return std::string(buf, end);
}

}  // namespace upcamp
