// Code for a Dense layer: output columns split over cores.
#include "compiler/code_generator.h"

#include <algorithm>

#include "common/error.h"

namespace cimvp::codegen {

void CodeGenerator::emit_dense(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int eb = out.elem_bytes;
  const WeightMatrix m = weight_matrix(op, in.shape, dense_packing(op), !options_.timing_only);
  const TileGrid grid = tile_matrix(m, arch_, op.name);

  LayerPlan& lp = new_plan(op);
  lp.matrix_rows = m.rows;
  lp.matrix_cols = m.cols;
  lp.tiles = int(grid.tiles.size());
  lp.invocations = 1;

  // Per core: its output columns [c0, c1), their blocks, where its
  // crossbars start and the partners of a part spread over cores.
  struct Work {
    int c0 = 0, c1 = 0;
    std::vector<std::vector<int>> groups;
    int first_crossbar = 0;
    int owner = -1;
    std::vector<int> helpers;
  };
  std::vector<Work> work(static_cast<size_t>(cores_));
  std::vector<int> working;
  const bool resident = is_resident(op);
  if (resident) {
    for (ResidentWork& rw : resident_work(op)) {  // one replica: a dense layer has one row
      work[size_t(rw.core)] = {grid.col_edges[size_t(rw.col_tile0)], grid.col_edges[size_t(rw.col_tile1)],
                               {std::move(rw.blocks)}, rw.first_crossbar, rw.owner, rw.helpers};
      working.push_back(rw.core);
      lp.crossbars += int(work[size_t(rw.core)].groups[0].size());
    }
  } else {
    const auto col_ranges = split(grid.col_tiles, cores_);
    for (size_t i = 0; i < col_ranges.size(); ++i) {
      Work& wk = work[i];
      wk.c0 = grid.col_edges[size_t(col_ranges[i].first)];
      wk.c1 = grid.col_edges[size_t(col_ranges[i].second)];
      std::vector<Tile> mine;
      for (const Tile& t : grid.tiles)
        if (t.col0 >= wk.c0 && t.col0 < wk.c1) mine.push_back(t);
      wk.groups = add_blocks(m, mine, wk.c0, 0);
      working.push_back(int(i));
      lp.crossbars += int(std::min<size_t>(mine.size(), size_t(per_layer_crossbars_)));
    }
  }
  for (int c : working) lp.groups = std::max(lp.groups, int(work[size_t(c)].groups.size()));
  lp.cores = int(working.size());

  const int64_t in_bytes = in.shape.size();
  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    const Work& wk = work[size_t(core)];
    const int c0 = wk.c0, c1 = wk.c1;
    const std::vector<std::vector<int>>& groups = wk.groups;
    BufferArena arena(dynamic_base_, arch_.buffer.bytes);
    const int64_t vec = arena.take(in_bytes);
    const int64_t acc = arena.take(int64_t(c1 - c0) * 4);
    const int64_t res = arena.take(int64_t(c1 - c0) * eb);
    const int64_t partial = arena.take(wk.helpers.empty() ? 0 : int64_t(c1 - c0) * 4);
    if (!arena.fits())
      throw Error(where(op) + ": its input vector and outputs need " + std::to_string(in_bytes + (c1 - c0) * (4 + eb)) +
                  " bytes of local buffer, " + std::to_string(arch_.buffer.bytes - dynamic_base_) + " are free");
    if (in.pad == 0) {
      p.load(int32_t(vec), int32_t(in.address), int32_t(in_bytes));
    } else {
      const int64_t row = int64_t(in.shape.w) * in.shape.c;
      emit_2d_loop(p, in.shape.h, 1, {{vec, 0, row}, {int64_t(in.address) + in.offset(in.pad, in.pad), 0, in.row_bytes()}},
                   [&](const std::vector<int>& r) { p.load(0, 0, int32_t(row), r[0], r[1], 0); });
    }
    const bool single = groups.size() == 1;
    if (!single) p.vcfg(VcfgReg::VL, c1 - c0).vfill32(0, int32_t(acc), 0);
    for (const std::vector<int>& group : groups) {
      if (!resident)
        for (size_t x = 0; x < group.size(); ++x) p.xprog(wk.first_crossbar + int(x), group[x]);
      p.mvm(wk.first_crossbar, int(group.size()), 0, int32_t(acc), 0, int32_t(vec), op.activation_bits,
            op.input_signed, !single);
      lp.predicted_mvms += 1;
    }
    if (wk.owner >= 0) {  // a helper: its partial sums go to the owner
      p.send(wk.owner, int32_t(acc), (c1 - c0) * 4);
      return;
    }
    for (int h : wk.helpers)
      p.recv(h, int32_t(partial), (c1 - c0) * 4).vcfg(VcfgReg::VL, c1 - c0).vadd32(0, int32_t(acc), 0, int32_t(acc), 0,
                                                                                    int32_t(partial));
    p.vcfg(VcfgReg::VL, c1 - c0);
    const int32_t bias = int32_t(bias_address_[op_index(op)] + int64_t(c0) * 4);
    if (op.requantize) {
      configure_requant(p, op.requant);
      vreq(p, op.requant, 0, int32_t(res), 0, int32_t(acc), 0, bias, true);
    } else {
      p.vadd32(0, int32_t(res), 0, int32_t(acc), 0, bias);
    }
    p.store(int32_t(int64_t(out.address) + int64_t(c0) * eb), int32_t(res), int32_t((c1 - c0) * eb));
  });
}

}  // namespace cimvp::codegen
