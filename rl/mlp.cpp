#include "rl/mlp.h"

#include <cmath>

#include "common/error.h"
#include "rl/run_both.h"

namespace cimvp::rl {
namespace {

void activate(Eigen::MatrixXd& z, Activation a) {
  switch (a) {
    case Activation::Identity: break;
    case Activation::Relu: z = z.cwiseMax(0.0); break;
    case Activation::Tanh: z = z.array().tanh().matrix(); break;
    case Activation::Sigmoid: z = (1.0 / (1.0 + (-z.array()).exp())).matrix(); break;
  }
}

// d(activation)/dz expressed through the activation's output y.
Eigen::MatrixXd derivative_from_output(const Eigen::MatrixXd& y, Activation a) {
  switch (a) {
    case Activation::Identity: return Eigen::MatrixXd::Ones(y.rows(), y.cols());
    case Activation::Relu: return (y.array() > 0.0).cast<double>().matrix();
    case Activation::Tanh: return (1.0 - y.array().square()).matrix();
    case Activation::Sigmoid: return (y.array() * (1.0 - y.array())).matrix();
  }
  return {};
}

Eigen::MatrixXd uniform_matrix(Eigen::Index rows, Eigen::Index cols, double bound, Rng& rng) {
  Eigen::MatrixXd m(rows, cols);
  // Row by row, column by column: a fixed order so a seed means one network.
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = rng.uniform(-bound, bound);
  return m;
}

}  // namespace

Mlp::Mlp(const std::vector<int>& sizes, Activation output_activation, Rng& rng, double final_init) {
  if (sizes.size() < 2) throw Error("Mlp: needs at least an input and an output size");
  for (int s : sizes)
    if (s <= 0) throw Error("Mlp: layer sizes must be positive, got " + std::to_string(s));
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    const bool last = l + 2 == sizes.size();
    const double bound = last ? final_init : 1.0 / std::sqrt(double(sizes[l]));
    DenseLayer layer;
    layer.weight = uniform_matrix(sizes[l + 1], sizes[l], bound, rng);
    layer.bias = uniform_matrix(sizes[l + 1], 1, bound, rng);
    layer.weight_grad = Eigen::MatrixXd::Zero(sizes[l + 1], sizes[l]);
    layer.bias_grad = Eigen::VectorXd::Zero(sizes[l + 1]);
    layer.activation = last ? output_activation : Activation::Relu;
    layers_.push_back(std::move(layer));
  }
}

Eigen::MatrixXd Mlp::forward(const Eigen::MatrixXd& x) {
  if (x.rows() != inputs())
    throw Error("Mlp: input has " + std::to_string(x.rows()) + " rows, the network " + std::to_string(inputs()));
  Eigen::MatrixXd h = x;
  for (DenseLayer& l : layers_) {
    l.input = h;
    h = l.weight * h;
    h.colwise() += l.bias;
    activate(h, l.activation);
    l.output = h;
  }
  return h;
}

Eigen::MatrixXd Mlp::predict(const Eigen::MatrixXd& x) const {
  if (x.rows() != inputs())
    throw Error("Mlp: input has " + std::to_string(x.rows()) + " rows, the network " + std::to_string(inputs()));
  Eigen::MatrixXd h = x;
  for (const DenseLayer& l : layers_) {
    h = l.weight * h;
    h.colwise() += l.bias;
    activate(h, l.activation);
  }
  return h;
}

Eigen::MatrixXd Mlp::backward(const Eigen::MatrixXd& output_grad, bool accumulate, training::ShardPool* pool) {
  Eigen::MatrixXd g = output_grad;
  for (size_t k = layers_.size(); k-- > 0;) {
    DenseLayer& l = layers_[k];
    const Eigen::MatrixXd dz = g.cwiseProduct(derivative_from_output(l.output, l.activation));
    Eigen::MatrixXd input_grad;
    auto backprop = [&] { input_grad = l.weight.transpose() * dz; };
    if (accumulate) {
      run_both(
          pool,
          [&] {
            l.weight_grad.noalias() += dz * l.input.transpose();
            l.bias_grad += dz.rowwise().sum();
          },
          backprop);
    } else {
      backprop();
    }
    g = std::move(input_grad);
  }
  return g;
}

void Mlp::zero_grad() {
  for (DenseLayer& l : layers_) {
    l.weight_grad.setZero();
    l.bias_grad.setZero();
  }
}

void Mlp::soft_update(const Mlp& source, double tau) {
  if (source.layers_.size() != layers_.size()) throw Error("Mlp::soft_update: networks differ in depth");
  for (size_t k = 0; k < layers_.size(); ++k) {
    layers_[k].weight = tau * source.layers_[k].weight + (1 - tau) * layers_[k].weight;
    layers_[k].bias = tau * source.layers_[k].bias + (1 - tau) * layers_[k].bias;
  }
}

void Mlp::save(BinaryWriter& w) const {
  w.u64(layers_.size());
  for (const DenseLayer& l : layers_) {
    w.u64(uint64_t(l.activation));
    w.matrix(l.weight);
    w.vector(l.bias);
  }
}

void Mlp::load(BinaryReader& r) {
  if (r.u64() != layers_.size()) r.fail("network depth differs from the settings");
  for (DenseLayer& l : layers_) {
    if (r.u64() != uint64_t(l.activation)) r.fail("network activation differs");
    Eigen::MatrixXd w = r.matrix();
    Eigen::VectorXd b = r.vector();
    if (w.rows() != l.weight.rows() || w.cols() != l.weight.cols() || b.size() != l.bias.size())
      r.fail("network layer shape differs from the settings");
    l.weight = std::move(w);
    l.bias = std::move(b);
  }
  zero_grad();
}

}  // namespace cimvp::rl
