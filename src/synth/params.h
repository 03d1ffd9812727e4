#pragma once
// The parameters of a synthetic dataset: everything the generator's randomness and behaviour
// model depend on. They are written to DIR/synth.json so that `upcamp synth respond` can rebuild
// exactly the same world and client traits without regenerating the history.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/civil_time.h"
#include "core/status.h"

namespace upcamp::synth {

/// Version of the behaviour model (traits, history and outcome formulas). Bumped whenever a seed
/// would give different data; `respond` refuses a dataset written by another version.
inline constexpr int kModelVersion = 1;

enum class IdFormat {
  kHex,  ///< 10 lower-case hex characters, as in the X5 RetailHero data
  kInt,  ///< decimal integers (scattered, unique)
};
const char* IdFormatName(IdFormat f);

struct SynthParams {
  /// Base seed; every random draw derives from (seed, purpose, client index).
  uint64_t seed = 42;
  /// Number of clients (1 .. 2^30).
  int64_t clients = 20000;
  IdFormat id_format = IdFormat::kHex;
  /// Midnight of the first day of the purchase history.
  int64_t history_from = DaysFromCivil(2018, 11, 21) * kSecondsPerDay;
  /// Midnight of the last day of the history (inclusive: receipts run until its 23:59:59).
  int64_t history_to = DaysFromCivil(2019, 3, 18) * kSecondsPerDay;
  /// Midnight of the past campaign's treatment date; its outcome window starts here.
  int64_t treatment_date = DaysFromCivil(2019, 3, 21) * kSecondsPerDay;
  /// Length of the campaign outcome window in days.
  int post_days = 30;
  /// Number of stores (1 .. 100000).
  int stores = 400;
  /// Number of products (20 .. 4000000).
  int products = 30000;

  /// End of the history (exclusive): midnight after history_to.
  int64_t history_end() const { return history_to + kSecondsPerDay; }
  /// Checks ranges and date order; the message names the option and the bad value.
  Status Validate() const;

  /// synth.json text (also records the model version and the tool version).
  std::string ToJson() const;
  /// Parses synth.json; `source` names the file in errors (data errors).
  static Result<SynthParams> FromJson(std::string_view text, std::string_view source);
};

}  // namespace upcamp::synth
