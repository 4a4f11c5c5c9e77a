// A tiny fork-join pool for the trainer: run(shards, fn) calls fn(shard) for
// every shard, thread t taking shards t, t + T, ... (a fixed assignment, so a
// shard's work never depends on timing). The caller is thread 0.
//
// Waiting: searches and sweeps run several trainer processes on the same
// cores, so a waiting thread must give its core away. Idle workers and a
// caller waiting for the workers spin for at most kSpinMicroseconds (a
// training step forks every few milliseconds, and the next fork usually
// comes within that window), then block on a condition variable (a futex).
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cimvp::training {

class ShardPool {
 public:
  static constexpr int kSpinMicroseconds = 20;

  explicit ShardPool(int threads);
  ~ShardPool();
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }
  // Returns when every shard is done; rethrows the exception of the lowest
  // failing shard.
  void run(int shards, const std::function<void(int)>& fn);

 private:
  void worker(int t);
  void do_shards(int t);

  std::vector<std::thread> workers_;
  std::mutex m_;
  std::condition_variable start_cv_;  // workers wait here for a new generation
  std::condition_variable done_cv_;   // the caller waits here for pending_ == 0
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  int sleepers_ = 0;             // workers blocked on start_cv_ (guarded by m_)
  bool caller_sleeping_ = false;  // guarded by m_
  int shards_ = 0;
  const std::function<void(int)>* fn_ = nullptr;
  std::vector<std::exception_ptr> errors_;
};

}  // namespace cimvp::training
