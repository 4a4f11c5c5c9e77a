// The DDPG agent of HAQ (Wang et al., CVPR 2019), which CIM-AQ reuses: a
// deterministic actor mu(s) in [0, 1] (sigmoid output) and a critic Q(s, a)
// (state and action concatenated at the input), each with a target copy
// that follows by soft updates, Adam for both, an experience replay.
//
// One update (HAQ's update_policy):
//   batch of transitions; moving_average += alpha * (mean batch reward -
//   moving_average) (the first batch sets it); rewards -= moving_average;
//   target y = r + discount * (1 - done) * Q'(s', mu'(s'));
//   critic: one Adam step on mean (Q(s, a) - y)^2;
//   actor:  one Adam step on -mean Q(s, mu(s));
//   targets: theta' = tau * theta + (1 - tau) * theta'.
// Exploration (HAQ's select_action): a ~ truncated normal on [0, 1] around
// mu(s) with sigma = max(sigma_min, sigma0 * sigma_decay^(episodes since warm-up)).
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <optional>
#include <vector>

#include "nn/train/thread_pool.h"
#include "rl/adam.h"
#include "rl/binary_io.h"
#include "rl/mlp.h"
#include "rl/random.h"
#include "rl/replay_buffer.h"

namespace cimvp::rl {

struct DdpgSettings {
  std::vector<int> actor_hidden{300, 300};
  std::vector<int> critic_hidden{300, 300};
  double actor_lr = 1e-4;
  double critic_lr = 1e-3;
  double tau = 0.01;
  int batch = 64;
  int replay_per_layer = 128;  // replay capacity = this x quantizable layers (HAQ: rmsize 128 per layer)
  double sigma = 0.5;          // initial exploration noise
  double sigma_decay = 0.99;   // per episode after warm-up
  double sigma_min = 0.0;      // sigma never decays below this (the paper: no floor)
  double discount = 1.0;       // HAQ's default; the reward reaches every step at the episode's end
  double moving_average_alpha = 0.5;
  // Updates after each stored transition (HAQ: 1). A network of few layers
  // gives the agent few transitions per episode; more updates per step let
  // the actor learn within the episodes a search can afford.
  int updates_per_step = 1;
};

class DdpgAgent {
 public:
  // `threads` (1 or 2) run an update's independent matrix products at once;
  // the agent's every number is the same for either.
  DdpgAgent(int state_size, size_t replay_capacity, const DdpgSettings& settings, uint64_t seed, int threads = 1);

  // Uniform in [0, 1) (warm-up episodes and random search).
  double random_action() { return rng_.uniform(); }
  // mu(s), no noise.
  double actor_action(const Eigen::VectorXd& state) const;
  // Truncated normal around mu(s), sigma decayed by episodes_after_warmup.
  double explore_action(const Eigen::VectorXd& state, int episodes_after_warmup);
  double sigma(int episodes_after_warmup) const;

  void observe(Transition t) { replay_.add(std::move(t)); }
  // One DDPG update from a batch of the replay (no-op when it is empty).
  void update();

  // Q(s, a) of the critic (for tests and diagnostics).
  double q_value(const Eigen::VectorXd& state, double action) const;
  std::optional<double> moving_average() const { return moving_average_; }
  const ReplayBuffer& replay() const { return replay_; }
  Rng& rng() { return rng_; }

  void save(BinaryWriter& w) const;
  void load(BinaryReader& r);  // the agent must have been made with the same settings

 private:
  DdpgSettings settings_;
  int state_size_;
  Rng rng_;
  Mlp actor_, actor_target_, critic_, critic_target_;
  Adam actor_optim_, critic_optim_;
  ReplayBuffer replay_;
  std::optional<double> moving_average_;
  std::unique_ptr<training::ShardPool> pool_;  // null with one thread
};

}  // namespace cimvp::rl
