// Code for the element-wise ops that take one GPEU instruction per row:
// activations (Vlut through the op's table) and products (Vmul8, then Vreq).
#include "compiler/code_generator.h"

#include <algorithm>

namespace cimvp::codegen {

// The 256 bytes Vlut indexes with a source byte: a signed tensor's byte is
// its two's complement; bytes outside the tensor's range never occur.
std::vector<uint8_t> lut_bytes(const QOp& op, const QTensor& in) {
  std::vector<uint8_t> bytes(256, 0);
  for (int b = 0; b < 256; ++b) {
    const int32_t q = in.is_signed ? int32_t(int8_t(uint8_t(b))) : b;
    if (q >= in.lo() && q <= in.hi()) bytes[size_t(b)] = uint8_t(op.table[size_t(q - in.lo())]);
  }
  return bytes;
}

// Rows split over the cores; each chunk of rows loaded, transformed row by
// row (the interior only: the border keeps the output's pad byte) and stored.
void CodeGenerator::emit_rowwise(const QOp& op, int64_t per_row_scratch,
                                 const std::function<void(ProgramBuilder&, BufferArena&, int rows,
                                                          const std::vector<int64_t>& in_bufs, int64_t out_buf)>& body) {
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int h = out.shape.h;
  const std::vector<int> working = cores_for_rows(h);
  const auto row_ranges = split(h, int(working.size()));
  LayerPlan& lp = new_plan(op);
  lp.cores = int(working.size());
  lp.invocations = h;
  // Row-shaped inputs are loaded with each chunk; a per-channel factor (C x 1 x 1) once.
  int64_t per_row = align4(out.row_bytes()) + per_row_scratch, fixed = 16;
  auto whole = [&](const TensorPlace& t) { return t.shape.h != h || t.shape.w != out.shape.w; };  // C x 1 x 1
  for (int i : op.inputs) {
    const TensorPlace& t = memory_.tensors[size_t(i)];
    (whole(t) ? fixed : per_row) += align4(whole(t) ? t.bytes() : t.row_bytes());
  }
  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    const auto [r0, r1] = row_ranges[size_t(core)];
    const int64_t chunk = chunk_rows(op, fixed, per_row, r1 - r0);
    if (op.kind != QOpKind::Lut) configure_requant(p, op.requant);
    for (int a = r0; a < r1; a += int(chunk)) {
      const int rows = int(std::min<int64_t>(chunk, r1 - a));
      BufferArena arena(dynamic_base_, arch_.buffer.bytes);
      std::vector<int64_t> in_bufs;
      for (int i : op.inputs) {
        const TensorPlace& t = memory_.tensors[size_t(i)];
        const int64_t bytes = whole(t) ? t.bytes() : rows * t.row_bytes();
        const int64_t buf = arena.take(bytes);
        const int64_t from = whole(t) ? 0 : int64_t(a + t.pad) * t.row_bytes();
        p.load(int32_t(buf), int32_t(int64_t(t.address) + from), int32_t(bytes));
        in_bufs.push_back(buf + (whole(t) ? t.offset(t.pad, t.pad) : int64_t(t.pad) * t.shape.c));
      }
      const int64_t out_buf = arena.take(rows * out.row_bytes());
      if (out.pad > 0) fill_words(p, out_buf, rows * out.row_bytes(), out.pad_word());
      body(p, arena, rows, in_bufs, out_buf + int64_t(out.pad) * out.shape.c);
      p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out.row_bytes()), int32_t(out_buf),
              int32_t(rows * out.row_bytes()));
    }
  });
}

void CodeGenerator::emit_lut(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int64_t table = constant_address_[op_index(op)];
  emit_rowwise(op, 0, [&](ProgramBuilder& p, BufferArena&, int rows, const std::vector<int64_t>& src, int64_t dst) {
    p.vcfg(VcfgReg::VL, out.shape.w * out.shape.c);
    emit_2d_loop(p, rows, 1, {{src[0], 0, in.row_bytes()}, {dst, 0, out.row_bytes()}},
                 [&](const std::vector<int>& r) { p.vlut(r[1], 0, r[0], 0, 0, int32_t(table)); });
  });
}

void CodeGenerator::emit_mul(const QOp& op) {
  const TensorPlace& a = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& b = memory_.tensors[size_t(op.inputs[1])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int c = out.shape.c, w = out.shape.w;
  const bool a_signed = net_.tensors[size_t(op.inputs[0])].is_signed;
  const bool b_signed = net_.tensors[size_t(op.inputs[1])].is_signed;
  const bool per_channel = b.shape.h != out.shape.h || b.shape.w != out.shape.w;
  const int64_t acc_row = int64_t(w) * c * 4;
  emit_rowwise(op, acc_row, [&](ProgramBuilder& p, BufferArena& arena, int rows, const std::vector<int64_t>& src,
                                int64_t dst) {
    const int64_t acc = arena.take(rows * acc_row);
    if (per_channel) {  // a pixel's channels times the factors: one Vmul8 per pixel
      p.vcfg(VcfgReg::VL, c);
      emit_2d_loop(p, rows, w, {{src[0], c, a.row_bytes()}, {acc, int64_t(c) * 4, acc_row}},
                   [&](const std::vector<int>& r) { p.vmul8(r[1], 0, r[0], 0, 0, int32_t(src[1]), a_signed, b_signed); });
    } else {
      p.vcfg(VcfgReg::VL, w * c);
      emit_2d_loop(p, rows, 1, {{src[0], 0, a.row_bytes()}, {src[1], 0, b.row_bytes()}, {acc, 0, acc_row}},
                   [&](const std::vector<int>& r) { p.vmul8(r[2], 0, r[0], 0, r[1], 0, a_signed, b_signed); });
    }
    p.vcfg(VcfgReg::VL, w * c);
    emit_2d_loop(p, rows, 1, {{acc, 0, acc_row}, {dst, 0, out.row_bytes()}},
                 [&](const std::vector<int>& r) { vreq(p, op.requant, r[1], 0, r[0], 0, 0, 0, false); });
  });
}

// Channels picked: the index list cut into runs whose source channels step
// evenly; a run is one Vcopy (its channels side by side, or every st-th
// byte gathered). A single contiguous run (a slice) copies whole rows at
// once: w pixels of its channels, the input's pixel stride apart.
void CodeGenerator::emit_channels(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  struct Run {
    int dst, src, stride, length;
  };
  std::vector<Run> runs;
  for (size_t j = 0; j < op.channels.size();) {
    Run r{int(j), op.channels[j], 1, 1};
    if (j + 1 < op.channels.size()) r.stride = op.channels[j + 1] - op.channels[j];
    while (j + size_t(r.length) < op.channels.size() &&
           op.channels[j + size_t(r.length)] == op.channels[j] + r.stride * r.length)
      ++r.length;
    if (r.length == 1) r.stride = 1;
    runs.push_back(r);
    j += size_t(r.length);
  }
  const int w = out.shape.w, ci = in.shape.c, co = out.shape.c;
  emit_rowwise(op, 0, [&](ProgramBuilder& p, BufferArena&, int rows, const std::vector<int64_t>& src, int64_t dst) {
    if (runs.size() == 1 && runs[0].stride == 1) {
      p.vcfg(VcfgReg::VL, runs[0].length).vcfg(VcfgReg::Rows, w).vcfg(VcfgReg::Stride, ci);
      emit_2d_loop(p, rows, 1, {{src[0] + runs[0].src, 0, in.row_bytes()}, {dst, 0, out.row_bytes()}},
                   [&](const std::vector<int>& r) { p.vcopy(r[1], 0, r[0], 0); });
      return;
    }
    emit_2d_loop(p, rows, w, {{src[0], ci, in.row_bytes()}, {dst, co, out.row_bytes()}},
                 [&](const std::vector<int>& r) {
                   for (const Run& run : runs) {
                     if (run.stride == 1)
                       p.vcfg(VcfgReg::VL, run.length).vcfg(VcfgReg::Rows, 1);
                     else
                       p.vcfg(VcfgReg::VL, 1).vcfg(VcfgReg::Rows, run.length).vcfg(VcfgReg::Stride, run.stride);
                     p.vcopy(r[1], run.dst, r[0], run.src);
                   }
                 });
  });
}

}  // namespace cimvp::codegen
