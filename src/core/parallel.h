#pragma once
// Minimal fork-join parallelism over independent tasks. Determinism is the caller's part: each
// task writes only its own output slot, and merges happen in task order afterwards.

#include <cstddef>
#include <functional>

#include "core/status.h"

namespace upcamp {

/// Runs fn(task, worker) for task in [0, n_tasks) on up to `threads` threads (worker in
/// [0, threads)). Tasks are handed out dynamically. With threads <= 1 runs inline, in order.
void ParallelFor(int threads, size_t n_tasks, const std::function<void(size_t task, int worker)>& fn);

/// As ParallelFor, but tasks may fail; returns the error of the lowest-numbered failing task
/// (so the reported error does not depend on scheduling). Remaining tasks are skipped once any
/// task has failed.
Status ParallelForStatus(int threads, size_t n_tasks,
                         const std::function<Status(size_t task, int worker)>& fn);

}  // namespace upcamp
