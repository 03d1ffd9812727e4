#include "data/client_index.h"

#include <algorithm>
#include <charconv>

#include "core/parallel.h"

namespace upcamp {
namespace {

constexpr size_t kRowsPerTask = size_t{1} << 20;

// `keys` itself if it is a string column (no copy), else its conversion stored in `storage`.
const Column& StringKeys(const Column& keys, Column& storage) {
  if (keys.type() == DataType::kString) return keys;
  storage = KeysAsStrings(keys);
  return storage;
}

}  // namespace

Column KeysAsStrings(const Column& keys) {
  if (keys.type() == DataType::kString) return keys;
  auto dict = std::make_shared<StringDictionary>();
  std::vector<int32_t> codes(keys.size(), kNullCode);
  char buf[32];
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys.IsNull(i)) continue;
    if (keys.type() == DataType::kInt64) {
      const auto res = std::to_chars(buf, buf + sizeof buf, keys.int64s()[i]);
      codes[i] = dict->GetOrAdd(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
    } else {
      codes[i] = dict->GetOrAdd(keys.ValueToString(i));
    }
  }
  return Column::String(keys.name(), std::move(codes), std::move(dict));
}

Result<ClientIndex> ClientIndex::Build(const Column& key_column, std::string_view what) {
  Column converted;
  const Column& keys = StringKeys(key_column, converted);
  const auto codes = keys.codes();
  const StringDictionary& dict = keys.dictionary();
  const std::string& name = key_column.name();
  std::vector<int64_t> first_row(static_cast<size_t>(dict.size()), -1);
  for (size_t row = 0; row < codes.size(); ++row) {
    const int32_t code = codes[row];
    if (code == kNullCode) {
      return Status::Data(
          "{}: missing {} at row {} (1-based data row, header not counted); every "
          "client needs a key",
          what, name, row + 1);
    }
    int64_t& first = first_row[static_cast<size_t>(code)];
    if (first >= 0) {
      return Status::Data(
          "{}: duplicate {} '{}' at rows {} and {} (1-based data rows, header not counted); "
          "client keys must be unique",
          what, name, dict.Get(code), first + 1, row + 1);
    }
    first = static_cast<int64_t>(row);
  }
  if (codes.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::Data("{}: too many clients ({})", what, codes.size());
  }
  // An own dictionary, even when the column's codes already equal its rows: the column's
  // dictionary may be shared with batches still being read, and must not grow our index.
  auto own = std::make_shared<StringDictionary>();
  own->Reserve(codes.size());
  for (const int32_t code : codes) own->GetOrAdd(dict.Get(code));
  return ClientIndex(std::move(own));
}

ClientMapping ClientIndex::Map(const Column& keys, int threads) const {
  ClientKeyMapper mapper(*this);
  return mapper.Map(keys, threads);
}

Column ClientIndex::KeyColumn(std::string name, std::vector<int32_t> indices) const {
  for (int32_t& i : indices) {
    if (i < 0 || i >= size()) i = kNullCode;
  }
  return Column::String(std::move(name), std::move(indices), keys_);
}

Column ClientIndex::AllKeys(std::string name) const {
  std::vector<int32_t> codes(static_cast<size_t>(size()));
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<int32_t>(i);
  return Column::String(std::move(name), std::move(codes), keys_);
}

ClientMapping ClientKeyMapper::Map(const Column& key_column, int threads) {
  Column converted;
  const Column& keys = StringKeys(key_column, converted);
  const StringDictionary& dict = keys.dictionary();
  ClientMapping out;

  // Translate each distinct key once; codes are stable, so a grown dictionary only needs its
  // new codes translated.
  if (dictionary_ != keys.shared_dictionary()) {
    dictionary_ = keys.shared_dictionary();
    code_to_index_.clear();
    unknown_seen_.clear();
  }
  const auto dict_size = static_cast<size_t>(dict.size());
  for (size_t code = code_to_index_.size(); code < dict_size; ++code) {
    const int32_t idx = index_->Find(dict.Get(static_cast<int32_t>(code)));
    code_to_index_.push_back(idx);
  }

  const auto codes = keys.codes();
  const size_t rows = codes.size();
  out.index.resize(rows);
  const size_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  std::vector<uint64_t> unknown(tasks, 0), missing(tasks, 0);
  const int32_t* table = code_to_index_.data();
  ParallelFor(threads, tasks, [&](size_t t, int) {
    const size_t begin = t * kRowsPerTask, end = std::min(rows, begin + kRowsPerTask);
    uint64_t u = 0, m = 0;
    for (size_t r = begin; r < end; ++r) {
      const int32_t code = codes[r];
      if (code < 0) {
        out.index[r] = -1;
        ++m;
        continue;
      }
      const int32_t idx = table[code];
      out.index[r] = idx;
      u += idx < 0;
    }
    unknown[t] = u;
    missing[t] = m;
  });
  for (size_t t = 0; t < tasks; ++t) {
    out.unknown_rows += unknown[t];
    out.missing_rows += missing[t];
  }
  if (out.unknown_rows > 0) {
    // Distinct unknown keys actually present in these rows.
    std::vector<uint8_t> seen(dict_size, 0);
    for (size_t r = 0; r < rows; ++r) {
      if (out.index[r] < 0 && codes[r] >= 0) seen[static_cast<size_t>(codes[r])] = 1;
    }
    unknown_seen_.resize(dict_size, 0);
    for (size_t code = 0; code < dict_size; ++code) {
      if (!seen[code]) continue;
      if (out.unknown_keys == 0) out.example_unknown = dict.Get(static_cast<int32_t>(code));
      ++out.unknown_keys;
      if (!unknown_seen_[code]) {
        unknown_seen_[code] = 1;
        ++totals_.unknown_keys;
      }
    }
  }
  totals_.unknown_rows += out.unknown_rows;
  totals_.missing_rows += out.missing_rows;
  if (totals_.example_unknown.empty()) totals_.example_unknown = out.example_unknown;
  return out;
}

}  // namespace upcamp
