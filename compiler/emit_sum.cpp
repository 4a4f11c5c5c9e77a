// Code for Add and Rescale: weighted sums of whole rows, requantized.
#include "compiler/code_generator.h"

#include <algorithm>

#include "common/error.h"

namespace cimvp::codegen {

// Add and Rescale: acc = sum_i q_i * m_i row by row, then requantize.
void CodeGenerator::emit_sum(const QOp& op) {
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int c = out.shape.c, h = out.shape.h, w = out.shape.w;
  const std::vector<int> working = cores_for_rows(h);
  const auto row_ranges = split(h, int(working.size()));
  LayerPlan& lp = new_plan(op);
  lp.cores = int(working.size());
  lp.invocations = h;
  int64_t per_row = align4(out.row_bytes()) + int64_t(w) * c * 4;
  for (int i : op.inputs) per_row += align4(memory_.tensors[size_t(i)].row_bytes());
  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    const auto [r0, r1] = row_ranges[size_t(core)];
    const int64_t chunk = chunk_rows(op, 16, per_row, r1 - r0);
    configure_requant(p, op.requant);
    for (int a = r0; a < r1; a += int(chunk)) {
      const int rows = int(std::min<int64_t>(chunk, r1 - a));
      BufferArena arena(dynamic_base_, arch_.buffer.bytes);
      std::vector<Walk> walks;
      for (int i : op.inputs) {
        const TensorPlace& t = memory_.tensors[size_t(i)];
        const int64_t buf = arena.take(rows * t.row_bytes());
        p.load(int32_t(buf), int32_t(int64_t(t.address) + int64_t(a + t.pad) * t.row_bytes()),
               int32_t(rows * t.row_bytes()));
        walks.push_back({buf + int64_t(t.pad) * c, 0, t.row_bytes()});
      }
      const int64_t out_buf = arena.take(rows * out.row_bytes());
      const int64_t acc = arena.take(int64_t(w) * c * 4);
      if (out.pad > 0) fill_words(p, out_buf, rows * out.row_bytes(), out.pad_word());
      walks.push_back({out_buf + int64_t(out.pad) * c, 0, out.row_bytes()});
      p.vcfg(VcfgReg::VL, w * c);
      emit_2d_loop(p, rows, 1, walks, [&](const std::vector<int>& r) {
        p.vfill32(0, int32_t(acc), 0);
        for (size_t i = 0; i < op.inputs.size(); ++i)
          p.vmac(0, int32_t(acc), r[i], 0, net_.tensors[size_t(op.inputs[i])].is_signed, op.input_multipliers[i]);
        vreq(p, op.requant, r[op.inputs.size()], 0, 0, int32_t(acc), 0, 0, false);
      });
      p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out.row_bytes()), int32_t(out_buf),
              int32_t(rows * out.row_bytes()));
    }
  });
}

}  // namespace cimvp::codegen
