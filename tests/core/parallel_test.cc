#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace upcamp {
namespace {

TEST(Parallel, EveryTaskRunsOnce) {
  for (int threads : {1, 2, 4}) {
    std::vector<std::atomic<int>> hits(1000);
    ParallelFor(threads, hits.size(), [&](size_t t, int worker) {
      ASSERT_GE(worker, 0);
      ASSERT_LT(worker, threads);
      hits[t].fetch_add(1);
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

TEST(Parallel, ReportsLowestFailingTask) {
  for (int threads : {1, 3}) {
    Status st = ParallelForStatus(threads, 100, [](size_t t, int) {
      if (t == 17 || t == 60) return Status::Data("task {} failed", t);
      return Status::Ok();
    });
    ASSERT_FALSE(st.ok());
    // With threads the later failure may stop the run first, but task 17 is always handed out
    // before 60 and both fail, so the lowest index wins whenever both ran.
    EXPECT_TRUE(st.message() == "task 17 failed" || st.message() == "task 60 failed");
    if (threads == 1) {
      EXPECT_EQ(st.message(), "task 17 failed");
    }
  }
  EXPECT_TRUE(ParallelForStatus(2, 10, [](size_t, int) { return Status::Ok(); }).ok());
}

}  // namespace
}  // namespace upcamp
