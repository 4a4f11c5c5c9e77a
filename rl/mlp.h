// A small fully connected network for the DDPG actor and critic, on Eigen
// doubles, single-threaded and deterministic. A batch is a matrix with one
// sample per COLUMN (inputs x batch). Hidden layers use ReLU; the output
// layer's activation is chosen (sigmoid for the actor's action in [0, 1],
// identity for the critic's Q value).
//
// Initialization follows HAQ's DDPG: hidden layers uniform in
// +-1/sqrt(fan_in) (weights and biases), the output layer uniform in
// +-final_init (3e-3) so the first actions sit near the middle of [0, 1] and
// the first Q values near 0.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "nn/train/thread_pool.h"
#include "rl/binary_io.h"
#include "rl/random.h"

namespace cimvp::rl {

enum class Activation { Identity, Relu, Tanh, Sigmoid };

struct DenseLayer {
  Eigen::MatrixXd weight;  // outputs x inputs
  Eigen::VectorXd bias;    // outputs
  Eigen::MatrixXd weight_grad;
  Eigen::VectorXd bias_grad;
  Activation activation = Activation::Identity;
  // Cached by forward() for backward(): the layer's input and output.
  Eigen::MatrixXd input, output;
};

class Mlp {
 public:
  Mlp() = default;
  // sizes = {inputs, hidden..., outputs}, at least two entries, all > 0.
  Mlp(const std::vector<int>& sizes, Activation output_activation, Rng& rng, double final_init = 3e-3);

  int inputs() const { return int(layers_.front().weight.cols()); }
  int outputs() const { return int(layers_.back().weight.rows()); }

  // x: inputs x batch -> outputs x batch. forward() caches what backward() needs.
  Eigen::MatrixXd forward(const Eigen::MatrixXd& x);
  Eigen::MatrixXd predict(const Eigen::MatrixXd& x) const;
  // Given dLoss/dOutput of the last forward(), returns dLoss/dInput and, if
  // accumulate, adds dLoss/dParameters to the gradients (the actor update
  // back-propagates through the critic without touching its gradients).
  // With a pool, each layer's weight and input gradients are computed at
  // once (run_both(): the same values).
  Eigen::MatrixXd backward(const Eigen::MatrixXd& output_grad, bool accumulate = true,
                           training::ShardPool* pool = nullptr);
  void zero_grad();

  // this = tau * source + (1 - tau) * this (DDPG target networks).
  void soft_update(const Mlp& source, double tau);

  std::vector<DenseLayer>& layers() { return layers_; }
  const std::vector<DenseLayer>& layers() const { return layers_; }

  void save(BinaryWriter& w) const;
  void load(BinaryReader& r);  // shapes must match this network's

 private:
  std::vector<DenseLayer> layers_;
};

}  // namespace cimvp::rl
