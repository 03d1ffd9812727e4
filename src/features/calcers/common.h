#pragma once
// Building blocks shared by the calcer implementations.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "data/column.h"
#include "features/calcer.h"

namespace upcamp::calcers {

/// Sum/min/max/mean of the non-missing values of a group, with the dataframe conventions:
/// the sum of no values is 0, min/max/mean of no values are missing.
struct NumAgg {
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t n = 0;

  void Add(double v) {
    if (std::isnan(v)) return;
    sum += v;
    min = v < min ? v : min;
    max = v > max ? v : max;
    ++n;
  }
  double Sum() const { return sum; }
  double Min() const { return n ? min : kNullFloat64; }
  double Max() const { return n ? max : kNullFloat64; }
  double Mean() const { return n ? sum / static_cast<double>(n) : kNullFloat64; }
};

/// `name__{delta}d`, the reference suffix of windowed features.
inline std::string Windowed(std::string_view name, int64_t delta) {
  return fmt::format("{}__{}d", name, delta);
}

/// Holds the dictionary of a string column over the batches of one scan (the TableSource
/// contract: batches of a scan share it), so per-client codes can be kept and decoded at Finish.
/// Safe to call from the partitions of one batch concurrently.
class DictionaryHolder {
 public:
  Status Capture(const Column& column) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!dict_) {
      dict_ = column.shared_dictionary();
    } else if (dict_ != column.shared_dictionary()) {
      return Status::Runtime("column '{}': batches of one scan do not share a dictionary",
                             column.name());
    }
    return Status::Ok();
  }
  /// The captured dictionary (an empty one if no batch was seen).
  std::shared_ptr<StringDictionary> get() const {
    return dict_ ? dict_ : std::make_shared<StringDictionary>();
  }

 private:
  std::mutex mu_;
  std::shared_ptr<StringDictionary> dict_;
};

/// Finds a column of a batch by name; the engine guarantees the requested ones are there.
inline const Column& Col(const BatchRows& rows, std::string_view name) {
  return *rows.batch.FindColumn(name);
}

}  // namespace upcamp::calcers
