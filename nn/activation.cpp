#include "nn/activation.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

namespace {
struct Named {
  Activation f;
  const char* name;
};
constexpr Named kNames[] = {{Activation::Sigmoid, "sigmoid"},
                            {Activation::HardSigmoid, "hard_sigmoid"},
                            {Activation::Silu, "silu"},
                            {Activation::HardSwish, "hard_swish"},
                            {Activation::Tanh, "tanh"},
                            {Activation::Softplus, "softplus"},
                            {Activation::Elu, "elu"},
                            {Activation::Selu, "selu"},
                            {Activation::Relu, "relu"},
                            {Activation::LeakyRelu, "leaky_relu"},
                            {Activation::Clip, "clip"}};
// ONNX Selu's defaults (the self-normalizing constants).
constexpr double kSeluAlpha = 1.67326319217681884765625, kSeluGamma = 1.05070102214813232421875;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double hard_sigmoid(double x) { return std::clamp(x / 6.0 + 0.5, 0.0, 1.0); }
}  // namespace

ActivationFn::ActivationFn(Activation function) : f(function) {
  if (f == Activation::Elu) alpha = 1;
  if (f == Activation::LeakyRelu) alpha = 0.01;
}

bool ActivationFn::has_parameters() const {
  return f == Activation::Elu || f == Activation::LeakyRelu || f == Activation::Clip;
}

const char* activation_name(Activation f) {
  for (const Named& n : kNames)
    if (n.f == f) return n.name;
  return "unknown";
}

std::optional<Activation> activation_from_name(const std::string& name) {
  for (const Named& n : kNames)
    if (name == n.name) return n.f;
  return std::nullopt;
}

double activation_value(const ActivationFn& fn, double x) {
  switch (fn.f) {
    case Activation::Sigmoid: return sigmoid(x);
    case Activation::HardSigmoid: return hard_sigmoid(x);
    case Activation::Silu: return x * sigmoid(x);
    case Activation::HardSwish: return x * hard_sigmoid(x);
    case Activation::Tanh: return std::tanh(x);
    case Activation::Softplus: return x > 30 ? x : std::log1p(std::exp(x));
    case Activation::Elu: return x > 0 ? x : fn.alpha * std::expm1(x);
    case Activation::Selu: return kSeluGamma * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case Activation::Relu: return std::max(x, 0.0);
    case Activation::LeakyRelu: return x > 0 ? x : fn.alpha * x;
    case Activation::Clip: return std::clamp(x, fn.alpha, fn.beta);
  }
  return 0;
}

double activation_derivative(const ActivationFn& fn, double x) {
  switch (fn.f) {
    case Activation::Sigmoid: {
      const double s = sigmoid(x);
      return s * (1 - s);
    }
    case Activation::HardSigmoid: return x > -3 && x < 3 ? 1.0 / 6.0 : 0.0;
    case Activation::Silu: {
      const double s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case Activation::HardSwish: return x <= -3 ? 0.0 : x >= 3 ? 1.0 : x / 3.0 + 0.5;
    case Activation::Tanh: {
      const double t = std::tanh(x);
      return 1 - t * t;
    }
    case Activation::Softplus: return sigmoid(x);
    case Activation::Elu: return x > 0 ? 1.0 : fn.alpha * std::exp(x);
    case Activation::Selu: return kSeluGamma * (x > 0 ? 1.0 : kSeluAlpha * std::exp(x));
    case Activation::Relu: return x > 0 ? 1.0 : 0.0;
    case Activation::LeakyRelu: return x > 0 ? 1.0 : fn.alpha;
    case Activation::Clip: return x > fn.alpha && x < fn.beta ? 1.0 : 0.0;
  }
  return 0;
}

bool activation_nonnegative(const ActivationFn& fn) {
  const Activation f = fn.f;
  return f == Activation::Sigmoid || f == Activation::HardSigmoid || f == Activation::Softplus ||
         f == Activation::Relu || (f == Activation::Clip && fn.alpha >= 0);
}

std::vector<int32_t> activation_table(const ActivationFn& f, int32_t in_lo, int32_t in_hi, double in_scale, int32_t in_zp,
                                      double out_scale, int32_t out_zp, int32_t out_lo, int32_t out_hi) {
  std::vector<int32_t> table;
  table.reserve(size_t(in_hi - in_lo + 1));
  for (int32_t q = in_lo; q <= in_hi; ++q) {
    const double y = std::floor(activation_value(f, in_scale * double(q - in_zp)) / out_scale + 0.5) + out_zp;
    table.push_back(int32_t(std::clamp(y, double(out_lo), double(out_hi))));
  }
  return table;
}

}  // namespace cimvp
