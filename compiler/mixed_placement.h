// Mixed placement: some layers resident, the rest per-layer.
//
// When a network's weights do not all fit the chip, the per-layer placement
// reprograms every layer's crossbars every inference. For a layer with few
// output pixels that programming is nearly all of its time: a
// squeeze-and-excitation layer or a classifier programs up to 256 rows
// (52 us on default.yaml) for a single MVM (0.8 us at 8-bit inputs), and a
// packed depthwise layer programs 256-row tiles for a few hundred MVMs.
// The mixed placement keeps such layers programmed on the top crossbars of
// every core, placed as the resident placement places them (placement.h),
// and leaves the bottom crossbars to the other layers, which reprogram them
// as under per-layer placement but with fewer crossbars per core.
//
// The choice is made on the compiler's per-layer time estimates
// (per_layer_mapping.h): for each split of a core's crossbars between
// the two kinds, layers are taken resident in order of the programming time
// they save per crossbar they take, while they fit; the split with the
// smallest estimated total wins if it beats per-layer placement. The VP
// measures the truth.
#pragma once

#include <optional>

#include "compiler/placement.h"

namespace cimvp {

struct MixedPlacement {
  ResidentPlacement placement;  // its per_layer_crossbars > 0
  double estimate_ns = 0;       // the estimated inference time (sum over layers of the slowest core's)
  double per_layer_estimate_ns = 0;  // the same estimate with every layer per-layer
};

// The best mixed placement over the first `cores` cores, or nothing when no
// layer can be kept resident beside at least one per-layer crossbar per core.
std::optional<MixedPlacement> place_mixed(const QuantizedNetwork& net, const ArchConfig& arch, int cores);

}  // namespace cimvp
