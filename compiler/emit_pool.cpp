// Code for MaxPool, AvgPool and GlobalAvgPool.
#include "compiler/code_generator.h"

#include <algorithm>

#include "common/error.h"

namespace cimvp::codegen {

// MaxPool and AvgPool: per output pixel, the window's kh x kw input pixels
// (dilation apart).
void CodeGenerator::emit_pool(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const QTensor& in_t = net_.tensors[size_t(op.inputs[0])];
  const int s = op.stride, d = op.dilation, c = in.shape.c, ho = out.shape.h, wo = out.shape.w;
  const bool is_max = op.kind == QOpKind::MaxPool;
  const std::vector<int> working = cores_for_rows(ho);
  const auto row_ranges = split(ho, int(working.size()));
  LayerPlan& lp = new_plan(op);
  lp.cores = int(working.size());
  lp.invocations = int64_t(ho) * wo;
  const int64_t in_row = in.row_bytes(), out_row = out.row_bytes();
  const int64_t fixed = int64_t(c) * 4 + align4(std::max(0, op.span_h() - s) * in_row) + 16;
  const int64_t per_row = align4(s * in_row) + align4(out_row);
  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    const auto [r0, r1] = row_ranges[size_t(core)];
    const int64_t chunk = chunk_rows(op, fixed, per_row, r1 - r0);
    if (!is_max) configure_requant(p, op.requant);
    for (int a = r0; a < r1; a += int(chunk)) {
      const int rows = int(std::min<int64_t>(chunk, r1 - a));
      BufferArena arena(dynamic_base_, arch_.buffer.bytes);
      const int64_t in_rows = int64_t(rows - 1) * s + op.span_h();
      const int64_t in_buf = arena.take(in_rows * in_row);
      const int64_t out_buf = arena.take(rows * out_row);
      const int64_t acc = arena.take(int64_t(c) * 4);
      const int64_t first_in_row = int64_t(a) * s - op.padding + in.pad;
      p.load(int32_t(in_buf), int32_t(int64_t(in.address) + first_in_row * in_row), int32_t(in_rows * in_row));
      if (out.pad > 0) fill_words(p, out_buf, rows * out_row, out.pad_word());
      p.vcfg(VcfgReg::VL, c).vcfg(VcfgReg::Rows, 1).vcfg(VcfgReg::Stride, 0);
      const Walk src{in_buf + int64_t(in.pad - op.padding_w) * c, int64_t(s) * c, int64_t(s) * in_row};
      const Walk dst{out_buf + int64_t(out.pad) * c, c, out_row};
      emit_2d_loop(p, rows, wo, {src, dst}, [&](const std::vector<int>& r) {
        if (is_max) {
          p.vcopy(r[1], 0, r[0], 0);
          for (int ky = 0; ky < op.kernel; ++ky)
            for (int kx = 0; kx < op.kernel_w; ++kx)
              if (ky || kx) p.vmax8(r[1], 0, r[1], 0, r[0], int32_t((ky * in_row + kx * c) * d), in_t.is_signed);
        } else {
          p.vfill32(0, int32_t(acc), 0);
          for (int ky = 0; ky < op.kernel; ++ky)
            for (int kx = 0; kx < op.kernel_w; ++kx)
              p.vmac(0, int32_t(acc), r[0], int32_t((ky * in_row + kx * c) * d), in_t.is_signed, 1);
          vreq(p, op.requant, r[1], 0, 0, int32_t(acc), 0, 0, false);
        }
      });
      p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out_row), int32_t(out_buf),
              int32_t(rows * out_row));
    }
  });
}

void CodeGenerator::emit_global_pool(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const QTensor& in_t = net_.tensors[size_t(op.inputs[0])];
  const int c = in.shape.c;
  LayerPlan& lp = new_plan(op);
  lp.cores = 1;
  lp.invocations = 1;
  op_section(op.name, {0}, [&](int, ProgramBuilder& p) {
    BufferArena arena(dynamic_base_, arch_.buffer.bytes);
    const int64_t in_buf = arena.take(in.bytes());
    const int64_t acc = arena.take(int64_t(c) * 4);
    const int64_t res = arena.take(c);
    if (!arena.fits()) throw Error(where(op) + ": its input does not fit the local buffer");
    p.load(int32_t(in_buf), int32_t(in.address), int32_t(in.bytes()));
    configure_requant(p, op.requant);
    p.vcfg(VcfgReg::VL, c).vfill32(0, int32_t(acc), 0);
    emit_2d_loop(p, in.shape.h, in.shape.w, {{in_buf + in.offset(in.pad, in.pad), c, in.row_bytes()}},
                 [&](const std::vector<int>& r) { p.vmac(0, int32_t(acc), r[0], 0, in_t.is_signed, 1); });
    vreq(p, op.requant, 0, int32_t(res), 0, int32_t(acc), 0, 0, false);
    p.store(int32_t(int64_t(out.address) + out.offset(out.pad, out.pad)), int32_t(res), c);
  });
}

}  // namespace cimvp::codegen
