#include "compiler/placement.h"

#include <algorithm>

#include "compiler/tiling.h"

namespace cimvp {
namespace {

// What placement needs to know of a layer.
struct LayerShape {
  int row_tiles = 0, col_tiles = 0;
  int out_rows = 1, out_cols = 1;  // output rows and pixels per row (Dense: 1 x 1)
};

int ceil_div(int a, int b) { return (a + b - 1) / b; }

}  // namespace

std::optional<ResidentPlacement> place_resident(const QuantizedNetwork& net, const ArchConfig& arch, int cores) {
  return place_resident(net, arch, cores, std::vector<bool>(net.ops.size(), true), 0);
}

std::optional<ResidentPlacement> place_resident(const QuantizedNetwork& net, const ArchConfig& arch, int cores,
                                                const std::vector<bool>& keep, int per_layer_crossbars) {
  const int per_core = arch.crossbars_per_core() - per_layer_crossbars, tr = arch.crossbar.max_tile_rows();
  if (per_core < 1) return std::nullopt;
  std::vector<int> free(static_cast<size_t>(cores), per_core);
  ResidentPlacement placement;
  placement.per_layer_crossbars = per_layer_crossbars;
  placement.ops.resize(net.ops.size());
  std::vector<LayerShape> shapes(net.ops.size());
  std::vector<std::vector<bool>> holds(net.ops.size(), std::vector<bool>(size_t(cores), false));

  // The core with the fewest free crossbars but at least `need` (best fit:
  // whole free cores stay free for replicas) that holds no part of op `i`
  // yet; -1 if there is none.
  auto pick_core = [&](size_t i, int need) {
    int best = -1;
    for (int c = 0; c < cores; ++c)
      if (!holds[i][size_t(c)] && free[size_t(c)] >= need && (best < 0 || free[size_t(c)] < free[size_t(best)]))
        best = c;
    return best;
  };
  // Takes `n` free crossbars of `core` for op `i`; returns the first.
  auto take = [&](size_t i, int core, int n) {
    const int first = per_layer_crossbars + per_core - free[size_t(core)];
    free[size_t(core)] -= n;
    holds[i][size_t(core)] = true;
    placement.crossbars += n;
    return first;
  };
  auto add_replica = [&](size_t i, ColumnPart& part, int core) {
    PartReplica r;
    r.core = core;
    r.crossbars = part.tiles;
    r.first_crossbar = take(i, core, part.tiles);
    part.replicas.push_back(r);
  };
  // The core with the most free crossbars that holds no part of op `i`; -1 if none has any.
  auto emptiest_core = [&](size_t i) {
    int best = -1;
    for (int c = 0; c < cores; ++c)
      if (!holds[i][size_t(c)] && free[size_t(c)] > 0 && (best < 0 || free[size_t(c)] > free[size_t(best)])) best = c;
    return best;
  };

  // Every layer once, its column tiles packed best-fit onto the cores.
  for (size_t i = 0; i < net.ops.size(); ++i) {
    const QOp& op = net.ops[i];
    if ((op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) || !keep[i]) continue;
    if (tr < 1 || arch.crossbar.max_tile_cols(op.weight_bits) < 1) return std::nullopt;
    LayerShape& s = shapes[i];
    const Shape& in = net.tensors[size_t(op.inputs[0])].shape;
    const TileGrid grid = tile_matrix(weight_matrix(op, in, channel_packing(op, arch), false), arch, op.name);
    s.row_tiles = grid.row_tiles;
    s.col_tiles = grid.col_tiles;
    if (op.kind == QOpKind::Conv2d) {
      const Shape& out = net.tensors[size_t(op.output)].shape;
      s.out_rows = out.h;
      s.out_cols = out.w;
    }
    if (s.row_tiles > per_core) {  // tall: each column tile's row tiles spread over the emptiest cores
      for (int t = 0; t < s.col_tiles; ++t) {
        ColumnPart part;
        part.col_tile0 = t;
        part.col_tile1 = t + 1;
        part.tiles = s.row_tiles;
        PartReplica r;
        for (int row_tile = 0; row_tile < s.row_tiles;) {
          const int core = emptiest_core(i);
          if (core < 0) return std::nullopt;
          const int n = std::min(s.row_tiles - row_tile, free[size_t(core)]);
          const int first = take(i, core, n);
          if (row_tile == 0) {
            r.core = core, r.first_crossbar = first, r.crossbars = n;
          } else {
            r.helpers.push_back({core, first, row_tile, row_tile + n});
          }
          row_tile += n;
        }
        part.replicas.push_back(std::move(r));
        placement.ops[i].push_back(std::move(part));
      }
      continue;
    }
    for (int t = 0; t < s.col_tiles;) {
      const int core = pick_core(i, s.row_tiles);
      if (core < 0) return std::nullopt;
      const int n = std::min(s.col_tiles - t, free[size_t(core)] / s.row_tiles);
      ColumnPart part;
      part.col_tile0 = t;
      part.col_tile1 = t + n;
      part.tiles = n * s.row_tiles;
      add_replica(i, part, core);
      placement.ops[i].push_back(std::move(part));
      t += n;
    }
  }

  // Spare crossbars: repeatedly give one more replica to the part with the
  // most output pixels per replica (layers run one after another, so the
  // slowest part of each layer sets its time).
  for (;;) {
    size_t best_op = 0, best_part = 0;
    int64_t best_cost = 0;
    int best_core = -1;
    for (size_t i = 0; i < net.ops.size(); ++i)
      for (size_t j = 0; j < placement.ops[i].size(); ++j) {
        const ColumnPart& part = placement.ops[i][j];
        const int replicas = int(part.replicas.size());
        if (replicas >= shapes[i].out_rows || !part.replicas[0].helpers.empty()) continue;  // tall parts stay single
        const int64_t cost = int64_t(ceil_div(shapes[i].out_rows, replicas)) * shapes[i].out_cols;
        if (cost <= best_cost) continue;
        const int core = pick_core(i, part.tiles);
        if (core < 0) continue;
        best_op = i, best_part = j, best_cost = cost, best_core = core;
      }
    if (best_core < 0) break;
    add_replica(best_op, placement.ops[best_op][best_part], best_core);
  }

  // Replicas split their part's output rows evenly.
  for (size_t i = 0; i < net.ops.size(); ++i)
    for (ColumnPart& part : placement.ops[i]) {
      const int n = int(part.replicas.size()), rows = shapes[i].out_rows;
      for (int r = 0; r < n; ++r) {
        part.replicas[size_t(r)].row0 = int(int64_t(rows) * r / n);
        part.replicas[size_t(r)].row1 = int(int64_t(rows) * (r + 1) / n);
      }
    }
  return placement;
}

}  // namespace cimvp
