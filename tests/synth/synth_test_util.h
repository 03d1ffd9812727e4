#pragma once
// Helpers of the synth tests: a tiny CSV splitter for the generator's own output (it never
// quotes), exact fixed-point parsing, and a shared small dataset.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synth/params.h"
#include "testing.h"

namespace upcamp::synth::testing {

struct SimpleCsv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// Index of a column; -1 if absent.
  int Col(std::string_view name) const;
};

/// Splits LF-terminated lines on commas (no quoting).
SimpleCsv ParseSimpleCsv(const std::string& text);
SimpleCsv ReadSimpleCsv(const std::string& path);

/// "72.49" -> 7249, "1007.0" -> 100700, "-30.0" -> -3000 (exactly; at most two decimals).
int64_t ParseCents(std::string_view text);

/// The parameters of the shared small dataset (fast: a few thousand clients).
SynthParams SmallParams(int64_t clients = 2000, uint64_t seed = 7);

/// A dataset generated once per test binary run (2000 clients, seed 7, 2 threads).
const std::string& SharedDatasetDir();

}  // namespace upcamp::synth::testing
