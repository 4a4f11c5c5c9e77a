#include "compiler/group_packing.h"

#include <algorithm>

namespace cimvp {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

int ChannelPacking::channels(int pack) const { return std::min(in_channels, total_in - pack * in_channels); }
int ChannelPacking::outputs(int pack) const { return std::min(out_channels, total_out - pack * out_channels); }

int ChannelPacking::row(int tap, int c) const {
  const int pack = c / in_channels;
  return first_row(pack) + tap * channels(pack) + (c - pack * in_channels);
}

ChannelPacking dense_packing(const QOp& op) {
  ChannelPacking p;
  p.in_channels = p.total_in = op.in_channels;
  p.out_channels = p.total_out = op.out_channels;
  p.taps = op.kind == QOpKind::Conv2d ? op.kernel * op.kernel_w : 1;
  return p;
}

ChannelPacking channel_packing(const QOp& op, const ArchConfig& arch, int spread) {
  ChannelPacking dense = dense_packing(op);
  if (op.kind != QOpKind::Conv2d || op.groups <= 1) return dense;
  const int tr = arch.crossbar.max_tile_rows(), tc = arch.crossbar.max_tile_cols(op.weight_bits);
  if (tr < 1 || tc < 1) return dense;  // tile_matrix() refuses it, naming the layer
  const int groups = op.groups, in_g = op.in_channels / groups, out_g = op.out_channels / groups;
  const int rows_g = dense.taps * in_g;
  // Groups per pack: as many as fill a tile's rows and columns; a group
  // larger than a tile is tiled on its own.
  int per_pack = rows_g <= tr && out_g <= tc ? std::min({tr / rows_g, tc / out_g, groups}) : 1;
  if (spread > 1) {  // the fewest packs that are a multiple of `spread`, as equal as the groups allow
    const int64_t packs = std::min<int64_t>(groups, ceil_div(ceil_div(groups, per_pack), spread) * spread);
    per_pack = int(ceil_div(groups, packs));
  }
  const int64_t packs = ceil_div(groups, per_pack);
  const int64_t packed_tiles = packs * ceil_div(int64_t(per_pack) * rows_g, tr) * ceil_div(int64_t(per_pack) * out_g, tc);
  const int64_t dense_tiles = ceil_div(int64_t(dense.taps) * op.in_channels, tr) * ceil_div(op.out_channels, tc);
  // At equal tile counts the packs are kept: their tiles hold disjoint
  // output channels, which cores can share out without adding partial sums
  // (compiler/per_layer_mapping.h). One pack is the dense mapping itself.
  if (packs == 1 || (spread == 1 && packed_tiles > dense_tiles)) return dense;
  ChannelPacking p = dense;
  p.packs = int(packs);
  p.in_channels = per_pack * in_g;
  p.out_channels = per_pack * out_g;
  return p;
}

}  // namespace cimvp
