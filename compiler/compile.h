// The compiler: a quantized network mapped onto an architecture as a
// firmware image (docs/compiler.md).
//
// Passes: weight matrices are laid out in the order the VP gathers inputs
// (HWC patches; a grouped convolution's in packs of channel groups, so that
// the all-zero tiles across groups are never made: group_packing.h), cut
// into crossbar tiles after weight bit slicing and the signed mapping
// (tiling.h). When all tiles fit the chip at once, every layer
// keeps crossbars of its own, programmed once at the start of a run, and
// spare crossbars duplicate the busiest layers (placement.h). Otherwise each
// layer gets the whole chip: tiles are grouped onto each core's crossbars,
// reprogramming group after group when a layer does not fit; a convolution's
// output channels (column tiles) are split into parts over the cores when its
// tiles exceed one core's crossbars, and each part's output rows over that
// part's cores, which duplicate the part's weights (a dense layer splits its
// columns). Layers run one after the other, separated by barriers, with
// feature maps in global memory (memory_plan.h); code uses loops, so its size
// does not grow with the feature maps.
#pragma once

#include <string>
#include <vector>

#include "compiler/placement.h"
#include "firmware/image.h"
#include "nn/quant.h"
#include "config/arch_config.h"

namespace cimvp {

// Where weights live (compiler/placement.h).
enum class Placement {
  Auto,      // Resident when every layer's tiles fit the crossbars at once, else Mixed when
             // estimated faster than PerLayer, else PerLayer
  Resident,  // weights programmed once at the start of a run (error if they do not fit)
  PerLayer,  // every layer gets all cores and reprograms their crossbars
  Mixed,     // the layers whose programming costs most stay resident, the rest per-layer (mixed_placement.h)
};
const char* placement_name(Placement p);
Placement parse_placement(const std::string& name);  // "auto", "resident", "per-layer", "mixed"; throws naming the valid ones

struct CompileOptions {
  bool timing_only = false;  // leave weight data out of the image
  int max_cores = 0;         // use at most this many cores (0: all)
  Placement placement = Placement::Auto;
};

// What the compiler decided for one op, for --explain (compiler/explain.h) and tests.
struct LayerPlan {
  std::string name;
  std::string kind;
  int weight_bits = 0, activation_bits = 0;  // Conv2d/Dense
  int input_slices = 0;                      // ceil(activation bits / DAC bits)
  int weight_slices = 0;                     // cells per weight
  int matrix_rows = 0, matrix_cols = 0;      // logical weight matrix
  int tiles = 0;                             // crossbar tiles of the matrix (one copy of the weights)
  int packs = 1;                             // channel packs (compiler/group_packing.h); 1: the dense matrix
  int64_t weights = 0;                       // the layer's weights (a grouped convolution's zeros across groups are none)
  // Crossbar cells, one copy of the weights: the cells that hold its weights
  // (weights x cells per weight of the signed mapping) and the cells of the
  // crossbars its tiles take (tiles x crossbar rows x columns).
  int64_t weight_cells = 0, allocated_cells = 0;
  int groups = 0;                            // programming rounds per core (1: all tiles stay programmed)
  int cores = 0;                             // cores working on the op
  int crossbars = 0;                         // crossbars programmed, summed over cores
  int64_t invocations = 0;                   // MVM invocations of the whole matrix (output pixels)
  int64_t predicted_mvms = 0;                // Mvm instructions over all cores
};

struct CompileResult {
  FirmwareImage image;
  std::vector<LayerPlan> plan;  // one per op, in order
  Placement placement = Placement::PerLayer;  // what was done (never Auto)
  ResidentPlacement resident;                 // Resident, Mixed: where the resident layers' parts live
};

// A resident placement programs all weights in one layer range named
// kSetupLayerName ("weights", firmware/image.h) before the first layer runs;
// reports list it like a layer and give the inference's cycles after it.

// Throws cimvp::Error naming the layer when the network cannot be mapped
// (e.g. a feature map that does not fit any core's buffer).
CompileResult compile(const QuantizedNetwork& net, const ArchConfig& arch, const CompileOptions& options = {});

// The per-layer table that `cimvp compile --explain` prints: compiler/explain.h.

}  // namespace cimvp
