#include "core/civil_time.h"

#include <gtest/gtest.h>

namespace upcamp {
namespace {

TEST(CivilTime, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  // 2019-03-19 00:00:00 UTC == 1552953600 (date -u -d 2019-03-19 +%s)
  EXPECT_EQ(ParseDate("2019-03-19").value(), 1552953600);
  EXPECT_EQ(ParseTimestamp("2018-11-21 13:45:07").value(),
            DaysFromCivil(2018, 11, 21) * 86400 + 13 * 3600 + 45 * 60 + 7);
}

TEST(CivilTime, RoundTripEveryDayOverCenturies) {
  for (int64_t d = -800000; d <= 800000; d += 7) {
    const CivilDate c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
}

TEST(CivilTime, WeekdayMondayIsZero) {
  EXPECT_EQ(Weekday(ParseDate("2019-03-18").value()), 0);  // a Monday
  EXPECT_EQ(Weekday(ParseDate("2019-03-24").value()), 6);  // a Sunday
  EXPECT_EQ(Weekday(ParseDate("1970-01-01").value()), 3);  // a Thursday
  EXPECT_EQ(Weekday(ParseTimestamp("1969-12-29 23:59:59").value()), 0);  // negative, Monday
}

TEST(CivilTime, RejectsMalformed) {
  for (const char* bad : {"", "2019-3-19", "2019-02-29", "2019-13-01", "2019-00-10", "20190319",
                          "2019-03-19 24:00:00", "2019-03-19 12:60:00", "2019-03-19 12:00",
                          "2019-03-19x12:00:00", "2019-03-19 12:00:00.", "abcd-ef-gh"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseDate("2020-02-29").has_value());
  EXPECT_FALSE(ParseDate("1900-02-29").has_value());
  EXPECT_FALSE(ParseDate("2019-03-19 00:00:00").has_value());
}

TEST(CivilTime, FractionTruncatedAndIsoSeparator) {
  EXPECT_EQ(ParseTimestamp("2019-03-19T01:02:03.999").value(),
            ParseTimestamp("2019-03-19 01:02:03").value());
}

TEST(CivilTime, FormatRoundTrip) {
  for (const char* s : {"2018-11-21 00:00:00", "2019-03-18 23:59:59", "1901-01-01 12:34:56"}) {
    EXPECT_EQ(FormatTimestamp(ParseTimestamp(s).value()), s);
  }
  EXPECT_EQ(FormatDate(ParseTimestamp("2019-03-18 23:59:59").value()), "2019-03-18");
  EXPECT_EQ(SecondOfDay(ParseTimestamp("2019-03-18 01:00:02").value()), 3602);
}

}  // namespace
}  // namespace upcamp
