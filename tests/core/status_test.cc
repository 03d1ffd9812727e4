#include "core/status.h"

#include <gtest/gtest.h>

namespace upcamp {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::Data("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  UPCAMP_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, ExitCodesFollowInterface) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kOk), 0);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kRuntime), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kIo), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUsage), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kConfig), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kData), 3);
}

TEST(Status, ResultPropagates) {
  EXPECT_EQ(Quarter(8).value(), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_EQ(r.status().WithPrefix("a.csv").message(), "a.csv: 3 is odd");
  EXPECT_EQ(r.status().ToString(), "data error: 3 is odd");
}

}  // namespace
}  // namespace upcamp
