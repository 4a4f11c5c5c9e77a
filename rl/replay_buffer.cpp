#include "rl/replay_buffer.h"

#include <numeric>

#include "common/error.h"

namespace cimvp::rl {

ReplayBuffer::ReplayBuffer(size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw Error("replay buffer capacity must be positive");
}

void ReplayBuffer::add(Transition t) {
  if (items_.size() < capacity_) {
    items_.push_back(std::move(t));
  } else {
    items_[next_] = std::move(t);
    next_ = (next_ + 1) % capacity_;
  }
}

std::vector<const Transition*> ReplayBuffer::sample(size_t n, Rng& rng) const {
  if (items_.empty()) throw Error("replay buffer: sampling from an empty buffer");
  std::vector<const Transition*> out;
  if (items_.size() >= n) {
    // Partial Fisher-Yates over the indices: n distinct transitions.
    std::vector<size_t> idx(items_.size());
    std::iota(idx.begin(), idx.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      const size_t j = i + rng.index(idx.size() - i);
      std::swap(idx[i], idx[j]);
      out.push_back(&items_[idx[i]]);
    }
  } else {
    for (size_t i = 0; i < n; ++i) out.push_back(&items_[rng.index(items_.size())]);
  }
  return out;
}

void ReplayBuffer::save(BinaryWriter& w) const {
  w.u64(capacity_);
  w.u64(next_);
  w.u64(items_.size());
  for (const Transition& t : items_) {
    w.vector(t.state);
    w.f64(t.action);
    w.f64(t.reward);
    w.vector(t.next_state);
    w.boolean(t.done);
  }
}

void ReplayBuffer::load(BinaryReader& r) {
  if (r.u64() != capacity_) r.fail("replay buffer capacity differs from the settings");
  next_ = r.u64();
  const uint64_t n = r.u64();
  if (n > capacity_ || next_ >= capacity_) r.fail("corrupt replay buffer");
  items_.clear();
  for (uint64_t i = 0; i < n; ++i) {
    Transition t;
    t.state = r.vector();
    t.action = r.f64();
    t.reward = r.f64();
    t.next_state = r.vector();
    t.done = r.boolean();
    items_.push_back(std::move(t));
  }
}

}  // namespace cimvp::rl
