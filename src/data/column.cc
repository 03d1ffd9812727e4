#include "data/column.h"

#include <cassert>
#include <charconv>

#include "core/civil_time.h"

namespace upcamp {

const char* DataTypeName(DataType type) {
  switch (type) {
    case DataType::kInt64: return "int64";
    case DataType::kFloat64: return "float64";
    case DataType::kString: return "string";
    case DataType::kTimestamp: return "timestamp";
    case DataType::kBool: return "bool";
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

StringDictionary::StringDictionary(const StringDictionary& other) { *this = other; }

StringDictionary& StringDictionary::operator=(const StringDictionary& other) {
  if (this == &other) return *this;
  values_.clear();
  index_.clear();
  index_.reserve(other.values_.size());
  for (const auto& v : other.values_) GetOrAdd(v);
  return *this;
}

int32_t StringDictionary::GetOrAdd(std::string_view value) {
  auto it = index_.find(value);
  if (it != index_.end()) return it->second;
  const auto code = static_cast<int32_t>(values_.size());
  values_.emplace_back(value);
  index_.emplace(values_.back(), code);
  return code;
}

int32_t StringDictionary::Find(std::string_view value) const {
  auto it = index_.find(value);
  return it == index_.end() ? kNullCode : it->second;
}

Column Column::Int64(std::string name, std::vector<int64_t> values) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = DataType::kInt64;
  c.data_ = std::move(values);
  return c;
}

Column Column::Float64(std::string name, std::vector<double> values) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = DataType::kFloat64;
  c.data_ = std::move(values);
  return c;
}

Column Column::Timestamp(std::string name, std::vector<int64_t> seconds) {
  Column c = Int64(std::move(name), std::move(seconds));
  c.type_ = DataType::kTimestamp;
  return c;
}

Column Column::Bool(std::string name, std::vector<uint8_t> values) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = DataType::kBool;
  c.data_ = std::move(values);
  return c;
}

Column Column::String(std::string name, std::vector<int32_t> codes,
                      std::shared_ptr<StringDictionary> dictionary) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = DataType::kString;
  c.data_ = std::move(codes);
  c.dictionary_ = dictionary ? std::move(dictionary) : std::make_shared<StringDictionary>();
  return c;
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
    case DataType::kInt64: return Int64(std::move(name), std::vector<int64_t>(size, kNullInt64));
    case DataType::kTimestamp:
      return Timestamp(std::move(name), std::vector<int64_t>(size, kNullInt64));
    case DataType::kFloat64:
      return Float64(std::move(name), std::vector<double>(size, kNullFloat64));
    case DataType::kBool: return Bool(std::move(name), std::vector<uint8_t>(size, kNullBool));
    case DataType::kString:
      return String(std::move(name), std::vector<int32_t>(size, kNullCode), nullptr);
  }
  return {};
}

size_t Column::size() const {
  return std::visit([](const auto& v) { return v.size(); }, data_);
}

std::span<const int64_t> Column::int64s() const {
  assert(type_ == DataType::kInt64 || type_ == DataType::kTimestamp);
  return std::get<std::vector<int64_t>>(data_);
}
std::span<const double> Column::float64s() const {
  assert(type_ == DataType::kFloat64);
  return std::get<std::vector<double>>(data_);
}
std::span<const int32_t> Column::codes() const {
  assert(type_ == DataType::kString);
  return std::get<std::vector<int32_t>>(data_);
}
std::span<const uint8_t> Column::bools() const {
  assert(type_ == DataType::kBool);
  return std::get<std::vector<uint8_t>>(data_);
}
const StringDictionary& Column::dictionary() const {
  assert(type_ == DataType::kString && dictionary_);
  return *dictionary_;
}
std::vector<int64_t>& Column::mutable_int64s() { return std::get<std::vector<int64_t>>(data_); }
std::vector<double>& Column::mutable_float64s() { return std::get<std::vector<double>>(data_); }
std::vector<int32_t>& Column::mutable_codes() { return std::get<std::vector<int32_t>>(data_); }
std::vector<uint8_t>& Column::mutable_bools() { return std::get<std::vector<uint8_t>>(data_); }

bool Column::IsNull(size_t row) const {
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp: return int64s()[row] == kNullInt64;
    case DataType::kFloat64: return IsNullFloat64(float64s()[row]);
    case DataType::kString: return codes()[row] == kNullCode;
    case DataType::kBool: return bools()[row] == kNullBool;
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
    case DataType::kTimestamp: return static_cast<double>(int64s()[row]);
    case DataType::kFloat64: return float64s()[row];
    case DataType::kBool: return bools()[row];
    case DataType::kString: return kNullFloat64;
  }
  return kNullFloat64;
}

std::string Column::ValueToString(size_t row) const {
  if (IsNull(row)) return {};
  switch (type_) {
    case DataType::kInt64: return std::to_string(int64s()[row]);
    case DataType::kTimestamp: return FormatTimestamp(int64s()[row]);
    case DataType::kFloat64: return FormatDouble(float64s()[row]);
    case DataType::kBool: return bools()[row] ? "1" : "0";
    case DataType::kString: return std::string(dictionary().Get(codes()[row]));
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
  auto res = std::to_chars(out, out + 32, v);
  return res.ptr;
}

std::string FormatDouble(double v) {
  char buf[32];
  char* end = FormatDouble(v, buf);
  return std::string(buf, end);
}

}  // namespace upcamp
