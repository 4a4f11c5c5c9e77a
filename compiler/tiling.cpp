#include "compiler/tiling.h"

#include "common/error.h"

namespace cimvp {

WeightMatrix weight_matrix(const QOp& op, const Shape& in_shape, const ChannelPacking& packing, bool with_weights) {
  WeightMatrix m;
  m.weight_bits = op.weight_bits;
  m.cols = op.out_channels;
  m.packing = packing;
  if (op.kind == QOpKind::Conv2d) {
    const int c_in = op.in_channels, kh = op.kernel, kw = op.kernel_w;
    m.rows = kh * kw * c_in;
    if (!with_weights) return m;
    m.w.resize(size_t(m.rows) * size_t(m.cols));
    for (int o = 0; o < m.cols; ++o)
      for (int c = 0; c < c_in; ++c)
        for (int ky = 0; ky < kh; ++ky)
          for (int kx = 0; kx < kw; ++kx) {
            const int row = packing.row(ky * kw + kx, c);
            m.w[size_t(row) * size_t(m.cols) + size_t(o)] = op.weight[((size_t(o) * c_in + c) * kh + ky) * kw + kx];
          }
  } else {
    const int C = in_shape.c, H = in_shape.h, W = in_shape.w;
    m.rows = op.in_channels;
    if (!with_weights) return m;
    m.w.resize(size_t(m.rows) * size_t(m.cols));
    for (int o = 0; o < m.cols; ++o)
      for (int c = 0; c < C; ++c)
        for (int h = 0; h < H; ++h)
          for (int x = 0; x < W; ++x) {
            const size_t chw = (size_t(c) * H + h) * W + x, hwc = (size_t(h) * W + x) * C + c;
            m.w[hwc * size_t(m.cols) + size_t(o)] = op.weight[size_t(o) * size_t(m.rows) + chw];
          }
  }
  return m;
}

std::pair<int, int> TileGrid::row_span(const ChannelPacking& packing, int j0, int j1) const {
  const int first = col_pack[size_t(j0)], last = col_pack[size_t(j1 - 1)];
  return {packing.first_row(first), packing.first_row(last) + packing.rows(last)};
}

TileGrid tile_matrix(const WeightMatrix& m, const ArchConfig& arch, const std::string& layer) {
  const int tr = arch.crossbar.max_tile_rows(), tc = arch.crossbar.max_tile_cols(m.weight_bits);
  if (tr < 1 || tc < 1)
    throw Error("layer '" + layer + "': a " + std::to_string(m.weight_bits) + "-bit weight column does not fit a " +
                std::to_string(arch.crossbar.rows) + " x " + std::to_string(arch.crossbar.cols) + " crossbar with " +
                std::to_string(arch.crossbar.cell_bits) + "-bit cells (" + mapping_name(arch.crossbar.mapping) + ")");
  const ChannelPacking& p = m.packing;
  TileGrid g;
  // Every pack has as many row tiles as the first: packs of several groups
  // fit one tile's rows, and packs of one group are all the same size.
  g.row_tiles = (p.rows(0) + tr - 1) / tr;
  for (int pack = 0; pack < p.packs; ++pack)
    for (int c = 0; c < p.outputs(pack); c += tc) {
      g.col_edges.push_back(p.first_col(pack) + c);
      g.col_pack.push_back(pack);
    }
  g.col_tiles = int(g.col_pack.size());
  g.col_edges.push_back(m.cols);
  for (int i = 0; i < g.row_tiles; ++i)
    for (int j = 0; j < g.col_tiles; ++j) {
      const int pack = g.col_pack[size_t(j)];
      const int r0 = p.first_row(pack) + i * tr;
      const int rows = std::min(tr, p.first_row(pack) + p.rows(pack) - r0);
      if (rows < 1) throw Error("layer '" + layer + "': pack " + std::to_string(pack) + " has fewer row tiles than the first");
      g.tiles.push_back({r0, rows, g.col_edges[size_t(j)], g.col_edges[size_t(j) + 1] - g.col_edges[size_t(j)]});
    }
  return g;
}

WeightBlock make_block(const WeightMatrix& m, const Tile& t, int col_base, int row_base, bool with_weights) {
  WeightBlock b;
  b.rows = uint32_t(t.rows);
  b.cols = uint32_t(t.cols);
  b.weight_bits = uint8_t(m.weight_bits);
  b.row_offset = uint32_t(t.row0 - row_base);
  b.col_offset = uint32_t(t.col0 - col_base);
  if (with_weights) {
    b.weights.reserve(size_t(t.rows) * size_t(t.cols));
    for (int r = 0; r < t.rows; ++r)
      for (int c = 0; c < t.cols; ++c) b.weights.push_back(m.w[size_t(t.row0 + r) * size_t(m.cols) + size_t(t.col0 + c)]);
  }
  return b;
}

}  // namespace cimvp
