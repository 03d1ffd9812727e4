// Fixed-point formatting of the generator's values.

#include "synth/format.h"

#include <gtest/gtest.h>

#include <string>

namespace upcamp::synth {
namespace {

template <typename F, typename V>
std::string Fmt(F f, V v) {
  char buf[64];
  return std::string(buf, f(v, buf));
}

TEST(SynthFormat, MoneyPointsAndQuantitiesPrintLikeTheX5Files) {
  EXPECT_EQ(Fmt(AppendCents, 100700), "1007.0");
  EXPECT_EQ(Fmt(AppendCents, 7249), "72.49");
  EXPECT_EQ(Fmt(AppendCents, 7250), "72.5");
  EXPECT_EQ(Fmt(AppendCents, 5), "0.05");
  EXPECT_EQ(Fmt(AppendCents, 0), "0.0");
  EXPECT_EQ(Fmt(AppendCents, -3000), "-30.0");
  EXPECT_EQ(Fmt(AppendPoints, 60), "60.0");
  EXPECT_EQ(Fmt(AppendPoints, -30), "-30.0");
  EXPECT_EQ(Fmt(AppendPoints, 0), "0.0");
  EXPECT_EQ(Fmt([](int64_t v, char* o) { return AppendScaled(v, 3, o); }, 734), "0.734");
  EXPECT_EQ(Fmt([](int64_t v, char* o) { return AppendScaled(v, 3, o); }, 2000), "2.0");
  EXPECT_EQ(Fmt([](int64_t v, char* o) { return AppendScaled(v, 3, o); }, 1050), "1.05");
  EXPECT_EQ(Fmt([](int64_t v, char* o) { return AppendScaled(v, 1, o); }, 48), "4.8");
  EXPECT_EQ(Fmt(AppendRounded4, 3012.44764), "3012.4476");
  EXPECT_EQ(Fmt(AppendRounded4, -0.00001), "0.0");
  EXPECT_EQ(Fmt(AppendRounded4, -1.5), "-1.5");
  EXPECT_EQ(Fmt(AppendInt, int64_t{-7491}), "-7491");
}

}  // namespace
}  // namespace upcamp::synth
