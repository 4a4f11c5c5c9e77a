// Two independent computations at once, on a pool's two threads, or one
// after the other without one. The agent splits each update's matrix
// products this way (a product and its sibling: the weight gradient and the
// input gradient of a layer, the target networks and the online forward
// passes). Each is the same Eigen call on either thread, so no result
// depends on the threads.
#pragma once

#include <functional>

#include "nn/train/thread_pool.h"

namespace cimvp::rl {

inline void run_both(training::ShardPool* pool, const std::function<void()>& a, const std::function<void()>& b) {
  if (!pool || pool->threads() < 2) {
    a();
    b();
    return;
  }
  pool->run(2, [&](int part) { part == 0 ? a() : b(); });
}

}  // namespace cimvp::rl
