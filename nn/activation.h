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
  Elu,          // x for x > 0, e^x - 1 otherwise (ONNX Elu with alpha 1)
  Selu,         // 1.0507 * (x for x > 0, 1.6733 (e^x - 1) otherwise): ONNX's constants
};

const char* activation_name(Activation f);                               // "sigmoid", "hard_sigmoid", ...
std::optional<Activation> activation_from_name(const std::string& name);  // none for an unknown name

double activation_value(Activation f, double x);
double activation_derivative(Activation f, double x);
// Every output is >= 0 (sigmoid, hard sigmoid, softplus): the output domain is unsigned.
bool activation_nonnegative(Activation f);

// The quantized function: out[q - in_lo] for every input integer q in
// [in_lo, in_hi] (real value in_scale * (q - in_zp)):
//   clamp(floor(f(real) / out_scale + 0.5) + out_zp, out_lo, out_hi).
std::vector<int32_t> activation_table(Activation f, int32_t in_lo, int32_t in_hi, double in_scale, int32_t in_zp,
                                      double out_scale, int32_t out_zp, int32_t out_lo, int32_t out_hi);

}  // namespace cimvp
