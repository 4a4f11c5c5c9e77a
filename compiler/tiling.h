// A layer's weight matrix in the order the VP feeds its inputs, and its cut
// into crossbar tiles (weight blocks) after weight bit slicing and the
// signed mapping of the architecture.
#pragma once

#include <utility>
#include <vector>

#include "compiler/group_packing.h"
#include "firmware/image.h"
#include "nn/quant.h"
#include "config/arch_config.h"

namespace cimvp {

// rows = inputs in gather order, cols = outputs; w[r * cols + c]. Outside
// its packs' diagonal blocks the matrix is zero (group_packing.h).
struct WeightMatrix {
  int rows = 0, cols = 0;
  int weight_bits = 8;
  ChannelPacking packing;
  std::vector<int16_t> w;
};

// Conv2d: rows in the packing's patch order, pack after pack and each in
// HWC order (ky, kx, c): the order in which the gathered patch lies in the
// buffer (one pack: the plain HWC patch). Dense: rows in HWC order of its
// input tensor `in_shape` (the network's CHW flatten order is permuted here,
// so feature maps never need to be transposed on the accelerator).
// Without weights only the shape is filled (timing-only images).
WeightMatrix weight_matrix(const QOp& op, const Shape& in_shape, const ChannelPacking& packing,
                           bool with_weights = true);

struct Tile {
  int row0 = 0, rows = 0;
  int col0 = 0, cols = 0;
};

// The tiles of a matrix as a grid of column tiles, each with the same number
// of row tiles: tile (i, j), row tile i of column tile j, is
// tiles[i * col_tiles + j]. A column tile lies inside one pack and its row
// tiles cover that pack's rows only, so the all-zero tiles between packs
// are never made.
struct TileGrid {
  std::vector<Tile> tiles;
  int row_tiles = 0, col_tiles = 0;
  std::vector<int> col_edges;  // column tile j holds columns [col_edges[j], col_edges[j + 1])
  std::vector<int> col_pack;   // the pack of column tile j
  const Tile& at(int row_tile, int col_tile) const { return tiles[size_t(row_tile * col_tiles + col_tile)]; }
  // Patch rows that column tiles [j0, j1) read: their packs' rows.
  std::pair<int, int> row_span(const ChannelPacking& packing, int j0, int j1) const;
};

// Each pack's rows and columns cut into tiles of at most
// arch.crossbar.max_tile_rows() x arch.crossbar.max_tile_cols(bits). Throws if
// not even one weight column fits a crossbar.
TileGrid tile_matrix(const WeightMatrix& m, const ArchConfig& arch, const std::string& layer);

// The weight block of one tile; `col_base` and `row_base` are subtracted
// from its offsets (blocks of a core computing only some outputs address its
// own slice of the outputs and of the patch).
WeightBlock make_block(const WeightMatrix& m, const Tile& t, int col_base, int row_base, bool with_weights);

}  // namespace cimvp
