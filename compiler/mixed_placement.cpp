#include "compiler/mixed_placement.h"

#include <algorithm>

#include "compiler/per_layer_mapping.h"
#include "compiler/tiling.h"

namespace cimvp {
namespace {

// What the choice needs to know of a layer with weights.
struct Candidate {
  size_t op = 0;
  int tiles = 0;        // one copy of its weights (the resident placement's packing)
  double resident = 0;  // estimated time with its weights resident
};

// The splits tried: crossbars per core left to the per-layer layers. Every
// count up to 8, then a geometric series, which keeps the choice cheap
// beside the compile itself on large cores.
std::vector<int> per_layer_counts(int per_core) {
  std::vector<int> counts;
  for (int n = 1; n < per_core; n = n < 8 ? n + 1 : n + n / 2) counts.push_back(n);
  return counts;
}

}  // namespace

std::optional<MixedPlacement> place_mixed(const QuantizedNetwork& net, const ArchConfig& arch, int cores) {
  const int per_core = arch.crossbars_per_core();
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < net.ops.size(); ++i) {
    const QOp& op = net.ops[i];
    if (op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) continue;
    const Shape& in = net.tensors[size_t(op.inputs[0])].shape;
    const Shape& out = net.tensors[size_t(op.output)].shape;
    const TileGrid grid = tile_matrix(weight_matrix(op, in, channel_packing(op, arch), false), arch, op.name);
    candidates.push_back({i, int(grid.tiles.size()), resident_estimate_ns(op, in, out, arch)});
  }
  auto per_layer_ns = [&](const Candidate& c, int crossbars) {
    const QOp& op = net.ops[c.op];
    return per_layer_mapping(op, net.tensors[size_t(op.inputs[0])].shape, net.tensors[size_t(op.output)].shape, cores,
                             arch, crossbars)
        .ns;
  };

  double all_per_layer = 0;
  for (const Candidate& c : candidates) all_per_layer += per_layer_ns(c, per_core);

  std::optional<MixedPlacement> best;
  for (int free : per_layer_counts(per_core)) {
    const int budget = (per_core - free) * cores;  // crossbars for resident weights
    // Layers in order of the time they save per crossbar they take.
    struct Saving {
      const Candidate* c;
      double per_layer, saved;
    };
    std::vector<Saving> order;
    for (const Candidate& c : candidates) {
      const double pl = per_layer_ns(c, free);
      order.push_back({&c, pl, pl - c.resident});
    }
    std::stable_sort(order.begin(), order.end(), [](const Saving& a, const Saving& b) {
      return a.saved * b.c->tiles > b.saved * a.c->tiles;
    });
    std::vector<bool> keep(net.ops.size(), false);
    std::vector<size_t> kept;
    int used = 0;
    for (const Saving& s : order)
      if (s.saved > 0 && used + s.c->tiles <= budget) {
        keep[s.c->op] = true;
        kept.push_back(s.c->op);
        used += s.c->tiles;
      }
    // The tiles add up; when they do not pack onto the cores, the layer
    // that saves least goes back to per-layer until they do.
    std::optional<ResidentPlacement> placed;
    while (!kept.empty() && !(placed = place_resident(net, arch, cores, keep, free))) {
      keep[kept.back()] = false;
      kept.pop_back();
    }
    if (!placed) continue;
    double total = 0;
    for (const Saving& s : order) total += keep[s.c->op] ? s.c->resident : s.per_layer;
    if (!best || total < best->estimate_ns) best = MixedPlacement{std::move(*placed), total, all_per_layer};
  }
  return best;
}

}  // namespace cimvp
