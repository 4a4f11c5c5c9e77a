// The quantization environment of HAQ / CIM-AQ: an episode walks the
// quantizable layers (Graph::quantizable_layers() order) and takes two steps
// per layer, first the weight bits, then the activation (input) bits. Each
// step shows the agent a 10-feature state and takes an action in [0, 1].
//
// State features, in this order (HAQ's layer embedding, plus the flag):
//   0 layer type          1 for Conv2d, 0 for Dense
//   1 in channels         Conv2d input channels; Dense input features
//   2 out channels        Conv2d output channels; Dense output features
//   3 stride              Conv2d stride; 0 for Dense (as HAQ)
//   4 kernel size         Conv2d kernel; 1 for Dense (as HAQ)
//   5 weight count        out * in * k * k (Conv2d), out * in (Dense)
//   6 input feature map   H * W of the layer's input (1 for Dense, as HAQ)
//   7 layer index         0 .. layers - 1
//   8 previous bits       bits chosen at the previous step / max_bits
//                         (constraints applied; 1 before the first step),
//                         as CIM-AQ's linear-quantization environment
//   9 weight/activation   0 on the weight step, 1 on the activation step
// Features 0..7 are min-max normalized over the layers to [0, 1]; a feature
// that is the same for every layer becomes 0 (HAQ keeps the raw value, which
// for e.g. a feature map of 50176 would saturate the network and says
// nothing). Features 8 and 9 are in [0, 1] already.
//
// Action -> bits (HAQ's _action_wall): bits = round(min - 0.5 + a * (max -
// min + 1)), clamped to [min, max]; every bit width gets an equal share of
// [0, 1]. Ties round half to even, as numpy's round does.
// Constraints: first_last_w8a8 makes the first and last layer W8A8 whatever
// the action (the agent still takes those steps, as HAQ's bound list does);
// weight_multiple_of > 0 snaps weight bits to the nearest multiple of it in
// [min, max] (a tie goes to the larger, the more accurate choice).
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <array>
#include <vector>

#include "nn/graph.h"
#include "nn/policy.h"

namespace cimvp::rl {

constexpr int kStateFeatures = 10;

struct EnvironmentOptions {
  int min_bits = 2;
  int max_bits = 8;
  bool first_last_w8a8 = false;
  int weight_multiple_of = 0;  // the crossbar's cell bits when weights must fill whole cells; 0: free
};

// The raw (unnormalized) features 0..7 of one quantizable node.
std::array<double, 8> layer_features(const Graph& g, int node);

class QuantizationEnvironment {
 public:
  // Throws cimvp::Error for a graph without quantizable layers, a bit range
  // outside 1..8 or empty, or a multiple with no allowed value in the range.
  QuantizationEnvironment(const Graph& g, const EnvironmentOptions& options);

  size_t layers() const { return size_t(static_features_.rows()); }
  size_t steps() const { return 2 * layers(); }
  const EnvironmentOptions& options() const { return options_; }
  // layers x 8, normalized.
  const Eigen::MatrixXd& static_features() const { return static_features_; }

  // Starts an episode; the state of step 0.
  Eigen::VectorXd reset();
  size_t step_index() const { return step_; }
  bool done() const { return step_ == steps(); }
  Eigen::VectorXd state() const;  // of the current step
  // Applies `action` to the current step and advances. Returns the bits chosen.
  int step(double action);
  // The policy of the finished episode.
  Policy policy() const;

  // The bits `action` gives at `step` (0 .. steps()-1), constraints included.
  int bits_for(size_t step, double action) const;
  // The state of `step` given the bits chosen at the previous step.
  Eigen::VectorXd state_for(size_t step, int previous_bits) const;

  // HAQ's "action wall" for a resource budget: while `fits(policy)` is false,
  // go from the last layer to the first, lowering each layer's weight bits
  // (to the next width the constraints allow) and activation bits by one
  // step (never below min_bits, never a layer the first/last constraint
  // fixes), asking `fits` after each layer. Returns the first policy that
  // fits, or the lowest one when none does.
  Policy lowered_until(Policy policy, const std::function<bool(const Policy&)>& fits) const;
  // After lowered_until, gives back what the budget still allows, first
  // layer to last: every layer's weight bits rise toward the proposal's
  // (one allowed width at a time) while `fits` holds, then its activation
  // bits the same way. Lowering moves a layer's weights and activations
  // together, so it often takes bits that bought no cost (on a 1-bit-DAC
  // architecture most weight bits are free); this returns them.
  Policy restored_within(Policy lowered, const Policy& proposal, const std::function<bool(const Policy&)>& fits) const;
  // Every layer at the lowest bits the constraints allow.
  Policy lowest_policy() const;

 private:
  EnvironmentOptions options_;
  std::string model_;
  Eigen::MatrixXd static_features_;
  size_t step_ = 0;
  int previous_bits_ = 8;
  Policy policy_;
};

// HAQ's mapping without constraints: round(min - 0.5 + a (max - min + 1)), clamped.
int action_to_bits(double action, int min_bits, int max_bits);

}  // namespace cimvp::rl
