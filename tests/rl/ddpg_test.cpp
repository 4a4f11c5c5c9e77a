// The DDPG agent on one-step bandit problems with a known optimum: it must
// find the optimum better than random actions do, and its state must
// survive a save and load exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "rl/ddpg.h"

using namespace cimvp::rl;

namespace {

DdpgSettings small_settings() {
  DdpgSettings s;
  s.actor_hidden = {32, 32};
  s.critic_hidden = {32, 32};
  s.actor_lr = 1e-3;
  s.critic_lr = 1e-2;
  s.batch = 32;
  return s;
}

// A contextual bandit: the state is (x, 1 - x) and the best action is
// 0.2 + 0.6 x; the reward is a peak at the optimum.
double bandit_reward(double x, double a) { return -100.0 * std::pow(a - (0.2 + 0.6 * x), 2); }
Eigen::VectorXd bandit_state(double x) { return (Eigen::VectorXd(2) << x, 1 - x).finished(); }

}  // namespace

TEST(Ddpg, LearnsABanditBetterThanRandomActions) {
  DdpgAgent agent(2, 2000, small_settings(), 1);
  Rng env_rng(99);
  const int warmup = 50, episodes = 600;
  for (int e = 0; e < episodes; ++e) {
    const double x = env_rng.uniform();
    const Eigen::VectorXd s = bandit_state(x);
    const double a = e < warmup ? agent.random_action() : agent.explore_action(s, e - warmup);
    agent.observe({s, a, bandit_reward(x, a), s, true});
    if (e >= warmup) agent.update();
  }
  // Greedy actor on fresh contexts versus uniform random actions.
  Rng test_rng(123);
  double actor = 0, random = 0;
  for (int i = 0; i < 200; ++i) {
    const double x = test_rng.uniform();
    actor += bandit_reward(x, agent.actor_action(bandit_state(x)));
    random += bandit_reward(x, test_rng.uniform());
  }
  actor /= 200, random /= 200;
  EXPECT_GT(actor, random / 5) << "actor " << actor << " random " << random;
  // And it is close to the optimum: mean squared action error below 0.01.
  EXPECT_GT(actor, -1.0) << "actor " << actor;
  ASSERT_TRUE(agent.moving_average().has_value());
  RecordProperty("actor_mean_reward", std::to_string(actor));
  std::printf("actor %g random %g\n", actor, random);
}

TEST(Ddpg, ExplorationStaysInTheUnitIntervalAndDecays) {
  DdpgAgent agent(2, 10, small_settings(), 3);
  EXPECT_DOUBLE_EQ(agent.sigma(0), 0.5);
  EXPECT_NEAR(agent.sigma(10), 0.5 * std::pow(0.99, 10), 1e-15);
  const Eigen::VectorXd s = bandit_state(0.5);
  double spread_early = 0, spread_late = 0;
  const double mu = agent.actor_action(s);
  for (int i = 0; i < 500; ++i) {
    const double a = agent.explore_action(s, 0), b = agent.explore_action(s, 400);
    ASSERT_GE(a, 0.0);
    ASSERT_LE(a, 1.0);
    ASSERT_GE(b, 0.0);
    ASSERT_LE(b, 1.0);
    spread_early += std::abs(a - mu), spread_late += std::abs(b - mu);
  }
  EXPECT_LT(spread_late, spread_early / 5);  // sigma 0.5 * 0.99^400 ~ 0.009

  DdpgSettings floored = small_settings();
  floored.sigma_min = 0.1;
  EXPECT_DOUBLE_EQ(DdpgAgent(2, 10, floored, 3).sigma(400), 0.1);
  EXPECT_DOUBLE_EQ(DdpgAgent(2, 10, floored, 3).sigma(0), 0.5);
}

TEST(Ddpg, SaveAndLoadContinueIdentically) {
  DdpgSettings set = small_settings();
  DdpgAgent a(2, 100, set, 5);
  for (int e = 0; e < 80; ++e) {
    const Eigen::VectorXd s = bandit_state(a.random_action());
    const double act = a.random_action();
    a.observe({s, act, bandit_reward(s[0], act), s, e % 3 == 0});
    if (e > 10) a.update();
  }
  cimvp::rl::BinaryWriter w;
  a.save(w);
  DdpgAgent b(2, 100, set, 12345);  // another seed: everything must come from the checkpoint
  cimvp::rl::BinaryReader r(w.bytes(), "test");
  b.load(r);
  EXPECT_TRUE(r.at_end());
  for (int i = 0; i < 20; ++i) {
    const Eigen::VectorXd s = bandit_state(0.05 * i);
    a.observe({s, 0.3, -1.0 * i, s, true});
    b.observe({s, 0.3, -1.0 * i, s, true});
    a.update();
    b.update();
    ASSERT_EQ(a.explore_action(s, i), b.explore_action(s, i));
    ASSERT_EQ(a.q_value(s, 0.4), b.q_value(s, 0.4));
  }
  EXPECT_EQ(*a.moving_average(), *b.moving_average());
}

TEST(Ddpg, TwoThreadsGiveTheSameAgentBitForBit) {
  // The paper's network sizes, so that the products are the ones a search runs.
  DdpgSettings set;
  set.batch = 64;
  DdpgAgent one(2, 200, set, 7, 1), two(2, 200, set, 7, 2);
  for (int e = 0; e < 40; ++e) {
    const Eigen::VectorXd s = bandit_state(one.random_action());
    two.random_action();
    const double act = 0.025 * e;
    for (DdpgAgent* a : {&one, &two}) {
      a->observe({s, act, bandit_reward(s[0], act), s, e % 4 == 0});
      a->update();
    }
  }
  cimvp::rl::BinaryWriter w1, w2;
  one.save(w1);
  two.save(w2);
  EXPECT_TRUE(w1.bytes() == w2.bytes()) << "the checkpoints (networks, targets, Adam moments) differ";
  EXPECT_EQ(one.q_value(bandit_state(0.3), 0.4), two.q_value(bandit_state(0.3), 0.4));
}

TEST(Ddpg, MovingAverageFollowsHaqsRule) {
  // All rewards equal R: the first batch sets the average to R, and it stays.
  DdpgSettings set = small_settings();
  DdpgAgent a(2, 10, set, 1);
  const Eigen::VectorXd s = bandit_state(0.3);
  a.observe({s, 0.5, 4.0, s, true});
  a.update();
  EXPECT_DOUBLE_EQ(*a.moving_average(), 4.0);
  // Now the buffer holds 4 and 10: batches (with replacement, batch 32 > 2)
  // have a mean m in [4, 10]; the average moves by alpha (0.5) toward it.
  a.observe({s, 0.5, 10.0, s, true});
  a.update();
  EXPECT_GT(*a.moving_average(), 4.0);
  EXPECT_LT(*a.moving_average(), 7.0 + 1e-12);
}
