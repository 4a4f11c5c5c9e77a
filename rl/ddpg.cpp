#include "rl/ddpg.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "rl/run_both.h"

namespace cimvp::rl {
namespace {

std::vector<int> sizes(int in, const std::vector<int>& hidden, int out) {
  std::vector<int> s{in};
  s.insert(s.end(), hidden.begin(), hidden.end());
  s.push_back(out);
  return s;
}

}  // namespace

DdpgAgent::DdpgAgent(int state_size, size_t replay_capacity, const DdpgSettings& settings, uint64_t seed,
                     int threads)
    : settings_(settings), state_size_(state_size), rng_(seed), replay_(replay_capacity) {
  if (settings.batch <= 0) throw Error("DDPG: batch must be positive");
  if (threads >= 2) pool_ = std::make_unique<training::ShardPool>(2);
  actor_ = Mlp(sizes(state_size, settings.actor_hidden, 1), Activation::Sigmoid, rng_);
  critic_ = Mlp(sizes(state_size + 1, settings.critic_hidden, 1), Activation::Identity, rng_);
  actor_target_ = actor_;  // hard copy at the start, as HAQ
  critic_target_ = critic_;
  actor_optim_ = Adam(actor_, settings.actor_lr);
  critic_optim_ = Adam(critic_, settings.critic_lr);
}

double DdpgAgent::actor_action(const Eigen::VectorXd& state) const { return actor_.predict(state)(0, 0); }

double DdpgAgent::sigma(int episodes_after_warmup) const {
  return std::max(settings_.sigma_min, settings_.sigma * std::pow(settings_.sigma_decay, double(episodes_after_warmup)));
}

double DdpgAgent::explore_action(const Eigen::VectorXd& state, int episodes_after_warmup) {
  return rng_.truncated_normal(actor_action(state), sigma(episodes_after_warmup), 0.0, 1.0);
}

double DdpgAgent::q_value(const Eigen::VectorXd& state, double action) const {
  Eigen::VectorXd x(state.size() + 1);
  x << state, action;
  return critic_.predict(x)(0, 0);
}

void DdpgAgent::update() {
  if (replay_.size() == 0) return;
  const auto batch = replay_.sample(size_t(settings_.batch), rng_);
  const Eigen::Index n = Eigen::Index(batch.size());
  Eigen::MatrixXd s(state_size_, n), s_next(state_size_, n), sa(state_size_ + 1, n);
  Eigen::RowVectorXd r(n), not_done(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    s.col(i) = batch[i]->state;
    s_next.col(i) = batch[i]->next_state;
    sa.col(i) << batch[i]->state, batch[i]->action;
    r[i] = batch[i]->reward;
    not_done[i] = batch[i]->done ? 0.0 : 1.0;
  }

  // The moving-average baseline: rewards are centred before they enter the
  // critic target, so Q learns "better or worse than usual" (HAQ).
  const double batch_mean = r.mean();
  if (!moving_average_) moving_average_ = batch_mean;
  else *moving_average_ += settings_.moving_average_alpha * (batch_mean - *moving_average_);
  r.array() -= *moving_average_;

  // The critic's target y from the target networks and, at the same time,
  // the online networks' forward passes (neither has been stepped yet).
  Eigen::RowVectorXd y;
  Eigen::MatrixXd q, a;
  run_both(
      pool_.get(),
      [&] {
        Eigen::MatrixXd sa_next(state_size_ + 1, n);
        sa_next.topRows(state_size_) = s_next;
        sa_next.bottomRows(1) = actor_target_.predict(s_next);
        y = r + settings_.discount * not_done.cwiseProduct(critic_target_.predict(sa_next).row(0));
      },
      [&] {
        q = critic_.forward(sa);
        a = actor_.forward(s);
      });

  // Critic: mean squared error, gradient 2 (Q - y) / n.
  critic_.zero_grad();
  critic_.backward(2.0 * (q - y) / double(n), true, pool_.get());
  critic_optim_.step(critic_);

  // Actor: maximize Q(s, mu(s)) with the critic just updated; dLoss/dQ = -1/n,
  // carried back through the critic's action input into the actor.
  actor_.zero_grad();
  Eigen::MatrixXd s_mu(state_size_ + 1, n);
  s_mu.topRows(state_size_) = s;
  s_mu.bottomRows(1) = a;
  critic_.forward(s_mu);
  const Eigen::MatrixXd d_input = critic_.backward(Eigen::MatrixXd::Constant(1, n, -1.0 / double(n)), false);
  actor_.backward(d_input.bottomRows(1), true, pool_.get());
  actor_optim_.step(actor_);

  run_both(
      pool_.get(), [&] { actor_target_.soft_update(actor_, settings_.tau); },
      [&] { critic_target_.soft_update(critic_, settings_.tau); });
}

void DdpgAgent::save(BinaryWriter& w) const {
  w.string(rng_.state());
  actor_.save(w);
  actor_target_.save(w);
  critic_.save(w);
  critic_target_.save(w);
  actor_optim_.save(w);
  critic_optim_.save(w);
  replay_.save(w);
  w.boolean(moving_average_.has_value());
  w.f64(moving_average_.value_or(0.0));
}

void DdpgAgent::load(BinaryReader& r) {
  rng_.set_state(r.string());
  actor_.load(r);
  actor_target_.load(r);
  critic_.load(r);
  critic_target_.load(r);
  actor_optim_.load(r);
  critic_optim_.load(r);
  replay_.load(r);
  const bool has = r.boolean();
  const double ma = r.f64();
  moving_average_ = has ? std::optional<double>(ma) : std::nullopt;
}

}  // namespace cimvp::rl
