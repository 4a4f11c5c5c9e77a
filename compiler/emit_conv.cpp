// Code for a Conv2d: output rows split over cores, column parts over
// groups of cores when the tiles exceed one core's crossbars.
#include "compiler/code_generator.h"

#include <algorithm>

#include "common/error.h"
#include "compiler/per_layer_mapping.h"

namespace cimvp::codegen {

// A convolution's output channels (column tiles) are cut into parts, each
// part on its own cores, which split the output rows and hold all of the
// part's tiles (duplicated weights). Per-layer placement chooses the number
// of parts (compiler/per_layer_mapping.h): at least enough that every core
// programs only its part's tiles (once, when they fit its crossbars), more
// when that saves more programming than it costs MVMs.
void CodeGenerator::emit_conv(const QOp& op) {
  const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
  const TensorPlace& out = memory_.tensors[size_t(op.output)];
  const int kh = op.kernel, kw = op.kernel_w, s = op.stride, ci = in.shape.c, co = out.shape.c;
  const int d = op.dilation, span_h = op.span_h();
  const int ho = out.shape.h, wo = out.shape.w;
  const int eb = out.elem_bytes;
  const bool resident = is_resident(op);
  const PerLayerMapping mapping = resident ? PerLayerMapping{channel_packing(op, arch_), 1}
                                           : per_layer_mapping(op, in.shape, out.shape, cores_, arch_,
                                                               per_layer_crossbars_);
  const ChannelPacking& packing = mapping.packing;
  const WeightMatrix m = weight_matrix(op, in.shape, packing, !options_.timing_only);
  const TileGrid grid = tile_matrix(m, arch_, op.name);
  const int per_core = per_layer_crossbars_;
  const int col_tiles = grid.col_tiles;
  const int parts = mapping.parts;
  const auto col_ranges = split(col_tiles, parts);
  const auto core_ranges = split(cores_, parts);
  const bool gather = !(kh == 1 && kw == 1);  // a 1x1 window is already contiguous

  LayerPlan& lp = new_plan(op);
  lp.matrix_rows = m.rows;
  lp.matrix_cols = m.cols;
  lp.tiles = int(grid.tiles.size());
  lp.packs = packing.packs;
  lp.invocations = int64_t(ho) * wo;

  // Per core: its part's column tiles [t0, t1), blocks, output rows [r0, r1),
  // where its crossbars start (resident: programmed before the run) and
  // the partners of a part spread over cores (resident_work()).
  struct Work {
    int t0 = 0, t1 = 0, r0 = 0, r1 = 0;
    const std::vector<std::vector<int>>* groups = nullptr;
    int first_crossbar = 0;
    int owner = -1;
    std::vector<int> helpers;
  };
  std::vector<std::vector<std::vector<int>>> part_groups(static_cast<size_t>(parts));
  std::vector<Work> work(static_cast<size_t>(cores_));
  std::vector<int> working;
  bool spread = false;  // some part spreads over cores: partial sums travel
  if (resident) {
    const std::vector<ResidentWork> rw = resident_work(op);
    part_groups.assign(rw.size(), {});
    for (size_t j = 0; j < rw.size(); ++j) {
      part_groups[j] = {rw[j].blocks};
      work[size_t(rw[j].core)] = {rw[j].col_tile0, rw[j].col_tile1, rw[j].r0, rw[j].r1, &part_groups[j],
                                  rw[j].first_crossbar, rw[j].owner, rw[j].helpers};
      working.push_back(rw[j].core);
      lp.crossbars += int(rw[j].blocks.size());
      spread = spread || rw[j].owner >= 0;
    }
    lp.groups = 1;
  }
  for (int part = 0; part < parts && !resident; ++part) {
    const auto [t0, t1] = col_ranges[size_t(part)];
    std::vector<Tile> mine;
    for (const Tile& t : grid.tiles)
      if (t.col0 >= grid.col_edges[size_t(t0)] && t.col0 < grid.col_edges[size_t(t1)]) mine.push_back(t);
    part_groups[size_t(part)] = add_blocks(m, mine, grid.col_edges[size_t(t0)], grid.row_span(packing, t0, t1).first);
    const auto [k0, k1] = core_ranges[size_t(part)];
    const auto rows = split(ho, k1 - k0);
    for (size_t i = 0; i < rows.size(); ++i) {
      const int core = k0 + int(i);
      work[size_t(core)] = {t0, t1, rows[i].first, rows[i].second, &part_groups[size_t(part)], 0, -1, {}};
      working.push_back(core);
      lp.crossbars += int(std::min<size_t>(mine.size(), size_t(per_core)));
    }
    lp.groups = std::max(lp.groups, int(part_groups[size_t(part)].size()));
  }
  lp.cores = int(working.size());

  const int64_t in_row = in.row_bytes(), out_row = out.row_bytes();

  op_section(op.name, working, [&](int core, ProgramBuilder& p) {
    const Work& wk = work[size_t(core)];
    const std::vector<std::vector<int>>& groups = *wk.groups;
    const bool single = groups.size() == 1;
    const int c0 = grid.col_edges[size_t(wk.t0)], c1 = grid.col_edges[size_t(wk.t1)];
    const int cc = c1 - c0;
    // The patch rows this core's blocks read: its packs' (all of it with one pack).
    const auto [patch_row0, patch_row1] = grid.row_span(packing, wk.t0, wk.t1);
    const int pack0 = grid.col_pack[size_t(wk.t0)], pack1 = grid.col_pack[size_t(wk.t1 - 1)] + 1;
    const int64_t patch_bytes = gather ? align4(patch_row1 - patch_row0) : 0;
    const bool whole_rows = cc == co;  // all channels: store whole padded rows
    // This core's output rows in its buffer: whole padded rows, or its channels of the interior pixels.
    const int64_t buf_row = whole_rows ? out_row : int64_t(wo) * cc * eb;
    const int64_t acc_fixed = single ? int64_t(cc) * 4 : 0;
    const int64_t acc_per_row = single ? 0 : int64_t(wo) * cc * 4;
    // chunk of r rows needs (r - 1) * s + span_h input rows
    // (+ a received partial sum when parts spread over cores: the same for all cores of a part)
    const int64_t fixed =
        patch_bytes + acc_fixed + align4((span_h - s) * in_row) + 16 + (spread ? int64_t(cc) * 4 : 0);
    const int64_t per_row = align4(s * in_row) + align4(buf_row) + acc_per_row;
    const int64_t chunk = chunk_rows(op, fixed, per_row, wk.r1 - wk.r0);
    configure_requant(p, op.requant);
    for (int a = wk.r0; a < wk.r1; a += int(chunk)) {
      const int rows = int(std::min<int64_t>(chunk, wk.r1 - a));
      BufferArena arena(dynamic_base_, arch_.buffer.bytes);
      const int64_t in_rows = int64_t(rows - 1) * s + span_h;
      const int64_t in_buf = arena.take(in_rows * in_row);
      const int64_t out_buf = arena.take(rows * buf_row);
      const int64_t patch = arena.take(patch_bytes);
      const int64_t acc = arena.take(single ? int64_t(cc) * 4 : int64_t(rows) * wo * cc * 4);
      const int64_t partial = arena.take(spread ? int64_t(cc) * 4 : 0);
      const bool helper = wk.owner >= 0;  // computes partial sums only
      // input rows a*s - p .. in padded coordinates start at a*s - p + pad
      const int64_t first_in_row = int64_t(a) * s - op.padding + in.pad;
      p.load(int32_t(in_buf), int32_t(int64_t(in.address) + first_in_row * in_row), int32_t(in_rows * in_row));
      if (whole_rows && out.pad > 0 && !helper)
        fill_words(p, out_buf, rows * out_row, out.pad_word());
      if (!single) p.vcfg(VcfgReg::VL, int32_t(int64_t(rows) * wo * cc)).vfill32(0, int32_t(acc), 0);
      const Walk src{in_buf + int64_t(in.pad - op.padding_w) * ci, int64_t(s) * ci, int64_t(s) * in_row};
      const Walk dst = whole_rows ? Walk{out_buf + int64_t(out.pad) * co * eb, int64_t(co) * eb, out_row}
                                  : Walk{out_buf, int64_t(cc) * eb, buf_row};
      const Walk accw{acc, int64_t(cc) * 4, int64_t(wo) * cc * 4};
      const int32_t bias = int32_t(bias_address_[op_index(op)] + int64_t(c0) * 4);
      auto store_result = [&](int dst_reg, int acc_reg, int32_t acc_offset) {
        p.vcfg(VcfgReg::VL, cc);
        if (op.requantize)
          vreq(p, op.requant, dst_reg, 0, acc_reg, acc_offset, 0, bias, true);
        else
          p.vadd32(dst_reg, 0, acc_reg, acc_offset, 0, bias);
      };
      for (const std::vector<int>& group : groups) {
        if (!resident)
          for (size_t x = 0; x < group.size(); ++x) p.xprog(wk.first_crossbar + int(x), group[x]);
        // One pack: the window's kh rows of kw x ci bytes. Several (or a
        // dilated window): per pack and kernel row, its channels at the kw
        // taps, d pixels apart (kw x channels bytes).
        const bool row_gather = gather && packing.packs == 1 && d == 1;
        if (row_gather) p.vcfg(VcfgReg::Rows, kh).vcfg(VcfgReg::Stride, int32_t(in_row));
        if (gather && !row_gather) p.vcfg(VcfgReg::Rows, kw).vcfg(VcfgReg::Stride, d * ci);
        std::vector<Walk> walks = {src, dst};
        if (!single) walks.push_back(accw);
        emit_2d_loop(p, rows, wo, walks, [&](const std::vector<int>& r) {
          int in_reg = r[0];
          int32_t in_off = int32_t(patch_row0);  // k = 1: the pixel is the patch, a pack's rows its channels
          if (row_gather) {
            p.vcfg(VcfgReg::VL, kw * ci).vcopy(0, int32_t(patch), r[0], 0);
          } else if (gather) {
            int vl = -1;
            for (int pack = pack0; pack < pack1; ++pack) {
              const int n = packing.channels(pack);
              if (n != vl) p.vcfg(VcfgReg::VL, vl = n);
              for (int ky = 0; ky < kh; ++ky)
                p.vcopy(0, int32_t(patch + packing.first_row(pack) - patch_row0 + int64_t(ky) * kw * n), r[0],
                        int32_t(int64_t(ky) * d * in_row + int64_t(pack) * packing.in_channels));
            }
          }
          if (gather) {
            in_reg = 0;
            in_off = int32_t(patch);
          }
          if (single) {
            p.mvm(wk.first_crossbar, int(group.size()), 0, int32_t(acc), in_reg, in_off, op.activation_bits,
                  op.input_signed, false);
            if (helper) {
              p.send(wk.owner, int32_t(acc), cc * 4);
              return;
            }
            for (int h : wk.helpers)
              p.recv(h, int32_t(partial), cc * 4).vcfg(VcfgReg::VL, cc).vadd32(0, int32_t(acc), 0, int32_t(acc), 0,
                                                                                  int32_t(partial));
            store_result(r[1], 0, int32_t(acc));
          } else {
            p.mvm(wk.first_crossbar, int(group.size()), r[2], 0, in_reg, in_off, op.activation_bits,
                  op.input_signed, true);
          }
        });
        lp.predicted_mvms += int64_t(rows) * wo;
      }
      if (helper) continue;  // its owner stores the rows
      if (!single)
        emit_2d_loop(p, rows, wo, {dst, accw}, [&](const std::vector<int>& r) { store_result(r[0], r[1], 0); });
      if (whole_rows) {
        p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out_row), int32_t(out_buf),
                int32_t(rows * out_row));
      } else {  // this core's channels of every pixel (the border stays as memory holds it)
        const Walk mem{int64_t(out.address) + out.offset(a + out.pad, out.pad) + int64_t(c0) * eb,
                       out.pixel_bytes(), out_row};
        emit_2d_loop(p, rows, wo, {dst, mem},
                     [&](const std::vector<int>& r) { p.store(0, 0, int32_t(int64_t(cc) * eb), r[1], r[0], 0); });
      }
    }
  });
}

}  // namespace cimvp::codegen
