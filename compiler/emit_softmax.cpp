// Code for Softmax: the softmax unit (Vsoftmax) over each group, with the
// op's constants in every core's buffer (place_biases). In HWC memory a
// pixel's channels are adjacent (one Vsoftmax per pixel, STRIDE 1) and a
// row of one channel is `channels` bytes apart (one per row and channel).
#include "compiler/code_generator.h"

namespace cimvp::codegen {

void CodeGenerator::emit_softmax(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int32_t constants = int32_t(constant_address_[op_index(op)]);
  const bool is_signed = net_.tensors[size_t(op.inputs[0])].is_signed;
  const int c = out.shape.c, w = out.shape.w;
  emit_rowwise(op, 0, [&](ProgramBuilder& p, BufferArena&, int rows, const std::vector<int64_t>& src, int64_t dst) {
    const bool channels = op.softmax_axis == SoftmaxAxis::Channels;
    p.vcfg(VcfgReg::VL, channels ? c : w).vcfg(VcfgReg::Stride, channels ? 1 : c);
    emit_2d_loop(p, rows, channels ? w : c, {{src[0], channels ? c : 1, in.row_bytes()}, {dst, channels ? c : 1, out.row_bytes()}},
                 [&](const std::vector<int>& r) { p.vsoftmax(r[1], 0, r[0], 0, 0, constants, is_signed, op.log); });
  });
}

}  // namespace cimvp::codegen
