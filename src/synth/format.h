#pragma once
// Fast, locale-free formatting of the generator's fixed-point values into row buffers. Values are
// kept as integers (kopecks, tenths of points, thousandths of a kilogram) so the text is exact and
// sums of lines equal receipt totals digit for digit. Floats print like pandas would write the
// X5 files: at least one decimal ("1007.0", "72.49", "0.734").

#include <charconv>
#include <cmath>
#include <cstdint>

namespace upcamp::synth {

inline char* AppendInt(int64_t v, char* out) {
  return std::to_chars(out, out + 20, v).ptr;
}

/// `v / 10^scale` with trailing fractional zeros trimmed but at least one decimal.
/// scale is 1..6.
inline char* AppendScaled(int64_t v, int scale, char* out) {
  if (v < 0) {
    *out++ = '-';
    v = -v;
  }
  int64_t div = 1;
  for (int i = 0; i < scale; ++i) div *= 10;
  out = std::to_chars(out, out + 20, v / div).ptr;
  *out++ = '.';
  int64_t frac = v % div;
  if (frac == 0) {
    *out++ = '0';
    return out;
  }
  char digits[8];
  for (int i = scale - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int n = scale;
  while (n > 1 && digits[n - 1] == '0') --n;
  for (int i = 0; i < n; ++i) *out++ = digits[i];
  return out;
}

/// Money in kopecks as roubles: 100700 -> "1007.0", 7249 -> "72.49".
inline char* AppendCents(int64_t cents, char* out) {
  return AppendScaled(cents, 2, out);
}
/// Whole points as a float: 60 -> "60.0", -30 -> "-30.0".
inline char* AppendPoints(int64_t points, char* out) {
  return AppendScaled(points * 10, 1, out);
}
/// A double rounded to 4 decimals (for expectations in truth.csv), e.g. "3012.4476", "0.0".
inline char* AppendRounded4(double v, char* out) {
  const auto fixed = static_cast<int64_t>(std::llround(v * 1e4));
  return AppendScaled(fixed == 0 ? 0 : fixed, 4, out);
}

}  // namespace upcamp::synth
