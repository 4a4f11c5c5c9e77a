// Code for Pad (nn/pad.h): each output row is built in the buffer and
// stored. A row of the input is loaded between its borders; a border pixel
// of a reflection or an edge copy is one Vcopy of the pixel it repeats; a
// constant border, and a row wholly outside the input, is a Vfill32 of the
// constant's byte. The output rows split over the cores; the rows that copy
// input rows in order are one loop, the few border rows above and below
// are emitted one by one.
#include <algorithm>

#include "common/error.h"
#include "compiler/code_generator.h"

namespace cimvp::codegen {

void CodeGenerator::emit_pad(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const PadSpec& pad = op.pad;
  const int c = in.shape.c, h = in.shape.h, w = in.shape.w, ho = out.shape.h, wo = out.shape.w;
  const int32_t fill = int32_t(uint32_t(uint8_t(op.pad_integer)) * 0x01010101u);
  const std::vector<int> working = cores_for_rows(ho);
  const auto row_ranges = split(ho, int(working.size()));
  LayerPlan& lp = new_plan(op);
  lp.cores = int(working.size());
  lp.invocations = ho;
  const int64_t row_bytes = int64_t(wo) * c;
  if (dynamic_base_ + align4(row_bytes) > arch_.buffer.bytes)
    throw Error(where(op) + ": one output row (" + std::to_string(row_bytes) + " bytes) does not fit the local buffer");
  const int64_t buf = dynamic_base_;
  auto in_row = [&](int sy) { return int64_t(in.address) + in.offset(sy + in.pad, in.pad); };
  auto out_row = [&](int y) { return int64_t(out.address) + out.offset(y + out.pad, out.pad); };
  // One output row: its input row (memory address `src` + register `rs`,
  // or none), stored at `dst` + register `rd`.
  auto emit_row = [&](ProgramBuilder& p, bool has_source, int64_t src, int rs, int64_t dst, int rd) {
    if (!has_source || (pad.mode == PadMode::Constant && wo > w)) fill_words(p, buf, row_bytes, fill);
    if (has_source) {
      p.load(int32_t(buf + int64_t(pad.left) * c), int32_t(src), int32_t(int64_t(w) * c), 0, rs, 0);
      if (pad.mode != PadMode::Constant) {
        p.vcfg(VcfgReg::VL, c);
        for (int x = 0; x < wo; ++x)
          if (x < pad.left || x >= pad.left + w)
            p.vcopy(0, int32_t(buf + int64_t(x) * c), 0,
                    int32_t(buf + int64_t(pad.left + pad_source(x, pad.left, w, pad.mode)) * c));
      }
    }
    p.store(int32_t(dst), int32_t(buf), int32_t(row_bytes), rd, 0, 0);
  };
  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    p.vcfg(VcfgReg::Rows, 1).vcfg(VcfgReg::Stride, 0);
    const auto [r0, r1] = row_ranges[size_t(core)];
    const int i0 = std::clamp(pad.top, r0, r1), i1 = std::clamp(pad.top + h, i0, r1);  // rows copying input rows in order
    for (int y = r0; y < i0; ++y) {
      const int sy = pad_source(y, pad.top, h, pad.mode);
      emit_row(p, sy >= 0, sy >= 0 ? in_row(sy) : 0, 0, out_row(y), 0);
    }
    if (i1 > i0)
      emit_2d_loop(p, i1 - i0, 1, {{in_row(i0 - pad.top), 0, in.row_bytes()}, {out_row(i0), 0, out.row_bytes()}},
                   [&](const std::vector<int>& r) { emit_row(p, true, 0, r[0], 0, r[1]); });
    for (int y = i1; y < r1; ++y) {
      const int sy = pad_source(y, pad.top, h, pad.mode);
      emit_row(p, sy >= 0, sy >= 0 ? in_row(sy) : 0, 0, out_row(y), 0);
    }
  });
}

}  // namespace cimvp::codegen
