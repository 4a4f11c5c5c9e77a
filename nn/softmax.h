// Softmax and log-softmax (OpKind::Softmax; ONNX Softmax and LogSoftmax):
// over the channels of each pixel (a classifier's K scores are K x 1 x 1)
// or along the width of each row (the last axis of a 4-D tensor). The float
// definition for the graph and the trainer, and the constants of the exact
// integer one (common/softmax_unit.h), which the integer reference and the
// GPEU's softmax unit share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/graph.h"

namespace cimvp {

const char* softmax_axis_name(SoftmaxAxis a);  // "channels", "width"
SoftmaxAxis softmax_axis_from_name(const std::string& name);  // throws cimvp::Error naming the valid ones

// Calls f(first, stride, n) for each group of n values that one softmax
// normalizes, in a CHW tensor of shape `s` (indices into it).
template <typename F>
void for_softmax_groups(const Shape& s, SoftmaxAxis axis, F f) {
  const int64_t hw = int64_t(s.h) * s.w;
  if (axis == SoftmaxAxis::Channels)
    for (int64_t p = 0; p < hw; ++p) f(p, hw, int64_t(s.c));
  else
    for (int64_t r = 0; r < int64_t(s.c) * s.h; ++r) f(r * s.w, int64_t(1), int64_t(s.w));
}

// The float (log-)softmax of x over the groups, into y.
void softmax_forward(const Shape& s, SoftmaxAxis axis, bool log, const float* x, float* y);
// dx += the gradient through it, given its output y and the output's gradient g.
void softmax_backward(const Shape& s, SoftmaxAxis axis, bool log, const float* y, const float* g, float* dx);

// The integer unit's constants (common/softmax_unit.h) for an input of
// scale s_in and an output of scale s_out clamped to [lo, hi]; throws
// cimvp::Error naming `node` when a constant does not fit 32 bits.
std::vector<int32_t> softmax_constants(double s_in, double s_out, int32_t lo, int32_t hi, bool log,
                                       const std::string& node);

}  // namespace cimvp
