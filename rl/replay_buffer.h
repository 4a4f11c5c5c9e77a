// DDPG's experience replay: a ring of transitions (state, action, reward,
// next state, done) of fixed capacity; the oldest is overwritten first.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "rl/binary_io.h"
#include "rl/random.h"

namespace cimvp::rl {

struct Transition {
  Eigen::VectorXd state;
  double action = 0;
  double reward = 0;
  Eigen::VectorXd next_state;
  bool done = false;  // the last step of an episode: the target does not bootstrap
};

class ReplayBuffer {
 public:
  explicit ReplayBuffer(size_t capacity = 1);
  void add(Transition t);
  size_t size() const { return items_.size(); }
  size_t capacity() const { return capacity_; }
  // `n` transitions: distinct ones when the buffer holds at least n (as
  // random.sample in HAQ's memory), else drawn with replacement.
  std::vector<const Transition*> sample(size_t n, Rng& rng) const;

  void save(BinaryWriter& w) const;
  void load(BinaryReader& r);

 private:
  size_t capacity_;
  size_t next_ = 0;  // where the next transition goes once the ring is full
  std::vector<Transition> items_;
};

}  // namespace cimvp::rl
