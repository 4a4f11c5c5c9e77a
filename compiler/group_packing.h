// Block-diagonal packing of grouped and depthwise convolutions onto
// crossbars (docs/compiler.md, "Grouped and depthwise convolutions").
//
// A grouped convolution's output channel reads only its group's input
// channels: as one dense matrix (rows = the k x k x C patch, columns = the
// outputs) almost every tile is zero, e.g. a 3x3 depthwise layer of 960
// channels is 34 x 15 tiles holding 9 x 960 weights. Packing cuts the
// channels into packs of whole groups, as many as one tile's rows and
// columns hold; the patch is gathered pack after pack, each pack's taps
// contiguous, so that a pack's rows are one contiguous range of the patch
// and its outputs one range of columns. Each pack gets its own tiles and
// no tile outside a pack exists: one Mvm over the packs' crossbars still
// computes every output, since an Mvm adds each crossbar's rows into its own
// columns. The 960-channel layer then takes 35 tiles (28 channels x 9 taps
// of 256 rows each) instead of 510.
#pragma once

#include "config/arch_config.h"
#include "nn/quant.h"

namespace cimvp {

// The patch of a convolution (or the input vector of a dense layer) cut
// into packs of input channels. Pack p holds input channels
// [p * in_channels, ...) and output channels [p * out_channels, ...) (the
// last pack may have fewer of both); its weight-matrix rows are its taps in
// (ky, kx, c) order, right after the previous pack's. A single pack is the
// dense mapping: the whole HWC patch, every output.
struct ChannelPacking {
  int packs = 1;
  int in_channels = 0;   // input channels per pack
  int out_channels = 0;  // output channels per pack
  int taps = 1;          // kernel x kernel (1 for a dense layer)
  int total_in = 0, total_out = 0;

  int channels(int pack) const;   // input channels of `pack`
  int outputs(int pack) const;    // output channels of `pack`
  int first_row(int pack) const { return pack * taps * in_channels; }
  int rows(int pack) const { return taps * channels(pack); }
  int first_col(int pack) const { return pack * out_channels; }
  // The weight-matrix row of input channel `c` at tap `tap` (ky * k + kx).
  int row(int tap, int c) const;
};

// The dense mapping of `op` (one pack): what every non-grouped layer uses.
ChannelPacking dense_packing(const QOp& op);

// The packing the compiler maps `op` with: for a grouped convolution the
// packs of as many groups as one tile holds, when that takes no more tiles
// than the dense matrix (a group taller than a tile is a pack of its own,
// tiled like a small dense matrix); otherwise the dense mapping.
// With `spread` > 1 the packs are made smaller where that evens them out
// over `spread` cores: the fewest packs that are a multiple of `spread`
// (per-layer placement, where each core programs its packs' rows: 160
// depthwise channels in 8 packs of 20 instead of 6 of 28 put 360 rows on
// each of 4 cores instead of up to 504).
ChannelPacking channel_packing(const QOp& op, const ArchConfig& arch, int spread = 1);

}  // namespace cimvp
