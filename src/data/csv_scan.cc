#include "data/csv_scan.h"

#include <algorithm>
#include <atomic>

#if defined(__x86_64__)
#include <immintrin.h>
#define UPCAMP_CSV_SCAN_X86 1
#else
#define UPCAMP_CSV_SCAN_X86 0
#endif

namespace upcamp::csv_scan {
namespace {

std::atomic<int> g_override{-1};

void MasksScalar(const char* p, size_t words, char delimiter, uint64_t* delimiters,
                 uint64_t* newlines, uint64_t* quotes) {
  for (size_t w = 0; w < words; ++w, p += 64) {
    uint64_t d = 0, n = 0, q = 0;
    for (unsigned i = 0; i < 64; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      d |= p[i] == delimiter ? bit : 0;
      n |= p[i] == '\n' ? bit : 0;
      q |= p[i] == '"' ? bit : 0;
    }
    delimiters[w] = d;
    newlines[w] = n;
    quotes[w] = q;
  }
}

void CountScalar(const char* p, size_t n, uint64_t& quotes, uint64_t& newlines) {
  uint64_t q = 0, nl = 0;
  for (size_t i = 0; i < n; ++i) {
    q += p[i] == '"';
    nl += p[i] == '\n';
  }
  quotes += q;
  newlines += nl;
}

#if UPCAMP_CSV_SCAN_X86

inline uint64_t Bits16(__m128i x, __m128i v) {
  return static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)));
}

void MasksSse2(const char* p, size_t words, char delimiter, uint64_t* delimiters,
               uint64_t* newlines, uint64_t* quotes) {
  const __m128i vd = _mm_set1_epi8(delimiter);
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vq = _mm_set1_epi8('"');
  for (size_t w = 0; w < words; ++w, p += 64) {
    uint64_t d = 0, n = 0, q = 0;
    for (unsigned k = 0; k < 4; ++k) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      d |= Bits16(x, vd) << (16 * k);
      n |= Bits16(x, vn) << (16 * k);
      q |= Bits16(x, vq) << (16 * k);
    }
    delimiters[w] = d;
    newlines[w] = n;
    quotes[w] = q;
  }
}

// Byte counters: every matching byte subtracts -1 from its lane; at most 255 rounds before the
// lanes are summed (psadbw against zero) into 64-bit totals.
void CountSse2(const char* p, size_t n, uint64_t& quotes, uint64_t& newlines) {
  const __m128i vq = _mm_set1_epi8('"');
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i zero = _mm_setzero_si128();
  size_t i = 0;
  while (n - i >= 16) {
    const size_t rounds = std::min<size_t>((n - i) / 16, 255);
    __m128i aq = zero, an = zero;
    for (size_t r = 0; r < rounds; ++r, i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      aq = _mm_sub_epi8(aq, _mm_cmpeq_epi8(x, vq));
      an = _mm_sub_epi8(an, _mm_cmpeq_epi8(x, vn));
    }
    const __m128i sq = _mm_sad_epu8(aq, zero);
    const __m128i sn = _mm_sad_epu8(an, zero);
    quotes += static_cast<uint64_t>(_mm_cvtsi128_si64(sq)) +
              static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sq, sq)));
    newlines += static_cast<uint64_t>(_mm_cvtsi128_si64(sn)) +
                static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sn, sn)));
  }
  CountScalar(p + i, n - i, quotes, newlines);
}

__attribute__((target("avx2"))) inline uint64_t Bits64(__m256i lo, __m256i hi, __m256i v) {
  const auto l = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, v)));
  const auto h = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, v)));
  return uint64_t{l} | uint64_t{h} << 32;
}

__attribute__((target("avx2"))) void MasksAvx2(const char* p, size_t words, char delimiter,
                                               uint64_t* delimiters, uint64_t* newlines,
                                               uint64_t* quotes) {
  const __m256i vd = _mm256_set1_epi8(delimiter);
  const __m256i vn = _mm256_set1_epi8('\n');
  const __m256i vq = _mm256_set1_epi8('"');
  for (size_t w = 0; w < words; ++w, p += 64) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    delimiters[w] = Bits64(lo, hi, vd);
    newlines[w] = Bits64(lo, hi, vn);
    quotes[w] = Bits64(lo, hi, vq);
  }
}

__attribute__((target("avx2"))) void CountAvx2(const char* p, size_t n, uint64_t& quotes,
                                               uint64_t& newlines) {
  const __m256i vq = _mm256_set1_epi8('"');
  const __m256i vn = _mm256_set1_epi8('\n');
  const __m256i zero = _mm256_setzero_si256();
  size_t i = 0;
  while (n - i >= 32) {
    const size_t rounds = std::min<size_t>((n - i) / 32, 255);
    __m256i aq = zero, an = zero;
    for (size_t r = 0; r < rounds; ++r, i += 32) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
      aq = _mm256_sub_epi8(aq, _mm256_cmpeq_epi8(x, vq));
      an = _mm256_sub_epi8(an, _mm256_cmpeq_epi8(x, vn));
    }
    alignas(32) uint64_t sq[4], sn[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(sq), _mm256_sad_epu8(aq, zero));
    _mm256_store_si256(reinterpret_cast<__m256i*>(sn), _mm256_sad_epu8(an, zero));
    quotes += sq[0] + sq[1] + sq[2] + sq[3];
    newlines += sn[0] + sn[1] + sn[2] + sn[3];
  }
  CountScalar(p + i, n - i, quotes, newlines);
}

#endif  // UPCAMP_CSV_SCAN_X86

Level DetectBest() {
#if UPCAMP_CSV_SCAN_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? Level::kAvx2 : Level::kSse2;
#else
  return Level::kScalar;
#endif
}

}  // namespace

const char* LevelName(Level level) {
  switch (level) {
    case Level::kGeneral:
      return "general";
    case Level::kScalar:
      return "scalar";
    case Level::kSse2:
      return "sse2";
    case Level::kAvx2:
      return "avx2";
  }
  return "?";
}

Level BestLevel() {
  static const Level best = DetectBest();
  return best;
}

Level ActiveLevel() {
  const int o = g_override.load(std::memory_order_relaxed);
  return o < 0 ? BestLevel() : static_cast<Level>(o);
}

void SetLevelForTesting(std::optional<Level> level) {
  if (!level) {
    g_override.store(-1);
    return;
  }
  g_override.store(static_cast<int>(std::min(*level, BestLevel())));
}

void ClassMasks(Level level, const char* p, size_t words, char delimiter, uint64_t* delimiters,
                uint64_t* newlines, uint64_t* quotes) {
#if UPCAMP_CSV_SCAN_X86
  if (level == Level::kAvx2) return MasksAvx2(p, words, delimiter, delimiters, newlines, quotes);
  if (level == Level::kSse2) return MasksSse2(p, words, delimiter, delimiters, newlines, quotes);
#endif
  MasksScalar(p, words, delimiter, delimiters, newlines, quotes);
}

void CountQuotesAndNewlines(Level level, const char* p, size_t n, uint64_t& quotes,
                            uint64_t& newlines) {
#if UPCAMP_CSV_SCAN_X86
  if (level == Level::kAvx2) return CountAvx2(p, n, quotes, newlines);
  if (level == Level::kSse2) return CountSse2(p, n, quotes, newlines);
#endif
  CountScalar(p, n, quotes, newlines);
}

}  // namespace upcamp::csv_scan
