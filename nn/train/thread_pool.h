// A tiny fork-join pool for the trainer: run(shards, fn) calls fn(shard) for
// every shard, thread t taking shards t, t + T, ... (a fixed assignment, so a
// shard's work never depends on timing). The caller is thread 0. Workers spin
// briefly before sleeping: a training step forks a few times per batch and
// a futex wake-up per fork would cost more than the work of small layers.
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
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  int sleepers_ = 0;  // guarded by m_
  bool stop_ = false;
  int shards_ = 0;
  const std::function<void(int)>* fn_ = nullptr;
  std::vector<std::exception_ptr> errors_;
};

}  // namespace cimvp::training
