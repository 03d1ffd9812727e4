#pragma once
// Text and number formatting for reports: XML/HTML escaping, locale-independent number
// formatting, "nice" axis scales and their tick labels.
//
// Everything here is a pure function of its arguments — no locale, no global state — so the same
// numbers always give the same bytes (the report's determinism rests on it). Numbers go through
// fmt, which ignores the C and C++ locales unless asked ('L'); the decimal point is always '.'.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace upcamp::report {

/// Escapes text for XML and HTML, both as element content and inside a double- or single-quoted
/// attribute: & < > " ' become entities. Bytes that XML 1.0 forbids (control characters other
/// than tab, newline, carriage return) become U+FFFD, so the output is always well-formed.
std::string EscapeXml(std::string_view text);

/// The text shown for a missing or undefined number (NaN).
inline constexpr std::string_view kNotAvailable = "n/a";

/// A number for humans with `significant` significant digits (1..17), without exponent for
/// 1e-4 <= |v| < 1e15 (then all integer digits are kept: 1234567 stays "1234567" even with 4
/// significant digits), trailing zeros removed ("0.5", not "0.5000"). NaN → "n/a",
/// ±inf → "∞" / "−∞", −0 → "0". Locale-independent.
std::string FormatNumber(double v, int significant = 4);

/// A number with exactly `decimals` digits after the point (0..17), e.g. p-values "0.003".
/// Same NaN / infinity / −0 rules as FormatNumber.
std::string FormatFixed(double v, int decimals);

/// An integer with its digits grouped in threes by a narrow no-break space (U+202F, the SI
/// style, unambiguous in every locale): 1234567 → "1 234 567".
std::string FormatInteger(int64_t v);

/// A fraction as a percentage: 0.1234 → "12.3%" with decimals = 1. NaN → "n/a".
std::string FormatPercent(double fraction, int decimals = 1);

/// An axis scale: [lo, hi] is a whole number of `step`s and `ticks` are its multiples of step
/// from lo to hi inclusive. step is 1, 2, 2.5 or 5 times a power of ten.
struct Scale {
  double lo = 0;
  double hi = 1;
  double step = 0.2;
  std::vector<double> ticks;
};

/// A scale covering [data_lo, data_hi] with about `target_ticks` ticks (3 to target_ticks + 2),
/// chosen to waste the least room beyond the data (0..160000 gets 0, 25k, …, 175k rather than
/// 0, 50k, …, 200k).
/// Degenerate input is widened instead of failing: data_lo == data_hi (a single point) gives a
/// range around it, non-finite bounds give [0, 1], data_lo > data_hi is swapped.
Scale NiceScale(double data_lo, double data_hi, int target_ticks = 6);

/// Labels for a scale's ticks, all with the same number of decimals (enough to tell the step
/// apart). Large ticks are shortened with an SI suffix: 250000 → "250k", 1500000 → "1.5M".
std::vector<std::string> TickLabels(const Scale& scale);

/// Approximate rendered width in pixels of `text` in a sans-serif font of `font_px` pixels
/// (counts UTF-8 code points; used for layout: margins, legend wrapping, truncation).
double TextWidth(std::string_view text, double font_px);

/// `text` shortened to at most `max_px` pixels wide (by TextWidth), ending in "…" if cut.
/// Cuts only between UTF-8 code points.
std::string Truncate(std::string_view text, double max_px, double font_px);

}  // namespace upcamp::report
