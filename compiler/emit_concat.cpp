// Code for Concat: each input's pixels into their channel slice of a 32-bit
// accumulator at the common scale, then one requantization per row.
#include "compiler/code_generator.h"

#include <algorithm>

namespace cimvp::codegen {

// The inputs are HWC tensors, so input i's channels of one pixel are a
// c_i-byte run that lands at channel offset off_i of the output pixel: one
// Vmac per pixel and input (Vcopy gathers rows into a dense destination, it
// cannot scatter them at the output's pixel stride). The inputs' scales may
// differ, so the requantization that follows also unifies them.
void CodeGenerator::emit_concat(const QOp& op) {
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int c = out.shape.c, h = out.shape.h, w = out.shape.w;
  const std::vector<int> working = cores_for_rows(h);
  const auto row_ranges = split(h, int(working.size()));
  LayerPlan& lp = new_plan(op);
  lp.cores = int(working.size());
  lp.invocations = h;
  const int64_t acc_row = int64_t(w) * c * 4;
  int64_t per_row = align4(out.row_bytes()) + acc_row;
  for (int i : op.inputs) per_row += align4(memory_.tensors[size_t(i)].row_bytes());
  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    const auto [r0, r1] = row_ranges[size_t(core)];
    const int64_t chunk = chunk_rows(op, 16, per_row, r1 - r0);
    configure_requant(p, op.requant);
    for (int a = r0; a < r1; a += int(chunk)) {
      const int rows = int(std::min<int64_t>(chunk, r1 - a));
      BufferArena arena(dynamic_base_, arch_.buffer.bytes);
      const int64_t acc = arena.take(rows * acc_row);
      p.vcfg(VcfgReg::VL, int32_t(rows * acc_row / 4)).vfill32(0, int32_t(acc), 0);
      int channel = 0;
      for (size_t k = 0; k < op.inputs.size(); ++k) {
        const TensorPlace& t = memory_.tensors[size_t(op.inputs[k])];
        const int64_t buf = arena.take(rows * t.row_bytes());
        p.load(int32_t(buf), int32_t(int64_t(t.address) + int64_t(a + t.pad) * t.row_bytes()),
               int32_t(rows * t.row_bytes()));
        const Walk src{buf + int64_t(t.pad) * t.shape.c, t.shape.c, t.row_bytes()};
        const Walk dst{acc + int64_t(channel) * 4, int64_t(c) * 4, acc_row};
        p.vcfg(VcfgReg::VL, t.shape.c);
        const bool is_signed = net_.tensors[size_t(op.inputs[k])].is_signed;
        emit_2d_loop(p, rows, w, {src, dst}, [&](const std::vector<int>& r) {
          p.vmac(r[1], 0, r[0], 0, is_signed, op.input_multipliers[k]);
        });
        channel += t.shape.c;
      }
      const int64_t out_buf = arena.take(rows * out.row_bytes());
      if (out.pad > 0) fill_words(p, out_buf, rows * out.row_bytes(), out.pad_word());
      p.vcfg(VcfgReg::VL, w * c);
      emit_2d_loop(p, rows, 1, {{acc, 0, acc_row}, {out_buf + int64_t(out.pad) * c, 0, out.row_bytes()}},
                   [&](const std::vector<int>& r) { vreq(p, op.requant, r[1], 0, r[0], 0, 0, 0, false); });
      p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out.row_bytes()), int32_t(out_buf),
              int32_t(rows * out.row_bytes()));
    }
  });
}

}  // namespace cimvp::codegen
