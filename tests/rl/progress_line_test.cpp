// The progress line the command line prints after every episode.
#include <gtest/gtest.h>

#include "rl/progress_line.h"

using namespace cimvp::rl;

TEST(ProgressLine, ShowsBarCountBestAndEta) {
  SearchProgress p;
  p.episodes_done = 150, p.episodes = 600;
  p.has_best = true, p.best_reward = 153.214, p.best_speedup = 2.4812, p.best_accuracy = 0.91234;
  p.eta_seconds = 723;
  EXPECT_EQ(progress_line(p, 8), "[##......] 150/600  best 153.21 (2.48x, 91.23 %)  ETA 12m03s");
  p.episodes_done = 600, p.eta_seconds = 0;
  EXPECT_EQ(progress_line(p, 4), "[####] 600/600  best 153.21 (2.48x, 91.23 %)  ETA 0s");
}

TEST(ProgressLine, BeforeAnyPolicyMeetsTheTarget) {
  SearchProgress p;
  p.episodes_done = 3, p.episodes = 20, p.eta_seconds = 3725;
  EXPECT_EQ(progress_line(p, 4), "[....]  3/20  best: none yet  ETA 1h02m");
}

// A latency-only search has no accuracy: its best shows effective bits.
TEST(ProgressLine, LatencyOnlySearchShowsEffectiveBits) {
  SearchProgress p;
  p.episodes_done = 10, p.episodes = 20, p.eta_seconds = 5;
  p.has_best = true, p.best_reward = -2.1, p.best_speedup = 2.013, p.best_accuracy = 6.32 / 8;
  p.precision_proxy = true;
  EXPECT_EQ(progress_line(p, 4), "[##..] 10/20  best -2.10 (2.01x, 6.32 bits)  ETA 5s");
}
