#include "nn/train/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CIMVP_PAUSE() _mm_pause()
#else
#define CIMVP_PAUSE() std::this_thread::yield()
#endif

namespace cimvp::training {

namespace {
constexpr int kSpins = 20000;  // ~100 us of pause instructions before sleeping
}

ShardPool::ShardPool(int threads) {
  if (threads < 1) threads = 1;
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { worker(t); });
}

ShardPool::~ShardPool() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  cv_.notify_all();
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
    int spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      if (++spins < kSpins) {
        CIMVP_PAUSE();
        continue;
      }
      std::unique_lock<std::mutex> lk(m_);
      ++sleepers_;
      cv_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      --sleepers_;
      break;
    }
    seen = generation_.load(std::memory_order_acquire);
    {
      std::lock_guard<std::mutex> lk(m_);
      if (stop_) return;
    }
    do_shards(t);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
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
    if (wake) cv_.notify_all();
  }
  do_shards(0);
  int spins = 0;
  while (pending_.load(std::memory_order_acquire) != 0) {
    if (++spins < kSpins)
      CIMVP_PAUSE();
    else
      std::this_thread::yield();
  }
  for (auto& e : errors_)
    if (e) std::rethrow_exception(e);
}

}  // namespace cimvp::training
