// Internal to the compiler: the code generator behind compile(). One
// instruction stream per core, op after op, with a barrier after each op.
// With a resident placement (placement.h) a first section programs every
// layer's crossbars and each layer runs on the cores that hold its parts;
// otherwise every op splits its output rows over the cores (a Dense splits
// its output columns) and programs the crossbars it needs. Each core
// processes its rows in chunks that fit its local buffer, loading input rows
// from global memory and storing output rows back.
//
// The set-up sections and the helpers every op uses are in
// compiler/code_generator.cpp; each kind of op is emitted by its own file,
// compiler/emit_<kind>.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/compile.h"
#include "compiler/memory_plan.h"
#include "compiler/placement.h"
#include "compiler/tiling.h"
#include "firmware/program_builder.h"

namespace cimvp::codegen {

inline int64_t align4(int64_t v) { return (v + 3) / 4 * 4; }

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
                  const std::function<void(const std::vector<int>&)>& body);

// Fills `bytes` at buffer address `at` with `word`, rounded up to whole
// words (BufferArena's regions are): a border's last bytes are filled too
// when a chunk's rows are not a whole number of words.
void fill_words(ProgramBuilder& p, int64_t at, int64_t bytes, int32_t word);

// The 256 bytes of an activation's table as Vlut reads them.
std::vector<uint8_t> lut_bytes(const QOp& op, const QTensor& in);

// Splits [0, n) into at most `parts` contiguous ranges of near-equal size.
std::vector<std::pair<int, int>> split(int n, int parts);

class CodeGenerator {
 public:
  CodeGenerator(const QuantizedNetwork& net, const ArchConfig& arch, const CompileOptions& options);
  CompileResult run();

 private:
  // ---- set-up (code_generator.cpp)
  void place_biases();
  void place_borders();
  void describe_tensors();
  void op_section(const std::string& name, const std::vector<int>& working,
                  const std::function<void(int core, ProgramBuilder&)>& emit);
  void emit_weights();
  void emit_input_copy();
  std::string where(const QOp& op) const { return "layer '" + op.name + "' (" + qop_name(op.kind) + ")"; }
  size_t op_index(const QOp& op) const { return size_t(&op - net_.ops.data()); }

  // ---- helpers the ops share (code_generator.cpp)
  void emit_op(const QOp& op);
  static void vreq(ProgramBuilder& p, const Requant& r, int rd, int32_t dst, int ra, int32_t src, int rb, int32_t bias,
                   bool with_bias);
  void configure_requant(ProgramBuilder& p, const Requant& r);
  int64_t chunk_rows(const QOp& op, int64_t fixed, int64_t per_row, int64_t want) const;
  std::vector<int> cores_for_rows(int rows) const;
  std::vector<std::vector<int>> add_blocks(const WeightMatrix& m, const std::vector<Tile>& tiles, int col_base,
                                          int row_base);
  LayerPlan& new_plan(const QOp& op);

  // Resident placement: what each core does for `op`. A replica's core
  // computes its rows from its crossbars plus its helpers' partial sums; a
  // helper computes the same rows from its row tiles and sends them.
  struct ResidentWork {
    int core = 0, col_tile0 = 0, col_tile1 = 0, r0 = 0, r1 = 0;  // column tiles [col_tile0, col_tile1), output rows
    std::vector<int> blocks;
    int first_crossbar = 0;
    int owner = -1;            // a helper: the core it sends its partial sums to
    std::vector<int> helpers;  // a replica's core: the cores it adds partial sums from, in order
  };
  std::vector<ResidentWork> resident_work(const QOp& op) const;

  // ---- one function per kind of op (emit_<kind>.cpp)
  void emit_conv(const QOp& op);
  void emit_dense(const QOp& op);
  void emit_pool(const QOp& op);
  void emit_global_pool(const QOp& op);
  void emit_sum(const QOp& op);
  void emit_concat(const QOp& op);
  void emit_lut(const QOp& op);
  void emit_mul(const QOp& op);
  void emit_channels(const QOp& op);
  void emit_pad(const QOp& op);
  void emit_softmax(const QOp& op);
  // Element-wise ops over rows (compiler/emit_elementwise.cpp): `body` gets the
  // chunk's rows, each input's first interior byte (a C x 1 x 1 input: its
  // values) and the output's; row strides are the tensors' row_bytes().
  void emit_rowwise(const QOp& op, int64_t per_row_scratch,
                    const std::function<void(ProgramBuilder&, BufferArena&, int rows, const std::vector<int64_t>& in_bufs,
                                             int64_t out_buf)>& body);

  const QuantizedNetwork& net_;
  const ArchConfig& arch_;
  const CompileOptions options_;
  const int cores_;
  MemoryPlan memory_;
  std::vector<ProgramBuilder> programs_;
  std::vector<std::vector<LayerRange>> ranges_;
  std::vector<int64_t> bias_address_;
  std::vector<int64_t> constant_address_;  // per op: its activation table in every core's buffer, or -1
  int64_t dynamic_base_ = 0;
  // Whether `op`'s weights stay programmed (resident or mixed placement).
  bool is_resident(const QOp& op) const { return resident_ && !resident_->ops[op_index(op)].empty(); }

  std::optional<ResidentPlacement> resident_;          // set: some or all weights stay programmed (placement.h)
  int per_layer_crossbars_ = 0;                        // crossbars [0, n) of a core the other layers reprogram
  std::vector<std::vector<std::vector<int>>> resident_blocks_;  // per op, per column part: its blocks
  CompileResult result_;
};

}  // namespace cimvp::codegen
