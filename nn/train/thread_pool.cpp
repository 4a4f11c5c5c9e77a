#include "nn/train/thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CIMVP_PAUSE() _mm_pause()
#else
#define CIMVP_PAUSE() std::this_thread::yield()
#endif

namespace cimvp::training {

namespace {

// Spins until done() or kSpinMicroseconds have passed; returns done().
template <typename Done>
bool spin_briefly(Done done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(ShardPool::kSpinMicroseconds);
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      if (done()) return true;
      CIMVP_PAUSE();
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

}  // namespace

ShardPool::ShardPool(int threads) {
  if (threads < 1) threads = 1;
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { worker(t); });
}

ShardPool::~ShardPool() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void ShardPool::do_shards(int t) {
  for (int s = t; s < shards_; s += threads()) {
    try {
      (*fn_)(s);
    } catch (...) {
      errors_[size_t(s)] = std::current_exception();
    }
  }
}

void ShardPool::worker(int t) {
  uint64_t seen = 0;
  for (;;) {
    auto started = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin_briefly(started)) {
      std::unique_lock<std::mutex> lk(m_);
      ++sleepers_;
      start_cv_.wait(lk, started);
      --sleepers_;
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_acquire)) return;
    do_shards(t);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // The last worker wakes the caller if it went to sleep. Taking the
      // mutex orders this after the caller's check of pending_ in its wait.
      std::lock_guard<std::mutex> lk(m_);
      if (caller_sleeping_) done_cv_.notify_one();
    }
  }
}

void ShardPool::run(int shards, const std::function<void(int)>& fn) {
  fn_ = &fn;
  shards_ = shards;
  errors_.assign(size_t(shards), nullptr);
  if (!workers_.empty()) {
    pending_.store(int(workers_.size()), std::memory_order_relaxed);
    bool wake;
    {
      std::lock_guard<std::mutex> lk(m_);
      generation_.fetch_add(1, std::memory_order_release);
      wake = sleepers_ > 0;
    }
    if (wake) start_cv_.notify_all();
  }
  do_shards(0);
  if (!workers_.empty()) {
    auto done = [&] { return pending_.load(std::memory_order_acquire) == 0; };
    if (!spin_briefly(done)) {
      std::unique_lock<std::mutex> lk(m_);
      caller_sleeping_ = true;
      done_cv_.wait(lk, done);
      caller_sleeping_ = false;
    }
  }
  for (auto& e : errors_)
    if (e) std::rethrow_exception(e);
}

}  // namespace cimvp::training
