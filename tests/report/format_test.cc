#include "report/format.h"

#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <limits>

namespace upcamp::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ReportFormat, EscapeXmlEscapesEverySpecialCharacter) {
  EXPECT_EQ(EscapeXml(R"(a<b & "c" 'd'>)"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(EscapeXml("plain"), "plain");
  // Entities are escaped again: the text "&amp;" is shown literally, not as "&".
  EXPECT_EQ(EscapeXml("&amp;"), "&amp;amp;");
  // UTF-8 passes through; control characters XML forbids become U+FFFD.
  EXPECT_EQ(EscapeXml("µ\u2212"), "µ\u2212");
  EXPECT_EQ(EscapeXml(std::string("a\x01"
                                  "b\tc",
                                  5)),
            "a\uFFFDb\tc");
}

TEST(ReportFormat, FormatNumber) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(0.123456), "0.1235");
  EXPECT_EQ(FormatNumber(-0.0012346), "-0.001235");
  EXPECT_EQ(FormatNumber(1234567), "1234567");  // integer digits are kept
  EXPECT_EQ(FormatNumber(12.46, 2), "12");
  EXPECT_EQ(FormatNumber(3.0), "3");
  EXPECT_EQ(FormatNumber(1.5e-5), "1.5e-05");
  EXPECT_EQ(FormatNumber(2e20), "2e+20");
  EXPECT_EQ(FormatNumber(kNaN), "n/a");
  EXPECT_EQ(FormatNumber(kInf), "\u221E");
  EXPECT_EQ(FormatNumber(-kInf), "\u2212\u221E");
  EXPECT_EQ(FormatNumber(-1e-9, 3), "-1e-09");
}

TEST(ReportFormat, FixedIntegerPercent) {
  EXPECT_EQ(FormatFixed(0.0034, 3), "0.003");
  EXPECT_EQ(FormatFixed(-0.0004, 3), "0.000");  // no "-0.000"
  EXPECT_EQ(FormatFixed(kNaN, 3), "n/a");
  EXPECT_EQ(FormatInteger(0), "0");
  EXPECT_EQ(FormatInteger(999), "999");
  EXPECT_EQ(FormatInteger(1000), "1\u202F000");
  EXPECT_EQ(FormatInteger(-1234567), "-1\u202F234\u202F567");
  EXPECT_EQ(FormatPercent(0.1234), "12.3%");
  EXPECT_EQ(FormatPercent(1, 0), "100%");
  EXPECT_EQ(FormatPercent(kNaN), "n/a");
}

TEST(ReportFormat, NumbersIgnoreTheLocale) {
  // A locale with a decimal comma, if the machine has one; fmt must not follow it.
  const char* old = std::setlocale(LC_ALL, nullptr);
  const std::string saved = old ? old : "C";
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr &&
      std::setlocale(LC_ALL, "fr_FR.UTF-8") == nullptr) {
    GTEST_SKIP() << "no decimal-comma locale installed";
  }
  EXPECT_EQ(FormatNumber(0.25), "0.25");
  EXPECT_EQ(FormatFixed(1.5, 2), "1.50");
  std::setlocale(LC_ALL, saved.c_str());
}

TEST(ReportFormat, NiceScaleCoversTheDataWithRoundSteps) {
  for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{
           {0, 1}, {0, 400000}, {-0.013, 0.042}, {3, 7}, {0.1, 0.3}, {-5e6, 2e6}, {1e-7, 3e-7}}) {
    const Scale s = NiceScale(lo, hi);
    SCOPED_TRACE(::testing::Message() << lo << ".." << hi);
    EXPECT_LE(s.lo, lo);
    EXPECT_GE(s.hi, hi);
    ASSERT_GE(s.ticks.size(), 2u);
    EXPECT_GE(s.ticks.size(), 3u);
    EXPECT_LE(s.ticks.size(), 8u);
    // Little room is wasted: the scale spans at most 1.5 times the data.
    EXPECT_LE(s.hi - s.lo, 1.5 * (hi - lo));
    EXPECT_DOUBLE_EQ(s.ticks.front(), s.lo);
    EXPECT_DOUBLE_EQ(s.ticks.back(), s.hi);
    const double mantissa = s.step / std::pow(10.0, std::floor(std::log10(s.step)));
    EXPECT_TRUE(std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 ||
                std::fabs(mantissa - 2.5) < 1e-9 || std::fabs(mantissa - 5) < 1e-9)
        << s.step;
  }
  EXPECT_EQ(NiceScale(0, 1).ticks, (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  // 50k steps would end at 200k, a quarter of the axis empty; 25k steps end at 175k.
  const Scale curve = NiceScale(0, 160000);
  EXPECT_EQ(curve.hi, 175000);
  EXPECT_EQ(TickLabels(curve)[1], "25k");
  EXPECT_EQ(TickLabels(NiceScale(0, 1.6))[1], "0.25");
  // Ticks are the doubles nearest to their decimal values, not k·step products.
  const Scale s = NiceScale(0, 0.3, 4);
  EXPECT_EQ(s.ticks[3], 0.3);
  EXPECT_EQ(NiceScale(-0.07, 0.02, 10).ticks[0], -0.07);
}

TEST(ReportFormat, NiceScaleWidensDegenerateRanges) {
  const Scale single = NiceScale(5, 5);
  EXPECT_LT(single.lo, 5);
  EXPECT_GT(single.hi, 5);
  const Scale zero = NiceScale(0, 0);
  EXPECT_LT(zero.lo, 0);
  EXPECT_GT(zero.hi, 0);
  const Scale nan = NiceScale(kNaN, 1);
  EXPECT_EQ(nan.lo, 0);
  EXPECT_EQ(nan.hi, 1);
  const Scale swapped = NiceScale(3, -3);
  EXPECT_LE(swapped.lo, -3);
  EXPECT_GE(swapped.hi, 3);
}

TEST(ReportFormat, TickLabels) {
  EXPECT_EQ(TickLabels(NiceScale(0, 1)),
            (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  EXPECT_EQ(TickLabels(NiceScale(0, 400000, 5)),
            (std::vector<std::string>{"0", "100k", "200k", "300k", "400k"}));
  EXPECT_EQ(TickLabels(NiceScale(0, 3e6, 4)), (std::vector<std::string>{"0", "1M", "2M", "3M"}));
  EXPECT_EQ(TickLabels(NiceScale(-0.02, 0.04, 4)),
            (std::vector<std::string>{"-0.02", "0.00", "0.02", "0.04"}));
}

TEST(ReportFormat, TruncateCutsBetweenCodePoints) {
  EXPECT_EQ(Truncate("short", 100, 10), "short");
  const std::string cut = Truncate("ééééééééééééééééééééé", 40, 10);
  EXPECT_LE(TextWidth(cut, 10), 40);
  EXPECT_EQ(cut.substr(cut.size() - 3), "\u2026");
  EXPECT_EQ(cut.substr(0, 2), "é");  // whole code points only
  EXPECT_EQ(TextWidth("é\u2026", 10), 12);
}

}  // namespace
}  // namespace upcamp::report
