#include "compiler/memory_plan.h"

#include <algorithm>

#include "common/error.h"

namespace cimvp {

MemoryPlan plan_memory(const QuantizedNetwork& net, uint64_t memory_bytes) {
  MemoryPlan plan;
  plan.tensors.resize(net.tensors.size());
  for (size_t t = 0; t < net.tensors.size(); ++t) {
    plan.tensors[t].shape = net.tensors[t].shape;
    plan.tensors[t].elem_bytes = net.tensors[t].bits == 32 ? 4 : 1;
  }
  for (const QOp& op : net.ops) {
    const bool windowed = op.kind == QOpKind::Conv2d || op.kind == QOpKind::MaxPool || op.kind == QOpKind::AvgPool;
    if (windowed) {
      TensorPlace& in = plan.tensors[size_t(op.inputs[0])];
      in.pad = std::max(in.pad, op.padding);
    }
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
