// Code generation: one instruction stream per core, op after op, with a
// barrier after each op. With a resident placement (placement.h) a first
// section programs every layer's crossbars and each layer runs on the cores
// that hold its parts; otherwise every op splits its output rows over the
// cores (a Dense splits its output columns) and programs the crossbars it
// needs. Each core processes its rows in chunks that fit its local buffer,
// loading input rows from global memory and storing output rows back.
#include "compiler/compile.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <sstream>

#include "common/error.h"
#include "compiler/memory_plan.h"
#include "compiler/placement.h"
#include "compiler/tiling.h"
#include "firmware/program_builder.h"

namespace cimvp {
namespace {

int64_t align4(int64_t v) { return (v + 3) / 4 * 4; }

// A pointer that walks a 2D loop: starts at `init`, advances `col_step`
// per column and `row_step` per row.
struct Walk {
  int64_t init = 0, col_step = 0, row_step = 0;
};

// Registers: r1..r3 loop counters/limits, r4..r15 walk registers (a row
// register and a column register per walk, so at most 6 walks).
constexpr int kRowCounter = 1, kColCounter = 2, kLimit = 3, kFirstWalkReg = 4;

// Emits `rows` x `cols` iterations of `body`, which receives the column
// registers of the walks (each holding the walk's current value).
void emit_2d_loop(ProgramBuilder& p, int64_t rows, int64_t cols, const std::vector<Walk>& walks,
                  const std::function<void(const std::vector<int>&)>& body) {
  std::vector<int> row_reg, col_reg;
  for (size_t i = 0; i < walks.size(); ++i) {
    row_reg.push_back(kFirstWalkReg + 2 * int(i));
    col_reg.push_back(kFirstWalkReg + 2 * int(i) + 1);
    p.li(row_reg.back(), int32_t(walks[i].init));
  }
  p.li(kRowCounter, 0);
  const int row_top = p.here();
  for (size_t i = 0; i < walks.size(); ++i) p.addi(col_reg[i], row_reg[i], 0);
  p.li(kColCounter, 0);
  const int col_top = p.here();
  body(col_reg);
  for (size_t i = 0; i < walks.size(); ++i)
    if (walks[i].col_step) p.addi(col_reg[i], col_reg[i], int32_t(walks[i].col_step));
  p.addi(kColCounter, kColCounter, 1).li(kLimit, int32_t(cols)).blt(kColCounter, kLimit, col_top);
  for (size_t i = 0; i < walks.size(); ++i)
    if (walks[i].row_step) p.addi(row_reg[i], row_reg[i], int32_t(walks[i].row_step));
  p.addi(kRowCounter, kRowCounter, 1).li(kLimit, int32_t(rows)).blt(kRowCounter, kLimit, row_top);
}

// Splits [0, n) into at most `parts` contiguous ranges of near-equal size.
std::vector<std::pair<int, int>> split(int n, int parts) {
  parts = std::max(1, std::min(parts, n));
  std::vector<std::pair<int, int>> ranges;
  for (int i = 0; i < parts; ++i) ranges.push_back({int(int64_t(n) * i / parts), int(int64_t(n) * (i + 1) / parts)});
  return ranges;
}

class Compiler {
 public:
  Compiler(const QuantizedNetwork& net, const ArchConfig& arch, const CompileOptions& options)
      : net_(net),
        arch_(arch),
        options_(options),
        cores_(options.max_cores > 0 ? std::min(options.max_cores, arch.cores()) : arch.cores()),
        memory_(plan_memory(net, uint64_t(arch.memory_bytes))),
        programs_(size_t(arch.cores())),
        ranges_(size_t(arch.cores())) {
    if (options.placement != Placement::PerLayer) resident_ = place_resident(net, arch, cores_);
    if (options.placement == Placement::Resident && !resident_)
      throw Error("model '" + net.name + "': its weights do not fit the crossbars of " + std::to_string(cores_) +
                  " cores at once (" + std::to_string(arch.crossbars_per_core()) +
                  " crossbars each), so the resident placement is impossible; use per-layer or auto");
    result_.placement = resident_ ? Placement::Resident : Placement::PerLayer;
    if (resident_) result_.resident = *resident_;
  }

  CompileResult run() {
    FirmwareImage& image = result_.image;
    image.arch_name = arch_.name;
    image.arch_fingerprint = arch_.fingerprint();
    image.timing_only = options_.timing_only;
    place_biases();
    place_borders();
    if (resident_) emit_weights();
    if (memory_.staged_input) emit_input_copy();
    for (size_t i = 0; i < net_.ops.size(); ++i) emit_op(net_.ops[i]);
    for (auto& p : programs_) p.halt();
    image.cores.resize(size_t(arch_.cores()));
    for (size_t c = 0; c < programs_.size(); ++c) {
      image.cores[c].code = std::move(programs_[c].code);
      image.cores[c].layers = std::move(ranges_[c]);
    }
    describe_tensors();
    return std::move(result_);
  }

 private:
  // ---------------------------------------------------------------- setup

  // Biases of every Conv2d/Dense live at the bottom of every core's buffer.
  void place_biases() {
    std::vector<uint8_t> bytes;
    bias_address_.assign(net_.ops.size(), -1);
    for (size_t i = 0; i < net_.ops.size(); ++i) {
      const QOp& op = net_.ops[i];
      if (op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) continue;
      bias_address_[i] = int64_t(bytes.size());
      const size_t at = bytes.size();
      bytes.resize(at + 4 * op.bias.size());
      std::memcpy(bytes.data() + at, op.bias.data(), 4 * op.bias.size());
    }
    dynamic_base_ = align4(int64_t(bytes.size()));
    if (dynamic_base_ > arch_.buffer_bytes)
      throw Error("model '" + net_.name + "': its biases (" + std::to_string(bytes.size()) +
                  " bytes) do not fit the " + std::to_string(arch_.buffer_bytes) + "-byte local buffer");
    if (!bytes.empty())
      for (int c = 0; c < cores_; ++c) {
        MemorySegment s;
        s.core = uint32_t(c);
        s.address = 0;
        s.bytes = bytes;
        result_.image.segments.push_back(std::move(s));
      }
  }

  // Tensors whose border holds a zero point start out filled with it (the
  // writers overwrite the interior); all others rely on zeroed memory.
  void place_borders() {
    for (const TensorPlace& t : memory_.tensors)
      if (t.pad > 0 && t.pad_byte != 0) {
        MemorySegment s;
        s.address = t.address;
        s.bytes.assign(size_t(t.bytes()), t.pad_byte);
        result_.image.segments.push_back(std::move(s));
      }
  }

  void describe_tensors() {
    const QTensor& in = net_.input_tensor();
    TensorLayout x;
    x.name = "input";
    x.dtype = in.is_signed ? DType::I8 : DType::U8;
    x.shape = {uint32_t(in.shape.h), uint32_t(in.shape.w), uint32_t(in.shape.c)};
    x.address = memory_.input_staging;
    x.scale = float(in.scale);
    result_.image.inputs.push_back(x);
    const QTensor& out = net_.output_tensor();
    const TensorPlace& place = memory_.tensors[size_t(net_.output)];
    TensorLayout y;
    y.name = "output";
    y.dtype = out.bits == 32 ? DType::I32 : out.is_signed ? DType::I8 : DType::U8;
    y.shape = {uint32_t(out.shape.h), uint32_t(out.shape.w), uint32_t(out.shape.c)};
    y.address = place.address;  // the output has no readers, so no border
    y.scale = float(out.scale);
    result_.image.outputs.push_back(y);
  }

  // Runs `emit` for each working core inside a layer range named `name`,
  // then a barrier on every core.
  void op_section(const std::string& name, const std::vector<int>& working,
                  const std::function<void(int core, ProgramBuilder&)>& emit) {
    const uint32_t layer = uint32_t(result_.image.layer_names.size());
    result_.image.layer_names.push_back(name);
    for (int c : working) {
      ProgramBuilder& p = programs_[size_t(c)];
      const uint32_t begin = uint32_t(p.here());
      emit(c, p);
      ranges_[size_t(c)].push_back({layer, begin, uint32_t(p.here())});
    }
    if (cores_ > 1)
      for (int c = 0; c < cores_; ++c) programs_[size_t(c)].barrier();
  }

  std::string where(const QOp& op) const { return "layer '" + op.name + "' (" + qop_name(op.kind) + ")"; }

  // ---------------------------------------------------------------- weights

  // Resident placement: the blocks of every part, and one section that
  // programs every replica's crossbars before the first layer runs.
  void emit_weights() {
    resident_blocks_.assign(net_.ops.size(), {});
    std::vector<std::vector<std::pair<int, int>>> xprogs(static_cast<size_t>(cores_));  // per core: (crossbar, block)
    std::vector<int> working;
    for (size_t i = 0; i < net_.ops.size(); ++i) {
      const QOp& op = net_.ops[i];
      if (resident_->ops[i].empty()) continue;
      const WeightMatrix m = weight_matrix(op, memory_.tensors[size_t(op.inputs[0])].shape, !options_.timing_only);
      const std::vector<Tile> tiles = tile_matrix(m, arch_, op.name);
      const int tc = arch_.max_tile_cols(op.weight_bits);
      for (const ColumnPart& part : resident_->ops[i]) {
        std::vector<int> blocks;
        for (const Tile& t : tiles)
          if (t.col0 >= part.col_tile0 * tc && t.col0 < part.col_tile1 * tc) {
            blocks.push_back(int(result_.image.blocks.size()));
            result_.image.blocks.push_back(make_block(m, t, part.col_tile0 * tc, !options_.timing_only));
          }
        // (a tall part has one column tile: its blocks are in row-tile order)
        for (const PartReplica& r : part.replicas) {
          for (int x = 0; x < r.crossbars; ++x) xprogs[size_t(r.core)].push_back({r.first_crossbar + x, blocks[size_t(x)]});
          for (const PartHelper& h : r.helpers)
            for (int t = h.row_tile0; t < h.row_tile1; ++t)
              xprogs[size_t(h.core)].push_back({h.first_crossbar + t - h.row_tile0, blocks[size_t(t)]});
        }
        resident_blocks_[i].push_back(std::move(blocks));
      }
    }
    for (int c = 0; c < cores_; ++c)
      if (!xprogs[size_t(c)].empty()) working.push_back(c);
    op_section(kSetupLayerName, working, [&](int core, ProgramBuilder& p) {
      for (const auto& [xb, block] : xprogs[size_t(core)]) p.xprog(xb, block);
    });
  }

  // ---------------------------------------------------------------- input

  // The host writes the input without a border; core 0 copies it row by
  // row into the padded region the first layer reads.
  void emit_input_copy() {
    const TensorPlace& t = memory_.tensors[size_t(net_.input)];
    const int64_t row = int64_t(t.shape.w) * t.shape.c;
    op_section("input", {0}, [&](int, ProgramBuilder& p) {
      const int64_t buf = dynamic_base_;
      if (buf + row > arch_.buffer_bytes) throw Error("the input rows do not fit the local buffer");
      emit_2d_loop(p, t.shape.h, 1,
                   {{int64_t(memory_.input_staging), 0, row}, {int64_t(t.address) + t.offset(t.pad, t.pad), 0, t.row_bytes()}},
                   [&](const std::vector<int>& r) {
                     p.load(int32_t(buf), 0, int32_t(row), 0, r[0], 0);
                     p.store(0, int32_t(buf), int32_t(row), r[1], 0, 0);
                   });
    });
  }

  // ---------------------------------------------------------------- ops

  void emit_op(const QOp& op) {
    switch (op.kind) {
      case QOpKind::Conv2d: emit_conv(op); break;
      case QOpKind::Dense: emit_dense(op); break;
      case QOpKind::MaxPool:
      case QOpKind::AvgPool: emit_pool(op); break;
      case QOpKind::GlobalAvgPool: emit_global_pool(op); break;
      case QOpKind::Add:
      case QOpKind::Rescale: emit_sum(op); break;
    }
  }

  // Vreq with the op's rounding (the halfeven flag for ONNX integer models).
  static void vreq(ProgramBuilder& p, const Requant& r, int rd, int32_t dst, int ra, int32_t src, int rb, int32_t bias,
                   bool with_bias) {
    p.vreq(rd, dst, ra, src, rb, bias, with_bias);
    if (r.rounding == Rounding::HalfEven) p.code.back().flags |= flag::kVreqHalfEven;
  }

  void configure_requant(ProgramBuilder& p, const Requant& r) {
    p.vcfg(VcfgReg::Mult, r.multiplier).vcfg(VcfgReg::Shift, r.shift).vcfg(VcfgReg::Zp, r.zero_point);
    p.vcfg(VcfgReg::Lo, r.lo).vcfg(VcfgReg::Hi, r.hi);
  }

  // Rows of output per chunk so that `fixed + rows * per_row` fits the buffer.
  int64_t chunk_rows(const QOp& op, int64_t fixed, int64_t per_row, int64_t want) const {
    const int64_t room = arch_.buffer_bytes - dynamic_base_ - fixed;
    const int64_t rows = per_row > 0 ? room / per_row : want;
    if (rows < 1)
      throw Error(where(op) + ": one output row needs " + std::to_string(fixed + per_row) +
                  " bytes of local buffer, " + std::to_string(arch_.buffer_bytes - dynamic_base_) +
                  " are free after the biases");
    return std::min(rows, want);
  }

  std::vector<int> cores_for_rows(int rows) const {
    std::vector<int> c;
    for (int i = 0; i < std::min(cores_, rows); ++i) c.push_back(i);
    return c;
  }

  // Blocks of `tiles` (added to the image once) and their grouping into
  // rounds of at most crossbars_per_core.
  std::vector<std::vector<int>> add_blocks(const WeightMatrix& m, const std::vector<Tile>& tiles, int col_base) {
    std::vector<std::vector<int>> groups;
    const int per_core = arch_.crossbars_per_core();
    for (size_t i = 0; i < tiles.size(); ++i) {
      if (i % size_t(per_core) == 0) groups.emplace_back();
      groups.back().push_back(int(result_.image.blocks.size()));
      result_.image.blocks.push_back(make_block(m, tiles[i], col_base, !options_.timing_only));
    }
    return groups;
  }

  LayerPlan& new_plan(const QOp& op) {
    result_.plan.emplace_back();
    LayerPlan& lp = result_.plan.back();
    lp.name = op.name;
    lp.kind = qop_name(op.kind);
    if (op.kind == QOpKind::Conv2d || op.kind == QOpKind::Dense) {
      lp.weight_bits = op.weight_bits;
      lp.activation_bits = op.activation_bits;
      lp.input_slices = arch_.input_slices(op.activation_bits);
      lp.weight_slices = arch_.slices_per_weight(op.weight_bits);
    }
    return lp;
  }

  // Resident placement: what each core does for `op`. A replica's core
  // computes its rows from its crossbars plus its helpers' partial sums; a
  // helper computes the same rows from its row tiles and sends them.
  struct ResidentWork {
    int core = 0, c0 = 0, c1 = 0, r0 = 0, r1 = 0;
    std::vector<int> blocks;
    int first_crossbar = 0;
    int owner = -1;            // a helper: the core it sends its partial sums to
    std::vector<int> helpers;  // a replica's core: the cores it adds partial sums from, in order
  };
  std::vector<ResidentWork> resident_work(const QOp& op, int tile_cols, int matrix_cols) const {
    std::vector<ResidentWork> out;
    const std::vector<ColumnPart>& placed = resident_->ops[op_index(op)];
    for (size_t j = 0; j < placed.size(); ++j) {
      const std::vector<int>& blocks = resident_blocks_[op_index(op)][j];
      const int c0 = placed[j].col_tile0 * tile_cols, c1 = std::min(matrix_cols, placed[j].col_tile1 * tile_cols);
      for (const PartReplica& r : placed[j].replicas) {
        ResidentWork w{r.core, c0, c1, r.row0, r.row1, {blocks.begin(), blocks.begin() + r.crossbars}, r.first_crossbar,
                       -1, {}};
        for (const PartHelper& h : r.helpers) {
          w.helpers.push_back(h.core);
          out.push_back({h.core, c0, c1, r.row0, r.row1, {blocks.begin() + h.row_tile0, blocks.begin() + h.row_tile1},
                         h.first_crossbar, r.core, {}});
        }
        out.push_back(std::move(w));
      }
    }
    return out;
  }

  // A convolution's output rows are split over cores that hold all of its
  // tiles (duplicated weights). When its tiles exceed one core's crossbars,
  // its output channels (column tiles) are split into parts first, each part
  // on its own cores, so that every core programs only its part's tiles
  // (once, when they fit its crossbars) instead of reprogramming all of them;
  // the cores of a part split the output rows.
  void emit_conv(const QOp& op) {
    const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
    const TensorPlace& out = memory_.tensors[size_t(op.output)];
    const int k = op.kernel, s = op.stride, ci = in.shape.c, co = out.shape.c;
    const int ho = out.shape.h, wo = out.shape.w;
    const int eb = out.elem_bytes;
    const WeightMatrix m = weight_matrix(op, in.shape, !options_.timing_only);
    const std::vector<Tile> tiles = tile_matrix(m, arch_, op.name);
    const int per_core = arch_.crossbars_per_core(), tile_cols = arch_.max_tile_cols(op.weight_bits);
    const int row_tiles = (m.rows + arch_.max_tile_rows() - 1) / arch_.max_tile_rows();
    const int col_tiles = (m.cols + tile_cols - 1) / tile_cols;
    int parts = 1;
    if (int(tiles.size()) > per_core && cores_ > 1) {
      const int cols_per_part = std::max(1, per_core / row_tiles);  // column tiles one core holds at once
      parts = std::min(cores_, (col_tiles + cols_per_part - 1) / cols_per_part);
    }
    const auto col_ranges = split(col_tiles, parts);
    const auto core_ranges = split(cores_, parts);
    const bool gather = !(k == 1);  // a 1x1 window is already contiguous

    LayerPlan& lp = new_plan(op);
    lp.matrix_rows = m.rows;
    lp.matrix_cols = m.cols;
    lp.tiles = int(tiles.size());
    lp.invocations = int64_t(ho) * wo;

    // Per core: its part's channels [c0, c1), blocks, output rows [r0, r1),
    // where its crossbars start (resident: programmed before the run) and
    // the partners of a part spread over cores (resident_work()).
    struct Work {
      int c0 = 0, c1 = 0, r0 = 0, r1 = 0;
      const std::vector<std::vector<int>>* groups = nullptr;
      int first_crossbar = 0;
      int owner = -1;
      std::vector<int> helpers;
    };
    std::vector<std::vector<std::vector<int>>> part_groups(static_cast<size_t>(parts));
    std::vector<Work> work(static_cast<size_t>(cores_));
    std::vector<int> working;
    bool spread = false;  // some part spreads over cores: partial sums travel
    if (resident_) {
      const std::vector<ResidentWork> rw = resident_work(op, tile_cols, m.cols);
      part_groups.assign(rw.size(), {});
      for (size_t j = 0; j < rw.size(); ++j) {
        part_groups[j] = {rw[j].blocks};
        work[size_t(rw[j].core)] = {rw[j].c0, rw[j].c1, rw[j].r0, rw[j].r1, &part_groups[j], rw[j].first_crossbar,
                                    rw[j].owner, rw[j].helpers};
        working.push_back(rw[j].core);
        lp.crossbars += int(rw[j].blocks.size());
        spread = spread || rw[j].owner >= 0;
      }
      lp.groups = 1;
    }
    for (int part = 0; part < parts && !resident_; ++part) {
      const int c0 = col_ranges[size_t(part)].first * tile_cols;
      const int c1 = std::min(m.cols, col_ranges[size_t(part)].second * tile_cols);
      std::vector<Tile> mine;
      for (const Tile& t : tiles)
        if (t.col0 >= c0 && t.col0 < c1) mine.push_back(t);
      part_groups[size_t(part)] = add_blocks(m, mine, c0);
      const auto [k0, k1] = core_ranges[size_t(part)];
      const auto rows = split(ho, k1 - k0);
      for (size_t i = 0; i < rows.size(); ++i) {
        const int core = k0 + int(i);
        work[size_t(core)] = {c0, c1, rows[i].first, rows[i].second, &part_groups[size_t(part)], 0, -1, {}};
        working.push_back(core);
        lp.crossbars += int(std::min<size_t>(mine.size(), size_t(per_core)));
      }
      lp.groups = std::max(lp.groups, int(part_groups[size_t(part)].size()));
    }
    lp.cores = int(working.size());

    const int64_t patch_bytes = gather ? align4(int64_t(k) * k * ci) : 0;
    const int64_t in_row = in.row_bytes(), out_row = out.row_bytes();

    op_section(op.name, working, [&](int core, ProgramBuilder& p) {
      const Work& wk = work[size_t(core)];
      const std::vector<std::vector<int>>& groups = *wk.groups;
      const bool single = groups.size() == 1;
      const int cc = wk.c1 - wk.c0;
      const bool whole_rows = cc == co;  // all channels: store whole padded rows
      // This core's output rows in its buffer: whole padded rows, or its channels of the interior pixels.
      const int64_t buf_row = whole_rows ? out_row : int64_t(wo) * cc * eb;
      const int64_t acc_fixed = single ? int64_t(cc) * 4 : 0;
      const int64_t acc_per_row = single ? 0 : int64_t(wo) * cc * 4;
      // chunk of r rows needs (r - 1) * s + k input rows
      // (+ a received partial sum when parts spread over cores: the same for all cores of a part)
      const int64_t fixed = patch_bytes + acc_fixed + align4((k - s) * in_row) + 16 + (spread ? int64_t(cc) * 4 : 0);
      const int64_t per_row = align4(s * in_row) + align4(buf_row) + acc_per_row;
      const int64_t chunk = chunk_rows(op, fixed, per_row, wk.r1 - wk.r0);
      configure_requant(p, op.requant);
      for (int a = wk.r0; a < wk.r1; a += int(chunk)) {
        const int rows = int(std::min<int64_t>(chunk, wk.r1 - a));
        BufferArena arena(dynamic_base_, arch_.buffer_bytes);
        const int64_t in_rows = int64_t(rows - 1) * s + k;
        const int64_t in_buf = arena.take(in_rows * in_row);
        const int64_t out_buf = arena.take(rows * buf_row);
        const int64_t patch = arena.take(patch_bytes);
        const int64_t acc = arena.take(single ? int64_t(cc) * 4 : int64_t(rows) * wo * cc * 4);
        const int64_t partial = arena.take(spread ? int64_t(cc) * 4 : 0);
        const bool helper = wk.owner >= 0;  // computes partial sums only
        // input rows a*s - p .. in padded coordinates start at a*s - p + pad
        const int64_t first_in_row = int64_t(a) * s - op.padding + in.pad;
        p.load(int32_t(in_buf), int32_t(int64_t(in.address) + first_in_row * in_row), int32_t(in_rows * in_row));
        if (whole_rows && out.pad > 0 && !helper)
          p.vcfg(VcfgReg::VL, int32_t(rows * out_row / 4)).vfill32(0, int32_t(out_buf), out.pad_word());
        if (!single) p.vcfg(VcfgReg::VL, int32_t(int64_t(rows) * wo * cc)).vfill32(0, int32_t(acc), 0);
        const Walk src{in_buf + int64_t(in.pad - op.padding) * ci, int64_t(s) * ci, int64_t(s) * in_row};
        const Walk dst = whole_rows ? Walk{out_buf + int64_t(out.pad) * co * eb, int64_t(co) * eb, out_row}
                                    : Walk{out_buf, int64_t(cc) * eb, buf_row};
        const Walk accw{acc, int64_t(cc) * 4, int64_t(wo) * cc * 4};
        const int32_t bias = int32_t(bias_address_[op_index(op)] + int64_t(wk.c0) * 4);
        auto store_result = [&](int dst_reg, int acc_reg, int32_t acc_offset) {
          p.vcfg(VcfgReg::VL, cc);
          if (op.requantize)
            vreq(p, op.requant, dst_reg, 0, acc_reg, acc_offset, 0, bias, true);
          else
            p.vadd32(dst_reg, 0, acc_reg, acc_offset, 0, bias);
        };
        for (const std::vector<int>& group : groups) {
          if (!resident_)
            for (size_t x = 0; x < group.size(); ++x) p.xprog(wk.first_crossbar + int(x), group[x]);
          if (gather) p.vcfg(VcfgReg::Rows, k).vcfg(VcfgReg::Stride, int32_t(in_row));
          std::vector<Walk> walks = {src, dst};
          if (!single) walks.push_back(accw);
          emit_2d_loop(p, rows, wo, walks, [&](const std::vector<int>& r) {
            int in_reg = r[0];
            int32_t in_off = 0;
            if (gather) {
              p.vcfg(VcfgReg::VL, k * ci).vcopy(0, int32_t(patch), r[0], 0);
              in_reg = 0;
              in_off = int32_t(patch);
            }
            if (single) {
              p.mvm(wk.first_crossbar, int(group.size()), 0, int32_t(acc), in_reg, in_off, op.activation_bits,
                    op.input_signed, false);
              if (helper) {
                p.send(wk.owner, int32_t(acc), cc * 4);
                return;
              }
              for (int h : wk.helpers)
                p.recv(h, int32_t(partial), cc * 4).vcfg(VcfgReg::VL, cc).vadd32(0, int32_t(acc), 0, int32_t(acc), 0,
                                                                                    int32_t(partial));
              store_result(r[1], 0, int32_t(acc));
            } else {
              p.mvm(wk.first_crossbar, int(group.size()), r[2], 0, in_reg, in_off, op.activation_bits,
                    op.input_signed, true);
            }
          });
          lp.predicted_mvms += int64_t(rows) * wo;
        }
        if (helper) continue;  // its owner stores the rows
        if (!single)
          emit_2d_loop(p, rows, wo, {dst, accw}, [&](const std::vector<int>& r) { store_result(r[0], r[1], 0); });
        if (whole_rows) {
          p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out_row), int32_t(out_buf),
                  int32_t(rows * out_row));
        } else {  // this core's channels of every pixel (the border stays as memory holds it)
          const Walk mem{int64_t(out.address) + out.offset(a + out.pad, out.pad) + int64_t(wk.c0) * eb,
                         out.pixel_bytes(), out_row};
          emit_2d_loop(p, rows, wo, {dst, mem},
                       [&](const std::vector<int>& r) { p.store(0, 0, int32_t(int64_t(cc) * eb), r[1], r[0], 0); });
        }
      }
    });
  }

  void emit_dense(const QOp& op) {
    const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
    const TensorPlace& out = memory_.tensors[size_t(op.output)];
    const int eb = out.elem_bytes;
    const WeightMatrix m = weight_matrix(op, in.shape, !options_.timing_only);
    const int tile_cols = arch_.max_tile_cols(op.weight_bits);
    const std::vector<Tile> all_tiles = tile_matrix(m, arch_, op.name);
    const int col_tiles = (m.cols + tile_cols - 1) / tile_cols;

    LayerPlan& lp = new_plan(op);
    lp.matrix_rows = m.rows;
    lp.matrix_cols = m.cols;
    lp.tiles = int(all_tiles.size());
    lp.invocations = 1;

    // Per core: its output columns [c0, c1), their blocks, where its
    // crossbars start and the partners of a part spread over cores.
    struct Work {
      int c0 = 0, c1 = 0;
      std::vector<std::vector<int>> groups;
      int first_crossbar = 0;
      int owner = -1;
      std::vector<int> helpers;
    };
    std::vector<Work> work(static_cast<size_t>(cores_));
    std::vector<int> working;
    if (resident_) {
      for (ResidentWork& rw : resident_work(op, tile_cols, m.cols)) {  // one replica: a dense layer has one row
        work[size_t(rw.core)] = {rw.c0, rw.c1, {std::move(rw.blocks)}, rw.first_crossbar, rw.owner, rw.helpers};
        working.push_back(rw.core);
        lp.crossbars += int(work[size_t(rw.core)].groups[0].size());
      }
    } else {
      const auto col_ranges = split(col_tiles, cores_);
      for (size_t i = 0; i < col_ranges.size(); ++i) {
        Work& wk = work[i];
        wk.c0 = col_ranges[i].first * tile_cols;
        wk.c1 = std::min(m.cols, col_ranges[i].second * tile_cols);
        std::vector<Tile> mine;
        for (const Tile& t : all_tiles)
          if (t.col0 >= wk.c0 && t.col0 < wk.c1) mine.push_back(t);
        wk.groups = add_blocks(m, mine, wk.c0);
        working.push_back(int(i));
        lp.crossbars += int(std::min<size_t>(mine.size(), size_t(arch_.crossbars_per_core())));
      }
    }
    for (int c : working) lp.groups = std::max(lp.groups, int(work[size_t(c)].groups.size()));
    lp.cores = int(working.size());

    const int64_t in_bytes = in.shape.size();
    op_section(op.name, working, [&](int core, ProgramBuilder& p) {
      const Work& wk = work[size_t(core)];
      const int c0 = wk.c0, c1 = wk.c1;
      const std::vector<std::vector<int>>& groups = wk.groups;
      BufferArena arena(dynamic_base_, arch_.buffer_bytes);
      const int64_t vec = arena.take(in_bytes);
      const int64_t acc = arena.take(int64_t(c1 - c0) * 4);
      const int64_t res = arena.take(int64_t(c1 - c0) * eb);
      const int64_t partial = arena.take(wk.helpers.empty() ? 0 : int64_t(c1 - c0) * 4);
      if (!arena.fits())
        throw Error(where(op) + ": its input vector and outputs need " + std::to_string(in_bytes + (c1 - c0) * (4 + eb)) +
                    " bytes of local buffer, " + std::to_string(arch_.buffer_bytes - dynamic_base_) + " are free");
      if (in.pad == 0) {
        p.load(int32_t(vec), int32_t(in.address), int32_t(in_bytes));
      } else {
        const int64_t row = int64_t(in.shape.w) * in.shape.c;
        emit_2d_loop(p, in.shape.h, 1, {{vec, 0, row}, {int64_t(in.address) + in.offset(in.pad, in.pad), 0, in.row_bytes()}},
                     [&](const std::vector<int>& r) { p.load(0, 0, int32_t(row), r[0], r[1], 0); });
      }
      const bool single = groups.size() == 1;
      if (!single) p.vcfg(VcfgReg::VL, c1 - c0).vfill32(0, int32_t(acc), 0);
      for (const std::vector<int>& group : groups) {
        if (!resident_)
          for (size_t x = 0; x < group.size(); ++x) p.xprog(wk.first_crossbar + int(x), group[x]);
        p.mvm(wk.first_crossbar, int(group.size()), 0, int32_t(acc), 0, int32_t(vec), op.activation_bits,
              op.input_signed, !single);
        lp.predicted_mvms += 1;
      }
      if (wk.owner >= 0) {  // a helper: its partial sums go to the owner
        p.send(wk.owner, int32_t(acc), (c1 - c0) * 4);
        return;
      }
      for (int h : wk.helpers)
        p.recv(h, int32_t(partial), (c1 - c0) * 4).vcfg(VcfgReg::VL, c1 - c0).vadd32(0, int32_t(acc), 0, int32_t(acc), 0,
                                                                                      int32_t(partial));
      p.vcfg(VcfgReg::VL, c1 - c0);
      const int32_t bias = int32_t(bias_address_[op_index(op)] + int64_t(c0) * 4);
      if (op.requantize) {
        configure_requant(p, op.requant);
        vreq(p, op.requant, 0, int32_t(res), 0, int32_t(acc), 0, bias, true);
      } else {
        p.vadd32(0, int32_t(res), 0, int32_t(acc), 0, bias);
      }
      p.store(int32_t(int64_t(out.address) + int64_t(c0) * eb), int32_t(res), int32_t((c1 - c0) * eb));
    });
  }

  // MaxPool and AvgPool: per output pixel, the window's k x k input pixels.
  void emit_pool(const QOp& op) {
    const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
    const TensorPlace& out = memory_.tensors[size_t(op.output)];
    const QTensor& in_t = net_.tensors[size_t(op.inputs[0])];
    const int k = op.kernel, s = op.stride, c = in.shape.c, ho = out.shape.h, wo = out.shape.w;
    const bool is_max = op.kind == QOpKind::MaxPool;
    if (is_max && op.padding > 0 && in_t.is_signed)
      throw Error(where(op) + ": padded max pooling of a signed tensor is not supported");
    const std::vector<int> working = cores_for_rows(ho);
    const auto row_ranges = split(ho, int(working.size()));
    LayerPlan& lp = new_plan(op);
    lp.cores = int(working.size());
    lp.invocations = int64_t(ho) * wo;
    const int64_t in_row = in.row_bytes(), out_row = out.row_bytes();
    const int64_t fixed = int64_t(c) * 4 + align4((k - s) * in_row) + 16;
    const int64_t per_row = align4(s * in_row) + align4(out_row);
    op_section(op.name, working, [&](int core, ProgramBuilder& p) {
      const auto [r0, r1] = row_ranges[size_t(core)];
      const int64_t chunk = chunk_rows(op, fixed, per_row, r1 - r0);
      if (!is_max) configure_requant(p, op.requant);
      for (int a = r0; a < r1; a += int(chunk)) {
        const int rows = int(std::min<int64_t>(chunk, r1 - a));
        BufferArena arena(dynamic_base_, arch_.buffer_bytes);
        const int64_t in_rows = int64_t(rows - 1) * s + k;
        const int64_t in_buf = arena.take(in_rows * in_row);
        const int64_t out_buf = arena.take(rows * out_row);
        const int64_t acc = arena.take(int64_t(c) * 4);
        const int64_t first_in_row = int64_t(a) * s - op.padding + in.pad;
        p.load(int32_t(in_buf), int32_t(int64_t(in.address) + first_in_row * in_row), int32_t(in_rows * in_row));
        if (out.pad > 0) p.vcfg(VcfgReg::VL, int32_t(rows * out_row / 4)).vfill32(0, int32_t(out_buf), out.pad_word());
        p.vcfg(VcfgReg::VL, c).vcfg(VcfgReg::Rows, 1).vcfg(VcfgReg::Stride, 0);
        const Walk src{in_buf + int64_t(in.pad - op.padding) * c, int64_t(s) * c, int64_t(s) * in_row};
        const Walk dst{out_buf + int64_t(out.pad) * c, c, out_row};
        emit_2d_loop(p, rows, wo, {src, dst}, [&](const std::vector<int>& r) {
          if (is_max) {
            p.vcopy(r[1], 0, r[0], 0);
            for (int ky = 0; ky < k; ++ky)
              for (int kx = 0; kx < k; ++kx)
                if (ky || kx) p.vmax8(r[1], 0, r[1], 0, r[0], int32_t(ky * in_row + kx * c), in_t.is_signed);
          } else {
            p.vfill32(0, int32_t(acc), 0);
            for (int ky = 0; ky < k; ++ky)
              for (int kx = 0; kx < k; ++kx) p.vmac(0, int32_t(acc), r[0], int32_t(ky * in_row + kx * c), in_t.is_signed, 1);
            vreq(p, op.requant, r[1], 0, 0, int32_t(acc), 0, 0, false);
          }
        });
        p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out_row), int32_t(out_buf),
                int32_t(rows * out_row));
      }
    });
  }

  void emit_global_pool(const QOp& op) {
    const TensorPlace& in = memory_.tensors[size_t(op.inputs[0])];
    const TensorPlace& out = memory_.tensors[size_t(op.output)];
    const QTensor& in_t = net_.tensors[size_t(op.inputs[0])];
    const int c = in.shape.c;
    LayerPlan& lp = new_plan(op);
    lp.cores = 1;
    lp.invocations = 1;
    op_section(op.name, {0}, [&](int, ProgramBuilder& p) {
      BufferArena arena(dynamic_base_, arch_.buffer_bytes);
      const int64_t in_buf = arena.take(in.bytes());
      const int64_t acc = arena.take(int64_t(c) * 4);
      const int64_t res = arena.take(c);
      if (!arena.fits()) throw Error(where(op) + ": its input does not fit the local buffer");
      p.load(int32_t(in_buf), int32_t(in.address), int32_t(in.bytes()));
      configure_requant(p, op.requant);
      p.vcfg(VcfgReg::VL, c).vfill32(0, int32_t(acc), 0);
      emit_2d_loop(p, in.shape.h, in.shape.w, {{in_buf + in.offset(in.pad, in.pad), c, in.row_bytes()}},
                   [&](const std::vector<int>& r) { p.vmac(0, int32_t(acc), r[0], 0, in_t.is_signed, 1); });
      vreq(p, op.requant, 0, int32_t(res), 0, int32_t(acc), 0, 0, false);
      p.store(int32_t(int64_t(out.address) + out.offset(out.pad, out.pad)), int32_t(res), c);
    });
  }

  // Add and Rescale: acc = sum_i q_i * m_i row by row, then requantize.
  void emit_sum(const QOp& op) {
    const TensorPlace& out = memory_.tensors[size_t(op.output)];
    const int c = out.shape.c, h = out.shape.h, w = out.shape.w;
    const std::vector<int> working = cores_for_rows(h);
    const auto row_ranges = split(h, int(working.size()));
    LayerPlan& lp = new_plan(op);
    lp.cores = int(working.size());
    lp.invocations = h;
    int64_t per_row = align4(out.row_bytes()) + int64_t(w) * c * 4;
    for (int i : op.inputs) per_row += align4(memory_.tensors[size_t(i)].row_bytes());
    op_section(op.name, working, [&](int core, ProgramBuilder& p) {
      const auto [r0, r1] = row_ranges[size_t(core)];
      const int64_t chunk = chunk_rows(op, 16, per_row, r1 - r0);
      configure_requant(p, op.requant);
      for (int a = r0; a < r1; a += int(chunk)) {
        const int rows = int(std::min<int64_t>(chunk, r1 - a));
        BufferArena arena(dynamic_base_, arch_.buffer_bytes);
        std::vector<Walk> walks;
        for (int i : op.inputs) {
          const TensorPlace& t = memory_.tensors[size_t(i)];
          const int64_t buf = arena.take(rows * t.row_bytes());
          p.load(int32_t(buf), int32_t(int64_t(t.address) + int64_t(a + t.pad) * t.row_bytes()),
                 int32_t(rows * t.row_bytes()));
          walks.push_back({buf + int64_t(t.pad) * c, 0, t.row_bytes()});
        }
        const int64_t out_buf = arena.take(rows * out.row_bytes());
        const int64_t acc = arena.take(int64_t(w) * c * 4);
        if (out.pad > 0) p.vcfg(VcfgReg::VL, int32_t(rows * out.row_bytes() / 4)).vfill32(0, int32_t(out_buf), out.pad_word());
        walks.push_back({out_buf + int64_t(out.pad) * c, 0, out.row_bytes()});
        p.vcfg(VcfgReg::VL, w * c);
        emit_2d_loop(p, rows, 1, walks, [&](const std::vector<int>& r) {
          p.vfill32(0, int32_t(acc), 0);
          for (size_t i = 0; i < op.inputs.size(); ++i)
            p.vmac(0, int32_t(acc), r[i], 0, net_.tensors[size_t(op.inputs[i])].is_signed, op.input_multipliers[i]);
          vreq(p, op.requant, r[op.inputs.size()], 0, 0, int32_t(acc), 0, 0, false);
        });
        p.store(int32_t(int64_t(out.address) + int64_t(a + out.pad) * out.row_bytes()), int32_t(out_buf),
                int32_t(rows * out.row_bytes()));
      }
    });
  }

  size_t op_index(const QOp& op) const { return size_t(&op - net_.ops.data()); }

  const QuantizedNetwork& net_;
  const ArchConfig& arch_;
  const CompileOptions options_;
  const int cores_;
  MemoryPlan memory_;
  std::vector<ProgramBuilder> programs_;
  std::vector<std::vector<LayerRange>> ranges_;
  std::vector<int64_t> bias_address_;
  int64_t dynamic_base_ = 0;
  std::optional<ResidentPlacement> resident_;          // set: weights stay programmed (placement.h)
  std::vector<std::vector<std::vector<int>>> resident_blocks_;  // per op, per column part: its blocks
  CompileResult result_;
};

// Conv2d/Dense layers whose weights no crossbar block can hold (weight bits
// outside 1..kMaxWeightBits, or a weight outside its bits' range), one
// message per layer. Networks built by quantize() and ONNX imports always
// map; this guards hand-built networks before any code is generated.
std::vector<std::string> crossbar_mapping_problems(const QuantizedNetwork& q) {
  std::vector<std::string> out;
  for (const QOp& op : q.ops) {
    if (op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) continue;
    const std::string what = "layer '" + op.name + "' (" + qop_name(op.kind) + ")";
    if (op.weight_bits < 1 || op.weight_bits > kMaxWeightBits) {
      out.push_back(what + ": " + std::to_string(op.weight_bits) + "-bit weights, the crossbars hold 1.." +
                    std::to_string(kMaxWeightBits));
      continue;
    }
    const int32_t lo = qmin(op.weight_bits, true), hi = qmax(op.weight_bits, true);
    for (size_t j = 0; j < op.weight.size(); ++j)
      if (op.weight[j] < lo || op.weight[j] > hi) {
        out.push_back(what + ": weight " + std::to_string(j) + " = " + std::to_string(op.weight[j]) +
                      " is outside the " + std::to_string(op.weight_bits) + "-bit range " + std::to_string(lo) +
                      ".." + std::to_string(hi));
        break;
      }
  }
  return out;
}

}  // namespace

const char* placement_name(Placement p) {
  switch (p) {
    case Placement::Auto: return "auto";
    case Placement::Resident: return "resident";
    case Placement::PerLayer: return "per-layer";
  }
  return "?";
}

Placement parse_placement(const std::string& name) {
  for (Placement p : {Placement::Auto, Placement::Resident, Placement::PerLayer})
    if (name == placement_name(p)) return p;
  throw Error("unknown placement '" + name + "' (valid: auto, resident, per-layer)");
}

CompileResult compile(const QuantizedNetwork& net, const ArchConfig& arch, const CompileOptions& options) {
  const std::vector<std::string> problems = crossbar_mapping_problems(net);
  if (!problems.empty()) {
    std::string message = "model '" + net.name + "' cannot be mapped onto crossbars:";
    for (const std::string& p : problems) message += "\n  " + p;
    throw Error(message);
  }
  return Compiler(net, arch, options).run();
}

std::string explain(const CompileResult& result, const ArchConfig& arch) {
  std::ostringstream s;
  char line[256];
  s << "architecture " << arch.name << ": " << arch.cores() << " cores x " << arch.crossbars_per_core()
    << " crossbars of " << arch.crossbar_rows << " x " << arch.crossbar_cols << ", " << arch.cell_bits << "-bit cells, "
    << arch.dac_bits << "-bit DAC, " << mapping_name(arch.mapping) << "\n\n";
  s << "  layer                 kind            w  a  in-slices cells/w   matrix      tiles groups cores crossbars "
       "   MVMs\n";
  for (const LayerPlan& l : result.plan) {
    std::snprintf(line, sizeof line, "  %-20s  %-13s  %2d %2d  %9d %7d  %5d x %-5d %5d %6d %5d %5d %8lld\n",
                  l.name.c_str(), l.kind.c_str(), l.weight_bits, l.activation_bits, l.input_slices, l.weight_slices,
                  l.matrix_rows, l.matrix_cols, l.tiles, l.groups, l.cores, l.crossbars, (long long)l.predicted_mvms);
    s << line;
  }
  size_t instructions = 0;
  for (const auto& c : result.image.cores) instructions += c.code.size();
  s << "\n  " << result.image.blocks.size() << " weight blocks, " << instructions << " instructions, "
    << placement_name(result.placement) << " placement";
  if (result.placement == Placement::Resident) {
    int crossbars = 0;
    for (const LayerPlan& l : result.plan) crossbars += l.crossbars;
    s << ": " << crossbars << " of " << arch.cores() * arch.crossbars_per_core()
      << " crossbars hold weights, programmed once before inference\n\n";
    // Per core: which layer parts its crossbars hold (column tiles, output rows).
    auto range = [](int first, int end) {  // [first, end) as "a" or "a-b"
      return end - first == 1 ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(end - 1);
    };
    std::vector<std::string> cores(size_t(arch.cores()));
    for (size_t i = 0; i < result.resident.ops.size(); ++i)
      for (const ColumnPart& part : result.resident.ops[i])
        for (const PartReplica& r : part.replicas) {
          const std::string rows =
              result.plan[i].kind != std::string("dense") ? ", rows " + range(r.row0, r.row1) : std::string();
          cores[size_t(r.core)] += "  " + result.plan[i].name + "[xb " +
                                   range(r.first_crossbar, r.first_crossbar + r.crossbars) + ": column tiles " +
                                   range(part.col_tile0, part.col_tile1) + rows + "]";
          for (const PartHelper& h : r.helpers)
            cores[size_t(h.core)] += "  " + result.plan[i].name + "[xb " +
                                     range(h.first_crossbar, h.first_crossbar + h.row_tile1 - h.row_tile0) +
                                     ": column tile " + std::to_string(part.col_tile0) + ", row tiles " +
                                     range(h.row_tile0, h.row_tile1) + rows + ", partial sums to core " +
                                     std::to_string(r.core) + "]";
        }
    for (size_t c = 0; c < cores.size(); ++c)
      if (!cores[c].empty()) s << "  core " << c << ":" << cores[c] << "\n";
  } else {
    s << "\n";
  }
  return s.str();
}

}  // namespace cimvp
