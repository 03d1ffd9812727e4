#include "data/csv_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace upcamp::csv_scan {
namespace {

// The kernels this CPU can run (the scalar one always).
std::vector<Level> Levels() {
  std::vector<Level> levels = {Level::kScalar};
  if (BestLevel() >= Level::kSse2) levels.push_back(Level::kSse2);
  if (BestLevel() >= Level::kAvx2) levels.push_back(Level::kAvx2);
  return levels;
}

// Bytes dense in the classes the kernels look for, plus bytes with the high bit set (signed char
// compares must not confuse them).
std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  const char alphabet[] = {',', '\n', '"', ';', '\r', 'a', '0', '\0', '\x80', '\xff', '\t', ' '};
  std::string s(n, ' ');
  for (char& c : s) c = alphabet[rng() % sizeof alphabet];
  return s;
}

TEST(CsvScanTest, ClassMasksMatchAByteByByteLoopOnEveryLevel) {
  for (char delimiter : {',', ';', '\t', '|', '\xff'}) {
    const std::string text = RandomBytes(64 * 37 + 5, static_cast<uint32_t>(delimiter));
    for (size_t offset : {size_t{0}, size_t{1}, size_t{5}, size_t{63}}) {  // unaligned loads
      const size_t words = (text.size() - offset) / 64;
      std::vector<uint64_t> want_d(words), want_n(words), want_q(words);
      for (size_t w = 0; w < words; ++w) {
        for (size_t i = 0; i < 64; ++i) {
          const char c = text[offset + 64 * w + i];
          want_d[w] |= static_cast<uint64_t>(c == delimiter) << i;
          want_n[w] |= static_cast<uint64_t>(c == '\n') << i;
          want_q[w] |= static_cast<uint64_t>(c == '"') << i;
        }
      }
      for (Level level : Levels()) {
        std::vector<uint64_t> d(words), n(words), q(words);
        ClassMasks(level, text.data() + offset, words, delimiter, d.data(), n.data(), q.data());
        EXPECT_EQ(d, want_d) << LevelName(level) << " offset " << offset;
        EXPECT_EQ(n, want_n) << LevelName(level) << " offset " << offset;
        EXPECT_EQ(q, want_q) << LevelName(level) << " offset " << offset;
      }
    }
  }
}

TEST(CsvScanTest, CountsMatchAByteByByteLoopForEveryLengthAndOffset) {
  // Long enough for the SIMD byte counters to be flushed (255 rounds of 32 bytes) several times.
  const std::string text = RandomBytes(20000, 3);
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 130; ++n) lengths.push_back(n);
  for (size_t n : {size_t{4080}, size_t{8160}, size_t{8161}, size_t{16319}, size_t{19990}}) {
    lengths.push_back(n);
  }
  for (size_t offset : {size_t{0}, size_t{3}, size_t{9}}) {
    for (size_t n : lengths) {
      uint64_t want_q = 7, want_n = 11;  // the counts are added to what is there
      for (size_t i = offset; i < offset + n; ++i) {
        want_q += text[i] == '"';
        want_n += text[i] == '\n';
      }
      for (Level level : Levels()) {
        uint64_t q = 7, nl = 11;
        CountQuotesAndNewlines(level, text.data() + offset, n, q, nl);
        EXPECT_EQ(q, want_q) << LevelName(level) << " n " << n << " offset " << offset;
        EXPECT_EQ(nl, want_n) << LevelName(level) << " n " << n << " offset " << offset;
      }
    }
  }
}

TEST(CsvScanTest, TestsCanChooseTheLevelAndRestoreTheDefault) {
  const Level best = BestLevel();
  EXPECT_EQ(ActiveLevel(), best);
  SetLevelForTesting(Level::kGeneral);
  EXPECT_EQ(ActiveLevel(), Level::kGeneral);
  SetLevelForTesting(Level::kAvx2);  // clamped to what the CPU has
  EXPECT_EQ(ActiveLevel(), best);
  SetLevelForTesting(Level::kScalar);
  EXPECT_EQ(ActiveLevel(), Level::kScalar);
  SetLevelForTesting(std::nullopt);
  EXPECT_EQ(ActiveLevel(), best);
#if defined(__x86_64__)
  EXPECT_GE(best, Level::kSse2);  // SSE2 is part of the x86-64 baseline
#endif
}

}  // namespace
}  // namespace upcamp::csv_scan
