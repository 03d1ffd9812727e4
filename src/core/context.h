#pragma once
// The explicit execution context (after XGBoost's Context): thread count and seed travel here,
// never in globals. Components derive their own sub-seeds with MixSeed(seed, purpose/index) so
// results never depend on the thread count.

#include <cstdint>

namespace upcamp {

struct Context {
  /// Worker threads for parallel work; >= 1. Results must not depend on it.
  int threads = 1;
  /// Base seed for anything random that is not keyed by a config's own seed.
  uint64_t seed = 0;
  /// Suppress progress output and info logs.
  bool quiet = false;

  /// threads = number of hardware threads (at least 1).
  static Context Default();
  /// `requested` <= 0 means all hardware threads.
  static int ResolveThreads(int requested);
};

}  // namespace upcamp
