// Weight-stationary placement. When the tiles of every Conv2d/Dense layer fit
// the chip's crossbars at the same time, each layer gets crossbars of its own:
// all of them are programmed once at the start of a run and inference never
// reprograms, as on a CIM chip that holds its network. Crossbars left over
// duplicate the layers with the most work per core, so that their output rows
// split over more cores.
//
// A layer is cut into column parts (ranges of its column tiles, with every
// row tile of those columns, so one Mvm over the part's crossbars computes
// its outputs). A part lives on one or more cores (its replicas), each at the
// same crossbar indices it was given there; replicas split the output rows.
// No core holds two parts of one layer.
#pragma once

#include <optional>
#include <vector>

#include "nn/quant.h"
#include "platform/config/arch_config.h"

namespace cimvp {

struct PartReplica {
  int core = 0;
  int first_crossbar = 0;  // the part's tiles sit at [first_crossbar, first_crossbar + tiles) on `core`
  int row0 = 0, row1 = 0;  // output rows this replica computes (Dense: 0..1)
};

struct ColumnPart {
  int col_tile0 = 0, col_tile1 = 0;  // column tiles [col_tile0, col_tile1) of the layer's matrix
  int tiles = 0;                     // (col_tile1 - col_tile0) x row tiles
  std::vector<PartReplica> replicas;
};

struct ResidentPlacement {
  std::vector<std::vector<ColumnPart>> ops;  // per op of the network; empty for ops without weights
  int crossbars = 0;                         // crossbars holding weights, over all cores
};

// The weight-stationary placement over the first `cores` cores, or nothing
// when the layers' tiles do not all fit at once (a layer whose row tiles
// exceed one core's crossbars never fits).
std::optional<ResidentPlacement> place_resident(const QuantizedNetwork& net, const ArchConfig& arch, int cores);

}  // namespace cimvp
