#pragma once
// Calendar arithmetic on naive (zone-less) timestamps, as the retail logs store them.
// A timestamp is int64 seconds since 1970-01-01 00:00:00; a date is the timestamp of its midnight.
// Pure integer arithmetic (no tz database, no locale), so results are identical on every machine.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace upcamp {

inline constexpr int64_t kSecondsPerDay = 86400;

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31).
constexpr int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;  ///< 1..12
  unsigned day;    ///< 1..31
};

/// Inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);

/// Floor division of a timestamp into whole days since the epoch (correct for negatives).
constexpr int64_t DayIndex(int64_t seconds) {
  return seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
}

/// Day of week, Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
constexpr int Weekday(int64_t seconds) {
  const int64_t d = DayIndex(seconds);
  return static_cast<int>(((d % 7) + 7 + 3) % 7);
}

/// Seconds since midnight, 0..86399.
constexpr int64_t SecondOfDay(int64_t seconds) { return seconds - DayIndex(seconds) * kSecondsPerDay; }

/// Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (also with `T` as separator and an optional
/// fraction `.ffffff`, which is truncated). Validates field ranges and the day of month.
/// Returns nullopt on anything else.
std::optional<int64_t> ParseTimestamp(std::string_view text);

/// Parses exactly `YYYY-MM-DD`; the timestamp of that midnight.
std::optional<int64_t> ParseDate(std::string_view text);

/// `YYYY-MM-DD HH:MM:SS`.
std::string FormatTimestamp(int64_t seconds);
/// `YYYY-MM-DD` of the day containing `seconds`.
std::string FormatDate(int64_t seconds);
/// Writes `YYYY-MM-DD HH:MM:SS` (19 chars) into `out`; returns the pointer past the last char.
char* FormatTimestampTo(int64_t seconds, char* out);

}  // namespace upcamp
