// The integer reference executor: runs a QuantizedNetwork with int32/int64
// arithmetic only. Its outputs are the bits the VP must reproduce. Each op's
// semantics (docs/quantization.md):
//   Conv2d/Dense   acc = sum w*x (zero padding = integer 0) ; out = requant(acc + bias) or acc + bias (int32 output)
//   MaxPool        max over the window's in-bounds positions
//   AvgPool        acc = sum over the window (padding adds 0); out = requant(acc)
//   GlobalAvgPool  acc = sum over H x W;                          out = requant(acc)
//   Add, Rescale   acc = sum_i q_i * m_i (int32, wraps like Vmac); out = requant(acc)
//   Concat         acc = q_i * m_i in input i's channel slice;     out = requant(acc)
// with requant = cimvp::requantize (Vreq, round half up).
//
// Also a fake-quantized float forward (simulated quantization with the real
// scales, as a trainer computes it); it agrees with the integer reference up
// to rounding: see fake_quant_op().
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/quant.h"

namespace cimvp {

class ReferenceExecutor {
 public:
  // Keeps a reference to `q`, which must outlive the executor. Prepares the
  // weight matrices once; run() may then be called for many images (one
  // executor per thread).
  explicit ReferenceExecutor(const QuantizedNetwork& q);
  ~ReferenceExecutor();
  ReferenceExecutor(const ReferenceExecutor&) = delete;
  ReferenceExecutor& operator=(const ReferenceExecutor&) = delete;

  // The output tensor's integers (int32 accumulators or requantized values).
  // Throws cimvp::Error if the input has the wrong size or a value outside
  // the input tensor's range.
  std::vector<int32_t> run(const std::vector<int8_t>& input);
  // Every tensor (index = tensor index in q.tensors).
  std::vector<std::vector<int32_t>> run_all(const std::vector<int8_t>& input);

  // n images at once (n x input-size bytes, image after image); outputs gets
  // n x output-size integers, each image's exactly as run() computes them.
  // Faster for many images: convolutions and dense layers become one
  // matrix product per few images. Throws like run().
  void run_batch(const int8_t* inputs, int n, std::vector<int32_t>& outputs);

  // One op: computes q.ops[op_index]'s output from `tensors` (indexed by
  // tensor index; the op's inputs must be present).
  std::vector<int32_t> run_op(size_t op_index, const std::vector<std::vector<int32_t>>& tensors);

 private:
  void op_image(size_t op_index, const std::vector<const int32_t*>& in, int32_t* y);
  void load_input(const int8_t* input, int32_t* t) const;
  struct Impl;
  const QuantizedNetwork& q_;
  std::unique_ptr<Impl> impl_;
};

// Convenience: a one-shot executor.
std::vector<int32_t> run_reference(const QuantizedNetwork& q, const std::vector<int8_t>& input);

// Index of the largest output (the first on ties): the predicted class.
int argmax(const std::vector<int32_t>& v);

// ------------------------------------------------------------ fake quantization

// Simulated quantization in double precision: tensors hold real values
// (scale * integer), each op computes in real arithmetic with the real scales
// and rounds onto its output grid: out = s_out * clamp(floor(y / s_out + 0.5), lo, hi)
// where y is the real result (conv: sum of dequantized weights times inputs
// plus the dequantized int32 bias; avg pool: the mean; add: the sum). Given
// the same inputs, an op's output differs from the integer reference by at
// most one LSB, and only where y / s_out lies within the multiplier's
// approximation error (2^-31 relative for Vreq, 2^-21 for the Add
// multipliers) of a rounding boundary.
std::vector<double> fake_quant_op(const QuantizedNetwork& q, size_t op_index,
                                  const std::vector<std::vector<double>>& tensors);
// Every tensor as real values, from a float image (quantized like quantize_input()).
std::vector<std::vector<double>> fake_quant_forward_all(const QuantizedNetwork& q, const std::vector<float>& image);
// The output tensor as real values.
std::vector<double> fake_quant_forward(const QuantizedNetwork& q, const std::vector<float>& image);

}  // namespace cimvp
