// The search driver with a fake evaluator: the files it writes, determinism,
// kill-and-resume equivalence (a callback that stops the search, and a real
// SIGKILL of a child process), the output-folder rules, and DDPG beating
// random search with the same episode budget.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "nn/zoo.h"
#include "tests/rl/fake_evaluator.h"
#include "rl/search.h"

using namespace cimvp;
using namespace cimvp::rl;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

std::string temp_dir(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("rl_search_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  return p.lexically_normal().string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Small networks and a short budget: the tests stay well under a second each.
SearchOptions small_search(const std::string& out, int episodes = 30, uint64_t seed = 1) {
  SearchOptions o;
  o.config.model = "lenet5";
  o.config.source = "test";
  o.config.episodes = episodes;
  o.config.warmup = 5;
  o.config.seed = seed;
  o.config.accuracy_budget = 1.0;
  o.config.ddpg.actor_hidden = {32, 32};
  o.config.ddpg.critic_hidden = {32, 32};
  o.config.ddpg.batch = 16;
  o.output = out;
  o.durable = false;  // fsync per episode would dominate the test's time; a kill loses nothing either way
  return o;
}

struct Stop {};  // thrown by a progress callback to simulate a kill

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream s(text);
  for (std::string l; std::getline(s, l);) v.push_back(l);
  return v;
}

}  // namespace

TEST(Search, WritesEpisodesBestPolicyAndCheckpoint) {
  const Graph g = make_model_structure("lenet5");
  auto eval = test::FakeEvaluator::lenet5();
  const std::string out = temp_dir("files");
  std::vector<int> seen;
  SearchOptions o = small_search(out, 12);
  o.durable = true;
  o.progress = [&](const SearchProgress& p) {
    seen.push_back(p.episodes_done);
    EXPECT_EQ(p.episodes, 12);
    ASSERT_NE(p.last, nullptr);
    // The row of the finished episode is on disk when the callback runs.
    EXPECT_EQ(lines(slurp(out + "/episodes.csv")).size(), size_t(p.episodes_done) + 1);
    EXPECT_GE(p.eta_seconds, 0);
  };
  const SearchOutcome r = run_search(g, eval, o);
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(eval.calls, 13);  // W8A8 + one per episode
  ASSERT_EQ(r.episodes.size(), 12u);
  EXPECT_NEAR(r.base_accuracy_percent, 100 * eval.evaluate(uniform_policy(5, 8, 8)).accuracy, 1e-12);
  EXPECT_NEAR(r.target_accuracy_percent, r.base_accuracy_percent - 1.0, 1e-12);

  const auto csv = lines(slurp(out + "/episodes.csv"));
  ASSERT_EQ(csv.size(), 13u);
  EXPECT_EQ(csv[0],
            "episode,kind,weight_bits,activation_bits,accuracy,latency_seconds,cycles,energy_joules,cost_ratio,"
            "speedup,reward,meets_target,placement");
  EXPECT_THAT(csv[1], ::testing::StartsWith("0,warmup,"));
  EXPECT_THAT(csv[6], ::testing::StartsWith("5,explore,"));
  for (const EpisodeRecord& e : r.episodes) {
    // Every record's reward follows from its own numbers.
    const double acc = 100 * e.result.accuracy;
    const double ratio = e.result.latency_seconds / r.baseline.latency_seconds;
    EXPECT_DOUBLE_EQ(e.cost_ratio, ratio);
    EXPECT_DOUBLE_EQ(e.reward, reward(acc, r.target_accuracy_percent, ratio));
    EXPECT_EQ(e.meets_target, acc >= r.target_accuracy_percent);
  }
  ASSERT_TRUE(r.found);
  // The best is the highest reward among those meeting the target.
  for (const EpisodeRecord& e : r.episodes) {
    if (e.meets_target) {
      EXPECT_LE(e.reward, r.best_reward);
    }
  }
  const Policy best = load_policy(out + "/best-policy.yaml", 5);
  EXPECT_EQ(best, r.best_policy);
  EXPECT_TRUE(fs::exists(out + "/checkpoint.bin"));
  EXPECT_FALSE(fs::exists(out + "/checkpoint.bin.tmp"));
}

TEST(Search, SameSeedGivesByteIdenticalFiles) {
  const Graph g = make_model_structure("lenet5");
  const std::string a = temp_dir("det_a"), b = temp_dir("det_b"), c = temp_dir("det_c");
  auto e1 = test::FakeEvaluator::lenet5(), e2 = test::FakeEvaluator::lenet5(), e3 = test::FakeEvaluator::lenet5();
  run_search(g, e1, small_search(a, 25, 7));
  run_search(g, e2, small_search(b, 25, 7));
  run_search(g, e3, small_search(c, 25, 8));
  EXPECT_EQ(slurp(a + "/episodes.csv"), slurp(b + "/episodes.csv"));
  EXPECT_EQ(slurp(a + "/checkpoint.bin"), slurp(b + "/checkpoint.bin"));
  EXPECT_EQ(slurp(a + "/best-policy.yaml"), slurp(b + "/best-policy.yaml"));
  EXPECT_NE(slurp(a + "/episodes.csv"), slurp(c + "/episodes.csv"));  // the seed matters
}

TEST(Search, StoppedAndResumedEqualsStraightRun) {
  const Graph g = make_model_structure("lenet5");
  const std::string straight = temp_dir("straight"), stopped = temp_dir("stopped");
  auto e1 = test::FakeEvaluator::lenet5();
  const SearchOutcome full = run_search(g, e1, small_search(straight, 24));

  // Stop during warm-up, then during exploration, then finish.
  for (int stop_after : {3, 14}) {
    auto e = test::FakeEvaluator::lenet5();
    SearchOptions o = small_search(stopped, 24);
    o.resume = stop_after != 3;
    o.progress = [&](const SearchProgress& p) {
      if (p.episodes_done == stop_after) throw Stop{};
    };
    EXPECT_THROW(run_search(g, e, o), Stop);
  }
  // Rows past the checkpoint (an episode that "did not finish") must go.
  std::ofstream(stopped + "/episodes.csv", std::ios::app) << "14,explore,half a row";
  auto e2 = test::FakeEvaluator::lenet5();
  SearchOptions o = small_search(stopped, 24);
  o.resume = true;
  const SearchOutcome resumed = run_search(g, e2, o);
  EXPECT_EQ(resumed.resumed_from, 14);
  EXPECT_EQ(e2.calls, 10);  // only the missing episodes: the baseline comes from the checkpoint
  EXPECT_EQ(slurp(straight + "/episodes.csv"), slurp(stopped + "/episodes.csv"));
  EXPECT_EQ(slurp(straight + "/checkpoint.bin"), slurp(stopped + "/checkpoint.bin"));
  EXPECT_EQ(slurp(straight + "/best-policy.yaml"), slurp(stopped + "/best-policy.yaml"));
  EXPECT_EQ(full.best_policy, resumed.best_policy);
  EXPECT_EQ(full.episodes.size(), resumed.episodes.size());
}

TEST(Search, SigkilledAndResumedEqualsStraightRun) {
  const Graph g = make_model_structure("lenet5");
  const std::string straight = temp_dir("kill_straight"), killed = temp_dir("killed");
  auto e1 = test::FakeEvaluator::lenet5();
  run_search(g, e1, small_search(straight, 40));

  // Kill a child at several points: mid-run at arbitrary times, without
  // warning. The child signals each finished episode through a pipe so the
  // parent kills it while it is running, not before it started.
  int killed_mid_run = 0;
  for (int kill_after : {2, 9, 23}) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      // A slower evaluator, as the real one is: the kill most often lands
      // inside an evaluation, and the child cannot finish all 40 episodes
      // before the parent's kill arrives.
      struct Slow : test::FakeEvaluator {
        Slow() : test::FakeEvaluator(test::FakeEvaluator::lenet5()) {}
        PolicyResult evaluate(const Policy& p) override {
          ::usleep(2000);
          return test::FakeEvaluator::evaluate(p);
        }
      } e;
      SearchOptions o = small_search(killed, 40);
      o.resume = true;
      o.progress = [&](const SearchProgress& p) {
        const char c = char(p.episodes_done);
        (void)!::write(fds[1], &c, 1);
      };
      try {
        run_search(g, e, o);
      } catch (...) {
        ::_exit(2);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    char c = 0;
    int done = 0;
    while (done < kill_after && ::read(fds[0], &c, 1) == 1) done = c;
    ::kill(pid, SIGKILL);  // somewhere inside the next episode (or its file writes)
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)) << status;
    killed_mid_run += WIFSIGNALED(status);
  }
  EXPECT_GE(killed_mid_run, 1);  // else the test tested nothing
  auto e2 = test::FakeEvaluator::lenet5();
  SearchOptions o = small_search(killed, 40);
  o.resume = true;
  run_search(g, e2, o);
  EXPECT_EQ(slurp(straight + "/episodes.csv"), slurp(killed + "/episodes.csv"));
  EXPECT_EQ(slurp(straight + "/checkpoint.bin"), slurp(killed + "/checkpoint.bin"));
  EXPECT_EQ(slurp(straight + "/best-policy.yaml"), slurp(killed + "/best-policy.yaml"));
}

TEST(Search, ResumeCanExtendTheEpisodeBudget) {
  const Graph g = make_model_structure("lenet5");
  const std::string straight = temp_dir("ext_straight"), extended = temp_dir("extended");
  auto e1 = test::FakeEvaluator::lenet5(), e2 = test::FakeEvaluator::lenet5(), e3 = test::FakeEvaluator::lenet5();
  run_search(g, e1, small_search(straight, 20));
  run_search(g, e2, small_search(extended, 12));
  SearchOptions o = small_search(extended, 20);
  o.resume = true;
  run_search(g, e3, o);
  EXPECT_EQ(slurp(straight + "/episodes.csv"), slurp(extended + "/episodes.csv"));
  EXPECT_EQ(slurp(straight + "/checkpoint.bin"), slurp(extended + "/checkpoint.bin"));
}

TEST(Search, RefusesANonEmptyFolderWithoutResumeOrForce) {
  const Graph g = make_model_structure("lenet5");
  const std::string out = temp_dir("nonempty");
  fs::create_directories(out);
  std::ofstream(out + "/notes.txt") << "mine";
  auto e = test::FakeEvaluator::lenet5();
  try {
    run_search(g, e, small_search(out, 3));
    FAIL() << "wrote into a non-empty folder";
  } catch (const Error& err) {
    EXPECT_THAT(err.what(), HasSubstr(out + ": the output folder is not empty"));
  }
  EXPECT_EQ(e.calls, 0);
  SearchOptions o = small_search(out, 3);
  o.force = true;
  EXPECT_EQ(run_search(g, e, o).episodes.size(), 3u);
  EXPECT_EQ(slurp(out + "/notes.txt"), "mine");  // force replaces only the search's own files
  // A second forced run starts afresh, not after the first.
  EXPECT_EQ(lines(slurp(out + "/episodes.csv")).size(), 4u);
  EXPECT_EQ(run_search(g, e, o).resumed_from, 0);
  EXPECT_EQ(lines(slurp(out + "/episodes.csv")).size(), 4u);
}

TEST(Search, ResumeWithOtherSettingsIsRefused) {
  const Graph g = make_model_structure("lenet5");
  const std::string out = temp_dir("other_settings");
  auto e = test::FakeEvaluator::lenet5();
  run_search(g, e, small_search(out, 6));
  SearchOptions o = small_search(out, 10);
  o.resume = true;
  o.config.accuracy_budget = 2.0;
  try {
    run_search(g, e, o);
    FAIL() << "resumed with another budget";
  } catch (const Error& err) {
    EXPECT_THAT(err.what(), HasSubstr("checkpoint accuracy_budget=1, now accuracy_budget=2"));
  }
  // A damaged checkpoint is an error naming it, not a crash.
  const std::string bytes = slurp(out + "/checkpoint.bin");
  std::ofstream(out + "/checkpoint.bin", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  o.config.accuracy_budget = 1.0;
  try {
    run_search(g, e, o);
    FAIL() << "resumed from a truncated checkpoint";
  } catch (const Error& err) {
    EXPECT_THAT(err.what(), HasSubstr("checkpoint.bin: truncated"));
  }
}

TEST(Search, ConstraintsReachThePolicies) {
  const Graph g = make_model_structure("lenet5");
  auto e = test::FakeEvaluator::lenet5();
  SearchOptions o = small_search(temp_dir("constraints"), 10);
  o.config.first_last_w8a8 = true;
  o.config.weight_multiple_of_cell_bits = true;
  EXPECT_THROW(run_search(g, e, o), Error);  // needs the cell bits
  o.cell_bits = 4;
  o.force = true;
  for (const EpisodeRecord& r : run_search(g, e, o).episodes) {
    EXPECT_EQ(r.policy.weight_bits.front(), 8);
    EXPECT_EQ(r.policy.activation_bits.back(), 8);
    for (int w : r.policy.weight_bits) EXPECT_TRUE(w == 4 || w == 8) << w;
  }
}

TEST(Search, CostTargetLowersEveryPolicyToFitAndRewardsAccuracy) {
  const Graph g = make_model_structure("lenet5");
  auto e = test::FakeEvaluator::lenet5();
  SearchOptions o = small_search(temp_dir("cost_target"), 30);
  o.config.cost_target = 0.4;  // at least 2.5x faster than W8A8
  const SearchOutcome r = run_search(g, e, o);
  ASSERT_TRUE(r.found);
  double most_accurate = 0;
  for (const EpisodeRecord& x : r.episodes) {
    EXPECT_LE(x.cost_ratio, 0.4) << x.episode;
    EXPECT_DOUBLE_EQ(x.reward, 0.1 * (100 * x.result.accuracy - 100 * r.baseline.accuracy));
    most_accurate = std::max(most_accurate, x.result.accuracy);
  }
  EXPECT_DOUBLE_EQ(r.best_result.accuracy, most_accurate);
  // The same search without the target: most of its policies are slower.
  o.config.cost_target = 0;
  o.force = true;
  int slower = 0;
  for (const EpisodeRecord& x : run_search(g, e, o).episodes) slower += x.cost_ratio > 0.4;
  EXPECT_GT(slower, 15);

  o.config.cost_target = 0.01;  // below what 2-bit everything gives
  try {
    run_search(g, e, o);
    FAIL() << "an unreachable cost target must be refused";
  } catch (const Error& ex) {
    EXPECT_THAT(ex.what(), HasSubstr("'cost_target' 0.010000 is out of reach"));
  }
}

// The finals' candidates: distinct eligible policies by reward, the search's
// own best first.
TEST(Search, BestPoliciesRankEligibleDistinctPoliciesByReward) {
  const Graph g = make_model_structure("lenet5");
  auto e = test::FakeEvaluator::lenet5();
  SearchOptions o = small_search(temp_dir("best_policies"), 30);
  const SearchOutcome r = run_search(g, e, o);
  ASSERT_TRUE(r.found);
  const std::vector<Policy> top = best_policies(r.episodes, o.config, 4);
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0], r.best_policy);
  auto reward_of = [&](const Policy& p) {
    double best = -1e300;
    for (const EpisodeRecord& x : r.episodes)
      if (x.policy == p && eligible(x, o.config)) best = std::max(best, x.reward);
    return best;
  };
  for (size_t k = 0; k < top.size(); ++k) {
    EXPECT_GT(reward_of(top[k]), -1e300) << "candidate " << k << " was never eligible";
    for (size_t j = 0; j < k; ++j) {
      EXPECT_FALSE(top[j] == top[k]);
      EXPECT_GE(reward_of(top[j]), reward_of(top[k]));
    }
  }
  // Every eligible policy better than the last candidate is among them.
  for (const EpisodeRecord& x : r.episodes)
    if (eligible(x, o.config) && x.reward > reward_of(top.back())) {
      EXPECT_NE(std::find(top.begin(), top.end(), x.policy), top.end()) << x.episode;
    }
  EXPECT_EQ(best_policies(r.episodes, o.config, 1).size(), 1u);
}

TEST(Search, DdpgBeatsRandomSearchWithTheSameBudget) {
  // Same evaluator, same budget (300 episodes), the paper's DDPG settings
  // except smaller networks (64-64 instead of 300-300, for the test's time).
  // Compared by the sum of the best rewards over four consecutive seeds, so
  // one lucky random draw cannot decide it: on this problem DDPG wins most
  // seeds, not every one (it sometimes settles on a safe, slow policy).
  // Deterministic: the result is the same on every run of the same build.
  const Graph g = make_model_structure("lenet5");
  double ddpg = 0, random = 0;
  for (uint64_t seed : {1, 2, 3, 4}) {
    for (SearchMethod m : {SearchMethod::Ddpg, SearchMethod::Random}) {
      auto e = test::FakeEvaluator::lenet5();
      SearchOptions o = small_search(temp_dir("versus"), 300, seed);
      o.config.method = m;
      o.config.warmup = 20;
      o.config.ddpg = DdpgSettings{};  // the paper's
      o.config.ddpg.actor_hidden = {64, 64};
      o.config.ddpg.critic_hidden = {64, 64};
      const SearchOutcome r = run_search(g, e, o);
      ASSERT_TRUE(r.found);
      EXPECT_EQ(r.episodes.front().kind, m == SearchMethod::Ddpg ? "warmup" : "random");
      EXPECT_EQ(r.episodes.back().kind, m == SearchMethod::Ddpg ? "explore" : "random");
      (m == SearchMethod::Ddpg ? ddpg : random) += r.best_reward;
      std::printf("seed %d %s best reward %.3f speedup %.3f\n", int(seed), method_name(m), r.best_reward, r.best_speedup);
    }
  }
  EXPECT_GT(ddpg, random * 1.1);
}

TEST(Search, UpdatesPerStepChangesTheLearningNotTheWarmup) {
  // Warm-up episodes take random actions and learn nothing, so they are the
  // same; after warm-up, more updates per stored transition move the actor
  // further, and the explored policies differ.
  const Graph g = make_model_structure("lenet5");
  std::vector<EpisodeRecord> runs[2];
  for (int k = 0; k < 2; ++k) {
    auto e = test::FakeEvaluator::lenet5();
    SearchOptions o = small_search(temp_dir("updates" + std::to_string(k)), 12);
    o.config.ddpg.updates_per_step = k == 0 ? 1 : 4;
    runs[k] = run_search(g, e, o).episodes;
  }
  for (int ep = 0; ep < 5; ++ep) EXPECT_EQ(runs[0][size_t(ep)].policy, runs[1][size_t(ep)].policy) << ep;
  bool differ = false;
  for (size_t ep = 5; ep < 12; ++ep) differ = differ || !(runs[0][ep].policy == runs[1][ep].policy);
  EXPECT_TRUE(differ);
}

TEST(Search, ImplausibleEvaluatorResultsAreErrors) {
  // A percentage where a fraction belongs, or no latency, would make every
  // reward meaningless: the search stops and says which policy and why.
  struct Bad : PolicyEvaluator {
    double accuracy, latency;
    Bad(double a, double l) : accuracy(a), latency(l) {}
    PolicyResult evaluate(const Policy&) override {
      PolicyResult r;
      r.accuracy = accuracy, r.latency_seconds = latency;
      return r;
    }
  };
  const Graph g = make_model_structure("lenet5");
  Bad percent(91.0, 1e-3), no_time(0.9, 0.0);
  SearchOptions o = small_search(temp_dir("bad_eval"), 3);
  try {
    run_search(g, percent, o);
    FAIL() << "accepted accuracy 91";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("policy w[8-8-8-8-8] a[8-8-8-8-8] has accuracy 91"));
  }
  o.force = true;
  EXPECT_THROW(run_search(g, no_time, o), Error);
}

TEST(Search, ResumingAFinishedSearchEvaluatesNothingAndChangesNothing) {
  const Graph g = make_model_structure("lenet5");
  const std::string out = temp_dir("finished");
  auto e = test::FakeEvaluator::lenet5();
  const SearchOutcome first = run_search(g, e, small_search(out, 8));
  const std::string csv = slurp(out + "/episodes.csv"), ckpt = slurp(out + "/checkpoint.bin");
  auto e2 = test::FakeEvaluator::lenet5();
  SearchOptions o = small_search(out, 8);
  o.resume = true;
  const SearchOutcome again = run_search(g, e2, o);
  EXPECT_EQ(e2.calls, 0);
  EXPECT_EQ(again.resumed_from, 8);
  EXPECT_EQ(again.best_policy, first.best_policy);
  EXPECT_EQ(again.best_reward, first.best_reward);
  EXPECT_EQ(slurp(out + "/episodes.csv"), csv);
  EXPECT_EQ(slurp(out + "/checkpoint.bin"), ckpt);
}
