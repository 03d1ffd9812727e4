#pragma once
// Building blocks of the calcers beyond the first two (see common.h for NumAgg, Windowed, Col and
// DictionaryHolder): a calcer described by data, and small per-client accumulators whose memory
// stays bounded by what a client did, not by how many rows it has.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "features/calcer.h"
#include "features/calcers/common.h"

namespace upcamp::calcers {

/// The immutable description of a calcer: everything Calcer exposes, plus how to start a state.
/// States build their output columns with the names of `schema`, so the two cannot drift apart.
struct CalcerSpec {
  std::string name;
  nlohmann::json args = nlohmann::json::object();
  std::vector<TableInput> inputs;
  Schema schema;
  bool is_target = false;
  std::function<std::unique_ptr<CalcerState>(const FeatureParams&)> start;
};

class SpecCalcer final : public Calcer {
 public:
  explicit SpecCalcer(CalcerSpec spec) : spec_(std::move(spec)) {}
  const std::string& name() const override { return spec_.name; }
  nlohmann::json args() const override { return spec_.args; }
  std::vector<TableInput> Inputs() const override { return spec_.inputs; }
  Schema OutputSchema() const override { return spec_.schema; }
  bool is_target() const override { return spec_.is_target; }
  std::unique_ptr<CalcerState> Start(const FeatureParams& params) const override {
    return spec_.start(params);
  }

 private:
  CalcerSpec spec_;
};

inline Result<std::unique_ptr<Calcer>> MakeSpecCalcer(CalcerSpec spec) {
  return std::unique_ptr<Calcer>(std::make_unique<SpecCalcer>(std::move(spec)));
}

/// `{name__{delta}d: type, ...}` in order.
inline Schema WindowedSchema(int64_t delta,
                             std::initializer_list<std::pair<std::string_view, DataType>> cols) {
  Schema s;
  for (const auto& [base, type] : cols) s.push_back({Windowed(base, delta), type});
  return s;
}

/// `num / den` as a float share; missing when `den` is 0.
inline double Share(int64_t num, int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : kNullFloat64;
}

/// The distinct values among those added, for one client. Values are appended (skipping a repeat
/// of the last one, the common case of consecutive rows) and sorted + deduplicated whenever the
/// buffer doubles since the last compaction, so memory stays below ~2x the distinct count + 8
/// however many rows a client has, at amortised O(log k) per value.
class DistinctInts {
 public:
  void Add(int32_t v) {
    if (!values_.empty() && values_.back() == v) return;
    values_.push_back(v);
    if (values_.size() >= compact_at_) {
      Compact();
      compact_at_ = std::max<size_t>(8, 2 * values_.size());
    }
  }
  /// The number of distinct values (compacts).
  int64_t Count() {
    Compact();
    return static_cast<int64_t>(values_.size());
  }

 private:
  void Compact() {
    std::sort(values_.begin(), values_.end());
    values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
  }
  std::vector<int32_t> values_;
  size_t compact_at_ = 8;
};

/// Receipts per store of one client: (store code, count) pairs, linear search (a client visits
/// few stores). Codes index the receipts' store_id dictionary.
class StoreTally {
 public:
  void Add(int32_t store) {
    for (auto& [s, n] : counts_) {
      if (s == store) {
        ++n;
        return;
      }
    }
    counts_.emplace_back(store, 1);
  }
  const std::vector<std::pair<int32_t, int64_t>>& counts() const { return counts_; }

 private:
  std::vector<std::pair<int32_t, int64_t>> counts_;
};

}  // namespace upcamp::calcers
