#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/context.h"

namespace upcamp {

Context Context::Default() {
  Context ctx;
  ctx.threads = ResolveThreads(0);
  return ctx;
}

int Context::ResolveThreads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void ParallelFor(int threads, size_t n_tasks, const std::function<void(size_t, int)>& fn) {
  const int workers = static_cast<int>(std::min<size_t>(std::max(threads, 1), n_tasks));
  if (workers <= 1) {
    for (size_t t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  std::atomic<size_t> next{0};
  auto run = [&](int worker) {
    for (size_t t = next.fetch_add(1); t < n_tasks; t = next.fetch_add(1)) fn(t, worker);
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& th : pool) th.join();
}

Status ParallelForStatus(int threads, size_t n_tasks,
                         const std::function<Status(size_t, int)>& fn) {
  std::mutex mu;
  size_t first_failed = n_tasks;
  Status first_error;
  std::atomic<bool> failed{false};
  ParallelFor(threads, n_tasks, [&](size_t task, int worker) {
    if (failed.load(std::memory_order_relaxed)) return;
    Status st = fn(task, worker);
    if (st.ok()) return;
    std::lock_guard<std::mutex> lock(mu);
    failed = true;
    if (task < first_failed) {
      first_failed = task;
      first_error = std::move(st);
    }
  });
  return first_error;
}

}  // namespace upcamp
