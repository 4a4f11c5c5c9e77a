// The code generator's set-up sections (biases, borders, resident weights,
// the input copy) and the helpers every op's emitter uses.
#include "compiler/code_generator.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "compiler/mixed_placement.h"

namespace cimvp::codegen {

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

void fill_words(ProgramBuilder& p, int64_t at, int64_t bytes, int32_t word) {
  p.vcfg(VcfgReg::VL, int32_t((bytes + 3) / 4)).vfill32(0, int32_t(at), word);
}

// Splits [0, n) into at most `parts` contiguous ranges of near-equal size.
std::vector<std::pair<int, int>> split(int n, int parts) {
  parts = std::max(1, std::min(parts, n));
  std::vector<std::pair<int, int>> ranges;
  for (int i = 0; i < parts; ++i) ranges.push_back({int(int64_t(n) * i / parts), int(int64_t(n) * (i + 1) / parts)});
  return ranges;
}

CodeGenerator::CodeGenerator(const QuantizedNetwork& net, const ArchConfig& arch, const CompileOptions& options)
    : net_(net),
      arch_(arch),
      options_(options),
      cores_(options.max_cores > 0 ? std::min(options.max_cores, arch.cores()) : arch.cores()),
      memory_(plan_memory(net, uint64_t(arch.memory.bytes))),
      programs_(size_t(arch.cores())),
      ranges_(size_t(arch.cores())) {
  if (options.placement == Placement::Auto || options.placement == Placement::Resident)
    resident_ = place_resident(net, arch, cores_);
  if (options.placement == Placement::Resident && !resident_)
    throw Error("model '" + net.name + "': its weights do not fit the crossbars of " + std::to_string(cores_) +
                " cores at once (" + std::to_string(arch.crossbars_per_core()) +
                " crossbars each), so the resident placement is impossible; use per-layer, mixed or auto");
  if (!resident_ && (options.placement == Placement::Auto || options.placement == Placement::Mixed)) {
    std::optional<MixedPlacement> mixed = place_mixed(net, arch, cores_);
    if (options.placement == Placement::Mixed && !mixed)
      throw Error("model '" + net.name + "': no layer can stay resident beside per-layer crossbars on " +
                  std::to_string(cores_) + " cores of " + std::to_string(arch.crossbars_per_core()) +
                  " crossbars, so the mixed placement is impossible; use per-layer or auto");
    // Auto takes it only where the estimate says it beats per-layer placement.
    if (mixed && (options.placement == Placement::Mixed || mixed->estimate_ns < mixed->per_layer_estimate_ns))
      resident_ = std::move(mixed->placement);
  }
  per_layer_crossbars_ = resident_ ? resident_->per_layer_crossbars : arch.crossbars_per_core();
  result_.placement = !resident_ ? Placement::PerLayer
                      : per_layer_crossbars_ > 0 ? Placement::Mixed
                                                 : Placement::Resident;
  if (resident_) result_.resident = *resident_;
}

CompileResult CodeGenerator::run() {
  FirmwareImage& image = result_.image;
  image.arch_name = arch_.name;
  image.arch_fingerprint = arch_.fingerprint();
  image.timing_only = options_.timing_only;
  place_biases();
  place_borders();
  if (resident_) emit_weights();
  if (memory_.staged_input) emit_input_copy();
  for (size_t i = 0; i < net_.ops.size(); ++i) emit_op(net_.ops[i]);
  for (LayerPlan& lp : result_.plan)
    lp.allocated_cells = int64_t(lp.tiles) * arch_.crossbar.rows * arch_.crossbar.cols;
  for (auto& p : programs_) p.halt();
  image.cores.resize(size_t(arch_.cores()));
  for (size_t c = 0; c < programs_.size(); ++c) {
    image.cores[c].code = std::move(programs_[c].code);
    image.cores[c].layers = std::move(ranges_[c]);
  }
  describe_tensors();
  return std::move(result_);
}

// ---------------------------------------------------------------- setup

// Biases of every Conv2d/Dense, the tables of every activation and the constants of every softmax live at
// the bottom of every core's buffer.
void CodeGenerator::place_biases() {
  std::vector<uint8_t> bytes;
  bias_address_.assign(net_.ops.size(), -1);
  constant_address_.assign(net_.ops.size(), -1);
  for (size_t i = 0; i < net_.ops.size(); ++i) {
    const QOp& op = net_.ops[i];
    if (op.kind == QOpKind::Lut) {
      constant_address_[i] = int64_t(bytes.size());
      const std::vector<uint8_t> table = lut_bytes(op, net_.tensors[size_t(op.inputs[0])]);
      bytes.insert(bytes.end(), table.begin(), table.end());
      continue;
    }
    if (op.kind == QOpKind::Softmax) {  // the softmax unit's int32 words
      constant_address_[i] = int64_t(bytes.size());
      const size_t at = bytes.size();
      bytes.resize(at + 4 * op.table.size());
      std::memcpy(bytes.data() + at, op.table.data(), 4 * op.table.size());
      continue;
    }
    if (op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) continue;
    bias_address_[i] = int64_t(bytes.size());
    const size_t at = bytes.size();
    bytes.resize(at + 4 * op.bias.size());
    std::memcpy(bytes.data() + at, op.bias.data(), 4 * op.bias.size());
  }
  dynamic_base_ = align4(int64_t(bytes.size()));
  if (dynamic_base_ > arch_.buffer.bytes)
    throw Error("model '" + net_.name + "': its biases (" + std::to_string(bytes.size()) +
                " bytes) do not fit the " + std::to_string(arch_.buffer.bytes) + "-byte local buffer");
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
void CodeGenerator::place_borders() {
  for (const TensorPlace& t : memory_.tensors)
    if (t.pad > 0 && t.pad_byte != 0) {
      MemorySegment s;
      s.address = t.address;
      s.bytes.assign(size_t(t.bytes()), t.pad_byte);
      result_.image.segments.push_back(std::move(s));
    }
}

void CodeGenerator::describe_tensors() {
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
void CodeGenerator::op_section(const std::string& name, const std::vector<int>& working,
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

// ---------------------------------------------------------------- weights

// Resident placement: the blocks of every part, and one section that
// programs every replica's crossbars before the first layer runs.
void CodeGenerator::emit_weights() {
  resident_blocks_.assign(net_.ops.size(), {});
  std::vector<std::vector<std::pair<int, int>>> xprogs(static_cast<size_t>(cores_));  // per core: (crossbar, block)
  std::vector<int> working;
  for (size_t i = 0; i < net_.ops.size(); ++i) {
    const QOp& op = net_.ops[i];
    if (resident_->ops[i].empty()) continue;
    const WeightMatrix m = weight_matrix(op, memory_.tensors[size_t(op.inputs[0])].shape,
                                         channel_packing(op, arch_), !options_.timing_only);
    const TileGrid grid = tile_matrix(m, arch_, op.name);
    for (const ColumnPart& part : resident_->ops[i]) {
      // Blocks address the part's own outputs and patch rows (emit_conv gathers only its packs).
      const int col_base = grid.col_edges[size_t(part.col_tile0)];
      const int row_base = grid.row_span(m.packing, part.col_tile0, part.col_tile1).first;
      std::vector<int> blocks;
      for (int row_tile = 0; row_tile < grid.row_tiles; ++row_tile)
        for (int j = part.col_tile0; j < part.col_tile1; ++j) {
          blocks.push_back(int(result_.image.blocks.size()));
          result_.image.blocks.push_back(make_block(m, grid.at(row_tile, j), col_base, row_base, !options_.timing_only));
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
void CodeGenerator::emit_input_copy() {
  const TensorPlace& t = memory_.tensors[size_t(net_.input)];
  const int64_t row = int64_t(t.shape.w) * t.shape.c;
  op_section("input", {0}, [&](int, ProgramBuilder& p) {
    const int64_t buf = dynamic_base_;
    if (buf + row > arch_.buffer.bytes) throw Error("the input rows do not fit the local buffer");
    emit_2d_loop(p, t.shape.h, 1,
                 {{int64_t(memory_.input_staging), 0, row}, {int64_t(t.address) + t.offset(t.pad, t.pad), 0, t.row_bytes()}},
                 [&](const std::vector<int>& r) {
                   p.load(int32_t(buf), 0, int32_t(row), 0, r[0], 0);
                   p.store(0, int32_t(buf), int32_t(row), r[1], 0, 0);
                 });
  });
}

// ---------------------------------------------------------------- ops

void CodeGenerator::emit_op(const QOp& op) {
  switch (op.kind) {
    case QOpKind::Conv2d: emit_conv(op); break;
    case QOpKind::Dense: emit_dense(op); break;
    case QOpKind::MaxPool:
    case QOpKind::AvgPool: emit_pool(op); break;
    case QOpKind::GlobalAvgPool: emit_global_pool(op); break;
    case QOpKind::Add:
    case QOpKind::Rescale: emit_sum(op); break;
    case QOpKind::Concat: emit_concat(op); break;
    case QOpKind::Lut: emit_lut(op); break;
    case QOpKind::Mul: emit_mul(op); break;
    case QOpKind::Channels: emit_channels(op); break;
    case QOpKind::Pad: emit_pad(op); break;
    case QOpKind::Softmax: emit_softmax(op); break;
  }
}

// Vreq with the op's rounding (the halfeven flag for ONNX integer models).
void CodeGenerator::vreq(ProgramBuilder& p, const Requant& r, int rd, int32_t dst, int ra, int32_t src, int rb,
                         int32_t bias, bool with_bias) {
  p.vreq(rd, dst, ra, src, rb, bias, with_bias);
  if (r.rounding == Rounding::HalfEven) p.code.back().flags |= flag::kVreqHalfEven;
}

void CodeGenerator::configure_requant(ProgramBuilder& p, const Requant& r) {
  p.vcfg(VcfgReg::Mult, r.multiplier).vcfg(VcfgReg::Shift, r.shift).vcfg(VcfgReg::Zp, r.zero_point);
  p.vcfg(VcfgReg::Lo, r.lo).vcfg(VcfgReg::Hi, r.hi);
}

// Rows of output per chunk so that `fixed + rows * per_row` fits the buffer.
int64_t CodeGenerator::chunk_rows(const QOp& op, int64_t fixed, int64_t per_row, int64_t want) const {
  const int64_t room = arch_.buffer.bytes - dynamic_base_ - fixed;
  const int64_t rows = per_row > 0 ? room / per_row : want;
  if (rows < 1)
    throw Error(where(op) + ": one output row needs " + std::to_string(fixed + per_row) +
                " bytes of local buffer, " + std::to_string(arch_.buffer.bytes - dynamic_base_) +
                " are free after the biases");
  return std::min(rows, want);
}

std::vector<int> CodeGenerator::cores_for_rows(int rows) const {
  std::vector<int> c;
  for (int i = 0; i < std::min(cores_, rows); ++i) c.push_back(i);
  return c;
}

// Blocks of `tiles` (added to the image once) and their grouping into
// rounds of at most the crossbars per core the per-layer layers have.
std::vector<std::vector<int>> CodeGenerator::add_blocks(const WeightMatrix& m, const std::vector<Tile>& tiles,
                                                       int col_base, int row_base) {
  std::vector<std::vector<int>> groups;
  const int per_core = per_layer_crossbars_;
  for (size_t i = 0; i < tiles.size(); ++i) {
    if (i % size_t(per_core) == 0) groups.emplace_back();
    groups.back().push_back(int(result_.image.blocks.size()));
    result_.image.blocks.push_back(make_block(m, tiles[i], col_base, row_base, !options_.timing_only));
  }
  return groups;
}

LayerPlan& CodeGenerator::new_plan(const QOp& op) {
  result_.plan.emplace_back();
  LayerPlan& lp = result_.plan.back();
  lp.name = op.name;
  lp.kind = qop_name(op.kind);
  if (op.kind == QOpKind::Conv2d || op.kind == QOpKind::Dense) {
    lp.weight_bits = op.weight_bits;
    lp.activation_bits = op.activation_bits;
    lp.input_slices = arch_.dac.input_slices(op.activation_bits);
    lp.weight_slices = arch_.crossbar.slices_per_weight(op.weight_bits);
    lp.weights = op.kind == QOpKind::Conv2d
                     ? int64_t(op.out_channels) * (op.in_channels / op.groups) * op.kernel * op.kernel_w
                     : int64_t(op.out_channels) * op.in_channels;
    // A weight's slices, twice under a differential mapping (the offset
    // mapping's shared reference column is no weight's).
    const int cells_per_weight = arch_.crossbar.slices_per_weight(op.weight_bits) *
                                 (arch_.crossbar.mapping == WeightMapping::Offset ? 1 : 2);
    lp.weight_cells = lp.weights * cells_per_weight;
  }
  return lp;
}

std::vector<CodeGenerator::ResidentWork> CodeGenerator::resident_work(const QOp& op) const {
  std::vector<ResidentWork> out;
  const std::vector<ColumnPart>& placed = resident_->ops[op_index(op)];
  for (size_t j = 0; j < placed.size(); ++j) {
    const std::vector<int>& blocks = resident_blocks_[op_index(op)][j];
    const int t0 = placed[j].col_tile0, t1 = placed[j].col_tile1;
    for (const PartReplica& r : placed[j].replicas) {
      ResidentWork w{r.core, t0, t1, r.row0, r.row1, {blocks.begin(), blocks.begin() + r.crossbars}, r.first_crossbar,
                     -1, {}};
      for (const PartHelper& h : r.helpers) {
        w.helpers.push_back(h.core);
        out.push_back({h.core, t0, t1, r.row0, r.row1, {blocks.begin() + h.row_tile0, blocks.begin() + h.row_tile1},
                       h.first_crossbar, r.core, {}});
      }
      out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace cimvp::codegen
