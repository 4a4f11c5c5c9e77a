// A layer's weight matrix in the order the VP feeds its inputs, and its cut
// into crossbar tiles (weight blocks) after weight bit slicing and the
// signed mapping of the architecture.
#pragma once

#include <vector>

#include "firmware/image.h"
#include "nn/quant.h"
#include "config/arch_config.h"

namespace cimvp {

// rows = inputs in gather order, cols = outputs; w[r * cols + c].
struct WeightMatrix {
  int rows = 0, cols = 0;
  int weight_bits = 8;
  std::vector<int16_t> w;
};

// Conv2d: rows in HWC patch order (ky, kx, c), the order in which the
// gathered patch lies in the buffer. Dense: rows in HWC order of its input
// tensor `in_shape` (the network's CHW flatten order is permuted here, so
// feature maps never need to be transposed on the accelerator).
// Without weights only the shape is filled (timing-only images).
WeightMatrix weight_matrix(const QOp& op, const Shape& in_shape, bool with_weights = true);

struct Tile {
  int row0 = 0, rows = 0;
  int col0 = 0, cols = 0;
};

// Tiles of at most arch.crossbar.max_tile_rows() x arch.crossbar.max_tile_cols(bits), row-major
// over the tile grid. Throws if not even one weight column fits a crossbar.
std::vector<Tile> tile_matrix(const WeightMatrix& m, const ArchConfig& arch, const std::string& layer);

// The weight block of one tile; `col_base` is subtracted from its column
// offset (blocks of a core computing only some outputs address its own slice).
WeightBlock make_block(const WeightMatrix& m, const Tile& t, int col_base, bool with_weights);

}  // namespace cimvp
