#include "report/format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace upcamp::report {

namespace {

// Removes trailing zeros after a decimal point ("1.500" → "1.5", "2.000" → "2").
void StripTrailingZeros(std::string& s) {
  const size_t dot = s.find('.');
  if (dot == std::string::npos) return;
  size_t end = s.size();
  while (end > dot + 1 && s[end - 1] == '0') --end;
  if (end == dot + 1) --end;
  s.resize(end);
}

// Formats ±inf, NaN; returns false for finite values.
bool FormatSpecial(double v, std::string* out) {
  if (std::isnan(v)) {
    *out = std::string(kNotAvailable);
  } else if (std::isinf(v)) {
    *out = v > 0 ? "\u221E" : "\u2212\u221E";
  } else {
    return false;
  }
  return true;
}

// "-0" and "-0.00" (negative values that round to zero) print as zero.
void FixNegativeZero(std::string& s) {
  if (s.empty() || s[0] != '-') return;
  if (s.find_first_not_of("0.", 1) == std::string::npos) s.erase(0, 1);
}

bool IsUtf8Continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\uFFFD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string FormatNumber(double v, int significant) {
  std::string s;
  if (FormatSpecial(v, &s)) return s;
  significant = std::clamp(significant, 1, 17);
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e-4 && a < 1e15) {
    const int magnitude = static_cast<int>(std::floor(std::log10(a)));
    const int decimals = std::clamp(significant - 1 - magnitude, 0, 17);
    s = fmt::format("{:.{}f}", v, decimals);
    StripTrailingZeros(s);
  } else {
    s = fmt::format("{:.{}e}", v, significant - 1);
    // "1.500e-05" → "1.5e-05": strip zeros of the mantissa only.
    const size_t e = s.find('e');
    std::string mantissa = s.substr(0, e);
    StripTrailingZeros(mantissa);
    s = mantissa + s.substr(e);
  }
  FixNegativeZero(s);
  return s;
}

std::string FormatFixed(double v, int decimals) {
  std::string s;
  if (FormatSpecial(v, &s)) return s;
  s = fmt::format("{:.{}f}", v, std::clamp(decimals, 0, 17));
  FixNegativeZero(s);
  return s;
}

std::string FormatInteger(int64_t v) {
  const std::string digits = fmt::format("{}", v);
  const size_t first = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  std::string out = digits.substr(0, first);
  const size_t n = digits.size() - first;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += "\u202F";
    out += digits[first + i];
  }
  return out;
}

std::string FormatPercent(double fraction, int decimals) {
  std::string s;
  if (FormatSpecial(fraction, &s)) return s;
  return FormatFixed(100.0 * fraction, decimals) + "%";
}

Scale NiceScale(double data_lo, double data_hi, int target_ticks) {
  target_ticks = std::max(target_ticks, 2);
  if (!std::isfinite(data_lo) || !std::isfinite(data_hi)) {
    data_lo = 0;
    data_hi = 1;
  }
  if (data_lo > data_hi) std::swap(data_lo, data_hi);
  if (data_lo == data_hi) {
    // A single value: centre it in a range of about 20% of its size (or ±1 around zero).
    const double pad = data_lo == 0 ? 1.0 : std::fabs(data_lo) * 0.1;
    data_lo -= pad;
    data_hi += pad;
  }
  // Candidate steps m·10^e with m in {1, 2, 2.5, 5} (written 10, 20, 25, 50 × 10^(e−1) so that
  // every tick is (integer)·10^n or (integer)/10^n: both operands exact, so a tick is the double
  // nearest to its decimal value — 3 × 0.2 gives 0.6, not 0.6000000000000001). Among the steps
  // giving 2..target_ticks+1 intervals, pick the one wasting the least room beyond the data
  // (2.5 only when it saves more than 5%, then the interval count nearest the target).
  const double range = data_hi - data_lo;
  const double raw = range / (target_ticks - 1);
  const int e0 = static_cast<int>(std::floor(std::log10(raw)));
  Scale best;
  double best_score = std::numeric_limits<double>::infinity();
  for (int e = e0 - 1; e <= e0 + 1; ++e) {
    for (const double m : {10.0, 20.0, 25.0, 50.0}) {
      const int exponent = e - 1;
      const double power = std::pow(10.0, std::abs(exponent));
      auto value = [&](double k) { return exponent >= 0 ? k * m * power : k * m / power; };
      const double step = value(1);
      // The tiny tolerance keeps a bound that is already a multiple (up to rounding) from
      // adding a whole extra step.
      const double k_lo = std::floor(data_lo / step + 1e-9);
      const double k_hi = std::ceil(data_hi / step - 1e-9);
      const double intervals = k_hi - k_lo;
      if (intervals < 2 || intervals > target_ticks + 1) continue;
      const double waste = (value(k_hi) - value(k_lo)) / range;
      const double score =
          waste + (m == 25.0 ? 0.05 : 0.0) + 0.01 * std::fabs(intervals - (target_ticks - 1));
      if (score >= best_score - 1e-12) continue;
      best_score = score;
      best = Scale{};
      best.step = step;
      best.lo = value(k_lo);
      best.hi = value(k_hi);
      for (double k = k_lo; k <= k_hi; k += 1) {
        const double t = value(k);
        best.ticks.push_back(t == 0 ? 0.0 : t);  // no "-0"
      }
    }
  }
  if (best.ticks.empty()) {
    // Unreachable for finite ranges (step 10^e0 always qualifies); keep a valid scale anyway.
    best = Scale{data_lo, data_hi, range, {data_lo, data_hi}};
  }
  return best;
}

std::vector<std::string> TickLabels(const Scale& scale) {
  double max_abs = 0;
  for (const double t : scale.ticks) max_abs = std::max(max_abs, std::fabs(t));
  double divisor = 1;
  const char* suffix = "";
  if (max_abs >= 1e9) {
    divisor = 1e9;
    suffix = "G";
  } else if (max_abs >= 1e6) {
    divisor = 1e6;
    suffix = "M";
  } else if (max_abs >= 1e4) {
    divisor = 1e3;
    suffix = "k";
  }
  const double step = scale.step / divisor;
  // Enough decimals to write the step exactly: 0.25 needs 2, 0.5 needs 1, 5 needs 0.
  int decimals = 0;
  if (step > 0 && std::isfinite(step)) {
    double scaled = step;
    while (decimals < 15 && std::fabs(scaled - std::round(scaled)) > 1e-9 * scaled) {
      scaled *= 10;
      ++decimals;
    }
  }
  std::vector<std::string> labels;
  labels.reserve(scale.ticks.size());
  for (const double t : scale.ticks) {
    std::string s = FormatFixed(t / divisor, decimals);
    if (t != 0) s += suffix;
    labels.push_back(std::move(s));
  }
  return labels;
}

double TextWidth(std::string_view text, double font_px) {
  size_t code_points = 0;
  for (const char c : text) code_points += IsUtf8Continuation(c) ? 0 : 1;
  // Average advance of a sans-serif glyph (DejaVu Sans, Arial) is about 0.6 em.
  return static_cast<double>(code_points) * font_px * 0.6;
}

std::string Truncate(std::string_view text, double max_px, double font_px) {
  if (TextWidth(text, font_px) <= max_px) return std::string(text);
  const double ellipsis = TextWidth("\u2026", font_px);
  std::string out;
  double width = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i + 1;
    while (j < text.size() && IsUtf8Continuation(text[j])) ++j;
    const double w = font_px * 0.6;
    if (width + w + ellipsis > max_px) break;
    out.append(text.substr(i, j - i));
    width += w;
    i = j;
  }
  return out + "\u2026";
}

}  // namespace upcamp::report
