// The element-wise non-linear functions a network may apply (OpKind::Activation):
// their float definitions and derivatives (forward, training) and the exact
// integer definition of each on quantized tensors, a table from every input
// integer to its output integer. The reference and the GPEU's Vlut read
// the same table, so the VP equals the reference by construction; the table
// is the function rounded onto the output grid, within half an output step
// of the real function of the dequantized input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimvp {

enum class Activation {
  Sigmoid,      // 1 / (1 + e^-x)
  HardSigmoid,  // clamp(x / 6 + 1/2, 0, 1): PyTorch's (ONNX HardSigmoid with alpha 1/6, beta 1/2)
  Silu,         // x * sigmoid(x) (swish)
  HardSwish,    // x * hard_sigmoid(x)
  Tanh,         // tanh(x)
  Softplus,     // log(1 + e^x)
  Elu,          // x for x > 0, alpha (e^x - 1) otherwise (ONNX Elu; alpha 1 by default)
  Selu,         // 1.0507 * (x for x > 0, 1.6733 (e^x - 1) otherwise): ONNX's constants
  Relu,         // max(x, 0): a ReLU that no layer before it can apply (ONNX Relu of a network input)
  LeakyRelu,    // x for x > 0, alpha x otherwise (ONNX LeakyRelu, alpha 0.01 by default; PRelu of one slope)
  Clip,         // clamp(x, alpha, beta) (ONNX Clip, other than the ReLU6-like Clip(0, max) a layer applies)
};

// A function with its parameters: alpha of Elu and LeakyRelu, the bounds
// [alpha, beta] of Clip; unused by the others. From an Activation alone,
// the function's default parameters.
struct ActivationFn {
  Activation f = Activation::Sigmoid;
  double alpha = 0, beta = 0;
  ActivationFn() = default;
  ActivationFn(Activation function);  // NOLINT: the default parameters
  ActivationFn(Activation function, double a, double b = 0) : f(function), alpha(a), beta(b) {}
  // True for Elu, LeakyRelu and Clip: the model file and ONNX carry alpha (and beta).
  bool has_parameters() const;
  bool operator==(const ActivationFn& o) const { return f == o.f && alpha == o.alpha && beta == o.beta; }
  bool operator!=(const ActivationFn& o) const { return !(*this == o); }
};

const char* activation_name(Activation f);                               // "sigmoid", "hard_sigmoid", ...
std::optional<Activation> activation_from_name(const std::string& name);  // none for an unknown name

double activation_value(const ActivationFn& f, double x);
double activation_derivative(const ActivationFn& f, double x);
// Every output is >= 0 (sigmoid, hard sigmoid, softplus, ReLU, a Clip from
// 0 or above): the output domain is unsigned.
bool activation_nonnegative(const ActivationFn& f);

// The quantized function: out[q - in_lo] for every input integer q in
// [in_lo, in_hi] (real value in_scale * (q - in_zp)):
//   clamp(floor(f(real) / out_scale + 0.5) + out_zp, out_lo, out_hi).
std::vector<int32_t> activation_table(const ActivationFn& f, int32_t in_lo, int32_t in_hi, double in_scale, int32_t in_zp,
                                      double out_scale, int32_t out_zp, int32_t out_lo, int32_t out_hi);

}  // namespace cimvp
