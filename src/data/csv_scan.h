#pragma once
// Byte scanning kernels of the CSV reader (csv_reader.cc), private to the data module.
//
// - ClassMasks: for consecutive 64-byte words, bit masks of the bytes that are the delimiter,
//   '\n' and '"' (bit i of a mask = byte i of the word). The reader's fast record path finds
//   field and record ends in these masks instead of looking at every byte.
// - CountQuotesAndNewlines: the counts the reader's block split needs.
//
// Three implementations give identical results: a portable scalar loop, SSE2 (part of the x86-64
// baseline, so always available there) and AVX2 (compiled for that target only and used when the
// CPU reports it at run time). The build itself stays at the x86-64 baseline.

#include <cstddef>
#include <cstdint>
#include <optional>

namespace upcamp::csv_scan {

enum class Level : uint8_t {
  kGeneral,  ///< no fast record path at all: the reader's byte-by-byte parser only (for tests)
  kScalar,
  kSse2,
  kAvx2,
};

const char* LevelName(Level level);

/// The best level this CPU and build support (kAvx2, kSse2 or kScalar).
Level BestLevel();

/// The level the reader uses: BestLevel(), unless a test has set another.
Level ActiveLevel();

/// Tests only: makes the reader use `level` (clamped to BestLevel(); kGeneral always works);
/// std::nullopt restores the default. Not thread-safe against concurrent reads.
void SetLevelForTesting(std::optional<Level> level);

/// Masks of `words` 64-byte words from `p` (all 64 * words bytes must be readable).
/// `level` must be kScalar, kSse2 or kAvx2 and not above BestLevel().
void ClassMasks(Level level, const char* p, size_t words, char delimiter, uint64_t* delimiters,
                uint64_t* newlines, uint64_t* quotes);

/// Adds the number of '"' and '\n' bytes in [p, p + n) to `quotes` and `newlines`.
void CountQuotesAndNewlines(Level level, const char* p, size_t n, uint64_t& quotes,
                            uint64_t& newlines);

}  // namespace upcamp::csv_scan
