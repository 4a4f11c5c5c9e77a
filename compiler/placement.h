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
// A part taller than one core's crossbars (one column tile whose row tiles
// exceed them) is spread over several cores instead: the replica's core holds
// the first row tiles and helper cores the rest; each helper sends its partial
// sums over the NoC to the replica's core, which adds them. No core holds two
// parts of one layer.
#pragma once

#include <optional>
#include <vector>

#include "nn/quant.h"
#include "config/arch_config.h"

namespace cimvp {

// Row tiles [row_tile0, row_tile1) of a tall part's column tile, at
// [first_crossbar, first_crossbar + row_tile1 - row_tile0) on `core`.
struct PartHelper {
  int core = 0;
  int first_crossbar = 0;
  int row_tile0 = 0, row_tile1 = 0;
};

struct PartReplica {
  int core = 0;
  int first_crossbar = 0;  // its tiles sit at [first_crossbar, first_crossbar + crossbars) on `core`:
  int crossbars = 0;       // all of the part's tiles, or a tall part's first row tiles
  int row0 = 0, row1 = 0;  // output rows this replica computes (Dense: 0..1)
  std::vector<PartHelper> helpers;  // a tall part's other row tiles
};

struct ColumnPart {
  int col_tile0 = 0, col_tile1 = 0;  // column tiles [col_tile0, col_tile1) of the layer's matrix
  int tiles = 0;                     // (col_tile1 - col_tile0) x row tiles
  std::vector<PartReplica> replicas;
};

struct ResidentPlacement {
  std::vector<std::vector<ColumnPart>> ops;  // per op of the network; empty for ops without weights
                                             // (and, in a mixed placement, for the per-layer ops)
  int crossbars = 0;                         // crossbars holding weights, over all cores
  // A mixed placement (mixed_placement.h): crossbars [0, per_layer_crossbars)
  // of every core are left to the layers that are not resident, which
  // reprogram them; the resident parts sit above. 0: every layer is resident.
  int per_layer_crossbars = 0;
};

// The weight-stationary placement over the first `cores` cores, or nothing
// when the layers' tiles do not all fit at once.
std::optional<ResidentPlacement> place_resident(const QuantizedNetwork& net, const ArchConfig& arch, int cores);

// The same for the Conv2d/Dense ops with keep[i] set, on crossbars
// [per_layer_crossbars, crossbars per core) of every core.
std::optional<ResidentPlacement> place_resident(const QuantizedNetwork& net, const ArchConfig& arch, int cores,
                                                const std::vector<bool>& keep, int per_layer_crossbars);

}  // namespace cimvp
