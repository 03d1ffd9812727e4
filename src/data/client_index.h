#pragma once
// The client dictionary: one pass over the client base maps every client key to a dense int32
// index 0..size-1, and every later stage works with those indices (array lookups, no string
// hashing in hot loops). Keys are strings as written in the files ("000012768d" or "1234"), so
// integer and string ids are handled alike and leading zeros are never lost.
//
// Order is deterministic: index i is the i-th row of the base table. Mapping another table's
// key column costs one hash lookup per *distinct* key (its dictionary), then one array lookup
// per row, so 45M purchase lines map in well under a second.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/column.h"

namespace upcamp {

/// Result of mapping a key column to client indices.
struct ClientMapping {
  /// Per row: the client index, or -1 if the key is missing or not in the client base.
  std::vector<int32_t> index;
  uint64_t unknown_rows = 0;    ///< rows whose key is not in the client base
  uint64_t missing_rows = 0;    ///< rows with an empty key
  uint64_t unknown_keys = 0;    ///< distinct keys not in the client base
  std::string example_unknown;  ///< one of them (the first by dictionary order), for messages
};

class ClientIndex {
 public:
  ClientIndex() : keys_(std::make_shared<StringDictionary>()) {}

  /// Builds the dictionary from the client base's key column (string, or int64 which is
  /// converted to its decimal text). A missing key or a key seen twice is a data error naming
  /// `what` (e.g. "client_profile.csv"), the key and its 1-based data rows (header not counted).
  static Result<ClientIndex> Build(const Column& keys, std::string_view what = "client base");

  /// Number of clients.
  int32_t size() const { return keys_->size(); }
  /// The key of client `index` (0 <= index < size()).
  std::string_view Key(int32_t index) const { return keys_->Get(index); }
  /// The index of `key`, or -1.
  int32_t Find(std::string_view key) const { return keys_->Find(key); }

  /// Maps a key column (string or int64) to client indices; unknown and missing keys give -1
  /// and are counted. Rows are mapped on up to `threads` threads; the result does not depend
  /// on the thread count.
  ClientMapping Map(const Column& keys, int threads = 1) const;

  /// A string column of the keys of `indices` (-1 = missing), sharing this dictionary (no
  /// copies of the strings): the way stages write `client_id` back out.
  Column KeyColumn(std::string name, std::vector<int32_t> indices) const;
  /// The keys of all clients in index order.
  Column AllKeys(std::string name) const;

  /// The dictionary; code i is client i.
  const std::shared_ptr<StringDictionary>& dictionary() const { return keys_; }

 private:
  explicit ClientIndex(std::shared_ptr<StringDictionary> keys) : keys_(std::move(keys)) {}
  std::shared_ptr<StringDictionary> keys_;  // never modified after Build
};

/// Maps many batches of one key column (e.g. from ReadCsvBatches, whose batches share one growing
/// dictionary) while translating each distinct key only once: the code -> index table is kept
/// and extended with the codes added since the previous batch.
class ClientKeyMapper {
 public:
  explicit ClientKeyMapper(const ClientIndex& index) : index_(&index) {}

  /// As ClientIndex::Map for one batch; counts accumulate in totals().
  ClientMapping Map(const Column& keys, int threads = 1);
  /// Unknown/missing counts over all batches so far (`index` is left empty). Distinct unknown
  /// keys are counted once while the batches share one dictionary.
  const ClientMapping& totals() const { return totals_; }

 private:
  const ClientIndex* index_;
  std::shared_ptr<StringDictionary> dictionary_;  // the one code_to_index_ describes (kept alive)
  std::vector<int32_t> code_to_index_;
  std::vector<uint8_t> unknown_seen_;  // per code: already counted in totals_
  ClientMapping totals_;
};

/// An int64 key column as a string column (decimal text, missing stays missing); a string column
/// is returned as is (sharing its dictionary).
Column KeysAsStrings(const Column& keys);

}  // namespace upcamp
