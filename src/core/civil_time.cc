#include "core/civil_time.h"

namespace upcamp {
namespace {

constexpr bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned DaysInMonth(int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` ASCII digits at `p`; false if any is not a digit.
inline bool Digits(const char* p, int n, unsigned& out) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

char* Put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

}  // namespace

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

std::optional<int64_t> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  unsigned y, m, d;
  if (!Digits(s.data(), 4, y) || !Digits(s.data() + 5, 2, m) || !Digits(s.data() + 8, 2, d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil(y, m, d) * kSecondsPerDay;
}

std::optional<int64_t> ParseTimestamp(std::string_view s) {
  if (s.size() < 10) return std::nullopt;
  auto date = ParseDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  if (s.size() == 10) return date;
  if (s.size() < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  unsigned hh, mm, ss;
  if (!Digits(s.data() + 11, 2, hh) || !Digits(s.data() + 14, 2, mm) ||
      !Digits(s.data() + 17, 2, ss) || hh > 23 || mm > 59 || ss > 59) {
    return std::nullopt;
  }
  if (s.size() > 19) {  // optional fraction, truncated to whole seconds
    if (s[19] != '.' || s.size() == 20) return std::nullopt;
    for (size_t i = 20; i < s.size(); ++i) {
      if (static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0' > 9u) return std::nullopt;
    }
  }
  return *date + hh * 3600 + mm * 60 + ss;
}

char* FormatTimestampTo(int64_t seconds, char* out) {
  const int64_t days = DayIndex(seconds);
  const int64_t sod = seconds - days * kSecondsPerDay;
  const CivilDate c = CivilFromDays(days);
  const auto y = static_cast<unsigned>(c.year);
  out = Put2(out, (y / 100) % 100);
  out = Put2(out, y % 100);
  *out++ = '-';
  out = Put2(out, c.month);
  *out++ = '-';
  out = Put2(out, c.day);
  *out++ = ' ';
  out = Put2(out, static_cast<unsigned>(sod / 3600));
  *out++ = ':';
  out = Put2(out, static_cast<unsigned>(sod / 60 % 60));
  *out++ = ':';
  out = Put2(out, static_cast<unsigned>(sod % 60));
  return out;
}

std::string FormatTimestamp(int64_t seconds) {
  char buf[19];
  FormatTimestampTo(seconds, buf);
  return std::string(buf, 19);
}

std::string FormatDate(int64_t seconds) { return FormatTimestamp(seconds).substr(0, 10); }

}  // namespace upcamp
