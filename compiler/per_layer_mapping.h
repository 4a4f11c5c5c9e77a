// How a convolution is shared out among the cores under the per-layer
// placement, where every layer reprograms the crossbars it uses.
//
// Two ways to use several cores: replicate the tiles (every core programs
// all of them and computes some output rows) or cut the column tiles into
// parts (each core programs only its part's tiles and computes those output
// channels for more rows). Replicating saves MVMs per core; cutting saves
// programming per core. Programming a crossbar costs as much as hundreds of
// MVMs on typical arrays (52 us against 0.2 us on default.yaml), so a layer
// with few pixels and many tiles (a packed depthwise layer late in a
// network) is far faster cut, and a layer with many pixels and one tile is
// faster replicated. A grouped layer may also be packed in smaller packs
// that share out evenly (channel_packing's `spread`). The choice is made on
// an estimate of each core's time from the architecture's timing
// parameters; the VP measures the truth.
#pragma once

#include "compiler/group_packing.h"
#include "config/arch_config.h"
#include "nn/quant.h"

namespace cimvp {

struct PerLayerMapping {
  ChannelPacking packing;
  int parts = 1;  // column parts, each on its own cores (1 = replicated on every core)
  double ns = 0;  // the estimate of the slowest core's time
};

// The packing and number of column parts that minimize the slowest core's
// estimated time for convolution `op` (input `in`, output `out`), with at
// least as many parts as keep each within one core's crossbars. cores > 0;
// `crossbars` per core (0: all of them; fewer when a mixed placement keeps
// the others for resident layers).
PerLayerMapping per_layer_mapping(const QOp& op, const Shape& in, const Shape& out, int cores,
                                  const ArchConfig& arch, int crossbars = 0);

// The same estimate for `op` with its weights already programmed (resident)
// on one core: what keeping it resident would cost per inference at most
// (mixed_placement.h; spare crossbars may add replicas on other cores).
double resident_estimate_ns(const QOp& op, const Shape& in, const Shape& out, const ArchConfig& arch);

}  // namespace cimvp
