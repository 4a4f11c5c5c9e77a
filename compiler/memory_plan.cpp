#include "compiler/memory_plan.h"

#include <algorithm>

#include "common/error.h"

namespace cimvp {

int window_border(const QOp& op, const Shape& in, const Shape& out) {
  // The last window's last row is (out.h - 1) * stride - padding + kernel - 1
  // in the input's coordinates; a ceil-mode pool's may pass the padding.
  const int bottom = (out.h - 1) * op.stride - op.padding + op.span_h() - in.h;
  const int right = (out.w - 1) * op.stride - op.padding_w + op.span_w() - in.w;
  return std::max({op.padding, op.padding_w, bottom, right, 0});
}

MemoryPlan plan_memory(const QuantizedNetwork& net, uint64_t memory_bytes) {
  MemoryPlan plan;
  plan.tensors.resize(net.tensors.size());
  for (size_t t = 0; t < net.tensors.size(); ++t) {
    plan.tensors[t].shape = net.tensors[t].shape;
    plan.tensors[t].elem_bytes = net.tensors[t].bits == 32 ? 4 : 1;
  }
  // Padded readers: a convolution pads with the input's zero point (it
  // contributes nothing once the bias folds in -zp * sum(w)), an average
  // pool with 0, a max pool of a signed tensor with -128 (below every
  // value, so a border never wins; of an unsigned one with 0).
  std::vector<const QOp*> padder(net.tensors.size(), nullptr);
  for (const QOp& op : net.ops) {
    const bool windowed = op.kind == QOpKind::Conv2d || op.kind == QOpKind::MaxPool || op.kind == QOpKind::AvgPool;
    if (!windowed) continue;
    const size_t t = size_t(op.inputs[0]);
    TensorPlace& in = plan.tensors[t];
    const int border = window_border(op, in.shape, net.tensors[size_t(op.output)].shape);
    in.pad = std::max(in.pad, border);
    if (border == 0) continue;
    const QTensor& x = net.tensors[t];
    const uint8_t byte = op.kind == QOpKind::Conv2d                    ? uint8_t(x.zero_point)
                         : op.kind == QOpKind::MaxPool && x.is_signed ? uint8_t(0x80)
                                                                       : uint8_t(0);
    if (padder[t] && in.pad_byte != byte)
      throw Error("tensor '" + x.name + "': layer '" + padder[t]->name + "' pads it with " +
                  std::to_string(x.is_signed ? int(int8_t(in.pad_byte)) : int(in.pad_byte)) + " but layer '" + op.name +
                  "' pads it with " + std::to_string(x.is_signed ? int(int8_t(byte)) : int(byte)) +
                  "; one buffer border cannot hold both");
    padder[t] = &op;
    in.pad_byte = byte;
  }
  uint64_t top = 0;
  auto place = [&](uint64_t bytes) {
    const uint64_t at = top;
    top += (bytes + 63) / 64 * 64;
    return at;
  };
  for (TensorPlace& t : plan.tensors) t.address = place(uint64_t(t.bytes()));
  const TensorPlace& input = plan.tensors[size_t(net.input)];
  plan.staged_input = input.pad > 0;
  plan.input_staging = plan.staged_input ? place(uint64_t(input.shape.size())) : input.address;
  plan.bytes = top;
  if (top > memory_bytes)
    throw Error("model '" + net.name + "': its feature maps need " + std::to_string(top) +
                " bytes of global memory, the architecture has " + std::to_string(memory_bytes));
  return plan;
}

}  // namespace cimvp
