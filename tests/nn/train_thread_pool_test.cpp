// The trainer's fork-join pool: every shard runs exactly once on its fixed
// thread, the lowest failing shard's exception comes back, and idle threads
// block instead of spinning (searches run several trainers on the same
// cores: a spinning idle pool would take a core from them). The idle check
// measures CPU time consumed, not speed: an idle pool must use next to none.
#include <gtest/gtest.h>

#include <time.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "nn/train/thread_pool.h"

using cimvp::training::ShardPool;

namespace {

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace

TEST(ShardPool, EveryShardOnceOnItsThread) {
  for (int threads : {1, 2, 3}) {
    ShardPool pool(threads);
    for (int round = 0; round < 50; ++round) {
      const int shards = 1 + round % 7;
      std::vector<std::atomic<int>> runs(static_cast<size_t>(shards));
      std::vector<std::thread::id> who(static_cast<size_t>(shards));
      pool.run(shards, [&](int s) {
        runs[size_t(s)].fetch_add(1);
        who[size_t(s)] = std::this_thread::get_id();
      });
      for (int s = 0; s < shards; ++s) {
        EXPECT_EQ(runs[size_t(s)].load(), 1) << threads << " threads, shard " << s;
        // shards s and s + threads share a thread (the fixed assignment)
        if (s + pool.threads() < shards) {
          EXPECT_EQ(who[size_t(s)], who[size_t(s + pool.threads())]);
        }
      }
      EXPECT_EQ(who[0], std::this_thread::get_id());  // the caller is thread 0
    }
  }
}

TEST(ShardPool, RethrowsTheLowestFailingShard) {
  ShardPool pool(2);
  try {
    pool.run(4, [](int s) {
      if (s >= 1) throw std::runtime_error("shard " + std::to_string(s));
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "shard 1");
  }
  int sum = 0;
  pool.run(2, [&](int s) {
    if (s == 0) sum += 1;
  });
  EXPECT_EQ(sum, 1);  // the pool still works
}

TEST(ShardPool, IdleThreadsBlockInsteadOfSpinning) {
  ShardPool pool(2);
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) pool.run(2, [&](int) { done.fetch_add(1); });
  EXPECT_EQ(done.load(), 40);
  // After at most kSpinMicroseconds the worker sleeps: 300 ms of idleness
  // must cost far less CPU than a spinning core (300 ms).
  const double cpu0 = process_cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double used = process_cpu_seconds() - cpu0;
  EXPECT_LT(used, 0.03) << "an idle pool used " << used << " s of CPU in 0.3 s";
}

TEST(ShardPool, CallerWaitingForASlowShardBlocks) {
  // The caller's shard returns at once, the worker's takes 300 ms (asleep):
  // the caller must wait without burning its core.
  ShardPool pool(2);
  const double cpu0 = process_cpu_seconds();
  pool.run(2, [](int s) {
    if (s == 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  const double used = process_cpu_seconds() - cpu0;
  EXPECT_LT(used, 0.03) << "waiting 0.3 s for a shard used " << used << " s of CPU";
}
