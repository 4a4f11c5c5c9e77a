#include "models/core.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "common/error.h"
#include "common/softmax_unit.h"
#include "models/address_map.h"

namespace cimvp {

using sc_core::sc_time;

Core::Core(sc_core::sc_module_name name, int id, const ArchConfig& arch, const Timing& timing,
           RunControl& control)
    : sc_module(name),
      noc("noc"),
      mailbox("mailbox"),
      id_(id),
      arch_(arch),
      timing_(timing),
      adc_costs_(arch),
      control_(control),
      buffer_(uint64_t(arch.buffer.bytes)),
      gpeu_(timing) {
  for (int i = 0; i < arch.crossbars_per_core(); ++i) {
    crossbars_.push_back(std::make_unique<Crossbar>(arch));
    crossbars_.back()->set_identity({uint64_t(arch.device.seed), id, i});
  }
  active_block_.assign(crossbars_.size(), -1);
  use_checked_.assign(crossbars_.size(), -1);
  loaded_block_.assign(crossbars_.size(), -1);
  inbox_.resize(size_t(arch.cores()));
  mailbox.register_b_transport(this, &Core::mailbox_b_transport);
  SC_HAS_PROCESS(Core);
  SC_THREAD(thread);
  // SystemC's default coroutine stack (64 KiB) is too small for the
  // interpreter's frames under AddressSanitizer, which then overflows into
  // the heap; 512 KiB per core is ample and only touched as used.
  set_stack_size(512 * 1024);
}

void Core::load(const FirmwareImage& image, uint64_t image_serial) {
  image_ = &image;
  program_ = size_t(id_) < image.cores.size() ? &image.cores[size_t(id_)] : nullptr;
  image_serial_ = image_serial;
  const size_t n = program_ ? program_->code.size() : 0;
  pc_layer_.assign(n, -1);
  if (program_)
    for (const LayerRange& r : program_->layers)
      for (uint32_t pc = r.begin; pc < r.end && pc < n; ++pc) pc_layer_[pc] = int(r.layer);
  // Plans only for Mvm instructions: a 64-core ResNet-18 image has 400 k
  // instructions, and a plan per instruction would be tens of MB.
  mvm_slot_.assign(n, -1);
  size_t mvms = 0;
  for (size_t pc = 0; pc < n; ++pc)
    if (program_->code[pc].op == Opcode::Mvm) mvm_slot_[pc] = int32_t(mvms++);
  mvm_plans_.assign(mvms, MvmPlan{});
  std::fill(loaded_block_.begin(), loaded_block_.end(), -1);
  // A loaded image is a new deployment: its crossbars' draws start again
  // from programming event 0, whatever ran before it in this process.
  for (auto& x : crossbars_) x->unload();
}

void Core::begin_run() {
  std::fill(std::begin(regs_), std::end(regs_), 0);
  pc_ = 0;
  local_ = 0;
  start_ps_ = end_ps_ = Picos(sc_core::sc_time_stamp().value());
  wait_ps_ = 0;
  events_ = EventCounts{};
  layer_ = -1;
  waiting_on_ = nullptr;
  for (auto& q : inbox_) q.clear();
  std::fill(active_block_.begin(), active_block_.end(), -1);
  std::fill(use_checked_.begin(), use_checked_.end(), -1);
  layer_uses_.clear();
  gpeu_.reset();
  buffer_.reset();
  if (control_.mode == RunMode::Functional) buffer_.allocate();
  halted_ = !has_code();
  if (!halted_) {
    ++control_.running;
    start_requested_ = true;
    start_event_.notify(sc_core::SC_ZERO_TIME);
  }
}

std::string Core::waiting_description() const {
  std::ostringstream s;
  s << "core " << id_;
  if (halted_) {
    s << " halted";
  } else if (waiting_on_) {
    s << " waits in " << waiting_on_;
    if (waiting_peer_ >= 0) s << " from core " << waiting_peer_;
    s << " at instruction " << pc_;
  } else {
    s << " is at instruction " << pc_;
  }
  return s.str();
}

void Core::fail(const std::string& what) const {
  std::ostringstream s;
  s << "core " << id_ << " instruction " << pc_;
  if (program_ && pc_ < program_->code.size()) s << " (" << mnemonic(program_->code[pc_].op) << ")";
  s << ": " << what;
  throw Error(s.str());
}

void Core::set_device_seed(uint64_t seed) {
  for (size_t i = 0; i < crossbars_.size(); ++i) crossbars_[i]->set_identity({seed, id_, int(i)});
}

void Core::set_cell_age(double seconds) {
  for (auto& x : crossbars_) x->set_age(seconds);
}

void Core::set_inference(uint64_t k) {
  for (auto& x : crossbars_) x->set_inference(k);
}

void Core::set_crossbar_path(Crossbar::Path path) {
  for (auto& x : crossbars_) x->set_path(path);
}

void Core::set_column_sum_recorder(ColumnSumRecorder* recorder) {
  for (auto& x : crossbars_) x->set_column_sum_recorder(recorder);
}

void Core::sync() {
  if (local_) {
    wait(sc_time::from_value(local_));
    local_ = 0;
  }
}

void Core::wait_for(sc_core::sc_event& event, const char* what) {
  waiting_on_ = what;
  const Picos t0 = now();
  wait(event | control_.abort_event);
  waiting_on_ = nullptr;
  if (control_.aborting) throw RunAborted{};
  wait_ps_ += now() - t0;
}

uint8_t* Core::buffer_at(int64_t address, int64_t bytes, const char* operand) {
  if (!buffer_.in_bounds(address, bytes)) {
    std::ostringstream s;
    s << operand << " buffer range [" << address << ", " << address + bytes << ") is outside the "
      << buffer_.size() << "-byte local buffer";
    fail(s.str());
  }
  if (control_.mode != RunMode::Functional) return nullptr;  // timing-only run: no data
  return buffer_.data() + address;
}

void Core::thread() {
  for (;;) {
    // A flag as well as the event: a notification made before the first
    // sc_start() (before this thread first waits) would otherwise be lost.
    while (!start_requested_) wait(start_event_);
    start_requested_ = false;
    try {
      execute();
    } catch (const RunAborted&) {
      // another core failed or the SoC aborted the run
    } catch (const Error& e) {
      control_.fail(e.what());
    }
    flush_trace(events_);
    enter_layer(-1, now());
    end_ps_ = now();
    if (control_.trace) {
      SliceArgs run;
      run.events = events_;
      control_.trace->span(id_, "core " + std::to_string(id_), "run", start_ps_, end_ps_, run);
    }
    sync();
    halted_ = true;
    if (--control_.running == 0 && control_.signal_halted) control_.all_halted.notify(sc_core::SC_ZERO_TIME);
  }
}

void Core::enter_layer(int layer, Picos t) {
  if (layer == layer_) return;
  flush_trace(events_);  // instruction slices nest inside their layer's slice
  if (layer_ >= 0) {
    LayerStats& s = control_.layers[size_t(layer_)];
    s.last = std::max(s.last, t);
    s.events += events_ - layer_snapshot_;
    if (control_.trace) {
      SliceArgs args;
      args.layer = layer_;
      args.events = events_ - layer_snapshot_;
      control_.trace->span(id_, control_.image->layer_names[size_t(layer_)], "layer", layer_since_, t, args);
    }
  }
  layer_ = layer;
  layer_uses_.clear();
  if (layer_ >= 0) {
    LayerStats& s = control_.layers[size_t(layer_)];
    s.first = std::min(s.first, t);
    layer_since_ = t;
    layer_snapshot_ = events_;
  }
}

void Core::execute() {
  const std::vector<Instruction>& code = program_->code;
  const size_t n = code.size();
  for (;;) {
    if (pc_ >= n) fail("ran past the end of the code (" + std::to_string(n) + " instructions) without halt");
    if (control_.aborting) throw RunAborted{};
    const Instruction& in = code[pc_];
    const int layer = pc_layer_[pc_];
    if (layer != layer_) enter_layer(layer, now());
    Picos begin = 0;
    if (control_.trace) begin = now(), trace_before_ = events_;
    ++events_.instructions;
    uint32_t next = pc_ + 1;
    switch (in.op) {
      case Opcode::Nop: local_ += timing_.issue; break;
      case Opcode::Halt: return;
      case Opcode::Li: set_reg(in.rd, in.imm0); local_ += timing_.issue; break;
      case Opcode::Addi: set_reg(in.rd, int32_t(uint32_t(reg(in.ra)) + uint32_t(in.imm0))); local_ += timing_.issue; break;
      case Opcode::Add: set_reg(in.rd, int32_t(uint32_t(reg(in.ra)) + uint32_t(reg(in.rb)))); local_ += timing_.issue; break;
      case Opcode::Sub: set_reg(in.rd, int32_t(uint32_t(reg(in.ra)) - uint32_t(reg(in.rb)))); local_ += timing_.issue; break;
      case Opcode::Mul: set_reg(in.rd, int32_t(uint32_t(reg(in.ra)) * uint32_t(reg(in.rb)))); local_ += timing_.issue; break;
      case Opcode::Jmp: next = uint32_t(in.imm0); local_ += timing_.issue; break;
      case Opcode::Beq: if (reg(in.ra) == reg(in.rb)) next = uint32_t(in.imm0); local_ += timing_.issue; break;
      case Opcode::Bne: if (reg(in.ra) != reg(in.rb)) next = uint32_t(in.imm0); local_ += timing_.issue; break;
      case Opcode::Blt: if (reg(in.ra) < reg(in.rb)) next = uint32_t(in.imm0); local_ += timing_.issue; break;
      case Opcode::Bge: if (reg(in.ra) >= reg(in.rb)) next = uint32_t(in.imm0); local_ += timing_.issue; break;
      case Opcode::Barrier: exec_barrier(); break;
      case Opcode::Xprog: exec_xprog(in); break;
      case Opcode::Mvm: exec_mvm(in); break;
      case Opcode::Vcfg: {
        const int64_t value = int64_t(reg(in.ra)) + in.imm0;
        const VcfgRange range = vcfg_range(VcfgReg(in.flags));
        if (value < range.lo || value > range.hi) fail(vcfg_problem(VcfgReg(in.flags), value));
        gpeu_.set(VcfgReg(in.flags), value);
        local_ += timing_.issue;
        break;
      }
      case Opcode::Vreq: case Opcode::Vmac: case Opcode::Vadd32: case Opcode::Vmax8:
      case Opcode::Vfill32: case Opcode::Vcopy: case Opcode::Vlut: case Opcode::Vmul8: case Opcode::Vsoftmax:
        exec_gpeu(in);
        break;
      case Opcode::Load: case Opcode::Store: exec_dma(in); break;
      case Opcode::Send: exec_send(in); break;
      case Opcode::Recv: exec_recv(in); break;
      default: fail("unknown opcode");
    }
    if (control_.trace) trace_instruction(in, begin);
    pc_ = next;
  }
}

void Core::trace_instruction(const Instruction& in, Picos begin) {
  const char* kind = nullptr;
  int first = -1, count = 0, bits = 0;
  switch (in.op) {
    case Opcode::Mvm:
      kind = "mvm", first = mvm_first_crossbar(in), count = mvm_crossbar_count(in), bits = mvm_input_bits(in);
      break;
    case Opcode::Xprog: kind = "xprog", first = in.imm0, count = 1; break;
    case Opcode::Vreq: case Opcode::Vmac: case Opcode::Vadd32: case Opcode::Vmax8:
    case Opcode::Vfill32: case Opcode::Vcopy: case Opcode::Vlut: case Opcode::Vmul8: case Opcode::Vsoftmax: kind = "gpeu"; break;
    case Opcode::Load: case Opcode::Store: kind = "dma"; break;
    case Opcode::Send: kind = "send"; break;
    case Opcode::Recv: kind = "recv"; break;
    case Opcode::Barrier: kind = "barrier"; break;
    default: return;  // scalar and control instructions
  }
  const bool message = in.op == Opcode::Send || in.op == Opcode::Recv;
  if (in.op == Opcode::Recv) begin = trace_recv_begin_;
  // Loops interleave a few scalar instructions between the same kind of
  // work: such runs become one slice, or a trace of a network would hold
  // millions of them. A message is a slice of its own, the end of its flow.
  const Picos gap = std::max<Picos>(32 * timing_.issue, 1000);
  if (!message && kind == trace_kind_ && first == trace_args_.first_crossbar && count == trace_args_.crossbars &&
      bits == trace_args_.bits && begin <= trace_end_ + gap) {
    trace_end_ = now();
    return;
  }
  flush_trace(trace_before_);  // the open slice ends before this instruction
  trace_kind_ = kind, trace_begin_ = begin, trace_end_ = now();
  trace_args_ = SliceArgs{};
  trace_args_.layer = layer_, trace_args_.first_crossbar = first, trace_args_.crossbars = count;
  trace_args_.bits = bits;
  trace_since_ = trace_before_;
  if (message) {
    trace_args_.peer = in.imm0, trace_args_.flow = trace_flow_;
    flush_trace(events_);
  }
}

void Core::flush_trace(const EventCounts& upto) {
  if (!trace_kind_ || !control_.trace) return;
  TraceSink& t = *control_.trace;
  trace_args_.events = upto - trace_since_;
  t.span(id_, trace_kind_, "instruction", trace_begin_, trace_end_, trace_args_);
  if (trace_args_.first_crossbar >= 0) t.crossbar_span(id_, trace_kind_, trace_begin_, trace_end_, trace_args_);
  trace_kind_ = nullptr;
}

void Core::exec_xprog(const Instruction& in) {
  const int xb = in.imm0, block = in.imm1;
  if (xb < 0 || xb >= int(crossbars_.size()))
    fail("crossbar " + std::to_string(xb) + " does not exist (the core has " + std::to_string(crossbars_.size()) + ")");
  if (block < 0 || size_t(block) >= image_->blocks.size())
    fail("weight block " + std::to_string(block) + " does not exist (the image has " +
         std::to_string(image_->blocks.size()) + ")");
  const bool functional = control_.mode == RunMode::Functional;
  // Crossbar contents are cached across runs of the same image: only the
  // time and the events are charged again. A non-ideal device keeps its
  // draw: every run of a resident image re-simulates its set-up for the
  // report, but the deployment programs the weights once (a block loaded
  // over another one, within or across runs, is a new programming and a
  // new draw).
  const int64_t tag = int64_t(image_serial_ << 32) | int64_t(block) << 1 | (functional ? 1 : 0);
  Crossbar& x = *crossbars_[size_t(xb)];
  if (loaded_block_[size_t(xb)] != tag && !(loaded_block_[size_t(xb)] == (tag | 1) && !functional)) {
    try {
      x.program(image_->blocks[size_t(block)], functional, uint32_t(block));
    } catch (const Error& e) {
      fail(e.what());
    }
    loaded_block_[size_t(xb)] = tag;
  }
  active_block_[size_t(xb)] = block;
  ++xprog_generation_;
  const uint64_t rows = uint64_t(x.physical_rows_used()), cols = uint64_t(x.physical_cols_used());
  events_.cells_programmed += rows * cols;
  ++events_.crossbar_programs;
  local_ += timing_.crossbar_program + rows * timing_.crossbar_program_row;
}

const Core::MvmPlan& Core::plan_mvm(const Instruction& in) {
  MvmPlan& p = mvm_plans_[size_t(mvm_slot_[pc_])];
  if (p.generation == xprog_generation_) return p;
  const int first = mvm_first_crossbar(in), count = mvm_crossbar_count(in);
  if (count < 1 || first + count > int(crossbars_.size()))
    fail("crossbars " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
         " are outside the core's " + std::to_string(crossbars_.size()) + " crossbars");
  const int bits = mvm_input_bits(in);
  if (bits > 8) fail("input bits " + std::to_string(bits) + " exceed the 8-bit input path");
  const uint64_t slices = uint64_t(arch_.dac.input_slices(bits));
  p = MvmPlan{};
  p.in_lo = p.out_lo = INT64_MAX;
  int max_cols = 0;
  for (int k = first; k < first + count; ++k) {
    if (active_block_[size_t(k)] < 0) fail("crossbar " + std::to_string(k) + " is not programmed");
    const Crossbar& x = *crossbars_[size_t(k)];
    p.in_lo = std::min<int64_t>(p.in_lo, x.row_offset());
    p.in_hi = std::max<int64_t>(p.in_hi, int64_t(x.row_offset()) + x.rows());
    p.out_lo = std::min<int64_t>(p.out_lo, x.col_offset());
    p.out_hi = std::max<int64_t>(p.out_hi, int64_t(x.col_offset()) + x.cols());
    max_cols = std::max(max_cols, x.physical_cols_used());
    p.events.crossbar_column_reads += uint64_t(x.physical_cols_used()) * slices;
    p.events.adc_conversions += AdcModel::conversions_per_mvm(x.physical_cols_used(), slices);
    p.events.dac_conversions += uint64_t(x.physical_rows_used()) * slices;
    p.events.macs += uint64_t(x.rows()) * uint64_t(x.cols());
    p.events.active_cells += uint64_t(x.physical_rows_used()) * uint64_t(x.physical_cols_used());
    ++p.events.crossbar_activations;
  }
  // Crossbars of the set work in parallel; each has its own ADCs, which
  // convert their shared columns in turn.
  const Picos per_slice = timing_.dac + timing_.crossbar_read + adc_costs_.slice_time(max_cols);
  const uint64_t in_bytes = uint64_t(p.in_hi - p.in_lo);
  const uint64_t out_bytes = 4 * uint64_t(p.out_hi - p.out_lo);
  const bool acc = in.flags & flag::kMvmAccumulate;
  p.time = timing_.buffer_access(in_bytes) + slices * per_slice + timing_.shift_add +
           timing_.buffer_access(out_bytes) * (acc ? 2 : 1);
  p.events.mvms = 1;
  p.events.buffer_bytes = in_bytes + out_bytes * (acc ? 2 : 1);
  p.generation = xprog_generation_;
  return p;
}

void Core::exec_mvm(const Instruction& in) {
  const MvmPlan& p = plan_mvm(in);
  const int64_t in_addr = int64_t(reg(in.ra)) + in.imm2;
  const int64_t out_addr = int64_t(reg(in.rd)) + in.imm1;
  if (out_addr % 4 != 0) fail("output address " + std::to_string(out_addr) + " is not 4-byte aligned");
  // Both ranges are checked as a whole, so every crossbar's slice of them is in bounds.
  const bool functional = buffer_at(in_addr + p.in_lo, p.in_hi - p.in_lo, "input") != nullptr;
  buffer_at(out_addr + 4 * p.out_lo, 4 * (p.out_hi - p.out_lo), "output");
  events_ += p.events;
  local_ += p.time;
  count_crossbar_use(mvm_first_crossbar(in), mvm_crossbar_count(in));
  if (!functional) return;
  buffer_.touch(uint64_t(out_addr + 4 * p.out_lo), uint64_t(4 * (p.out_hi - p.out_lo)));
  const int first = mvm_first_crossbar(in), count = mvm_crossbar_count(in);
  const int bits = mvm_input_bits(in);
  const bool is_signed = in.flags & flag::kMvmSignedInput;
  uint8_t* base = buffer_.data();
  auto out_of = [&](const Crossbar& xb) {  // 4-byte aligned: calloc'd base, aligned address
    return reinterpret_cast<int32_t*>(base + out_addr + 4 * int64_t(xb.col_offset()));
  };
  if (!(in.flags & flag::kMvmAccumulate))
    for (int k = first; k < first + count; ++k) std::fill_n(out_of(*crossbars_[size_t(k)]), crossbars_[size_t(k)]->cols(), 0);
  for (int k = first; k < first + count; ++k) {
    const Crossbar& xb = *crossbars_[size_t(k)];
    xb.mvm_accumulate(base + in_addr + xb.row_offset(), bits, is_signed, out_of(xb));
  }
}

// Counts each crossbar an Mvm reads once per layer and block it holds. The
// set is consulted only when a crossbar's (layer, block) changed since its
// last check: after programming or in a new layer, not on every Mvm.
void Core::count_crossbar_use(int first, int count) {
  for (int k = first; k < first + count; ++k) {
    const int block = active_block_[size_t(k)];
    const int64_t checked = int64_t(layer_ + 1) << 32 | int64_t(uint32_t(block));
    if (use_checked_[size_t(k)] == checked) continue;
    use_checked_[size_t(k)] = checked;
    if (!layer_uses_.insert(int64_t(k) << 32 | int64_t(uint32_t(block))).second) continue;
    const Crossbar& x = *crossbars_[size_t(k)];
    ++events_.crossbars_used;
    events_.cells_used += uint64_t(x.physical_rows_used()) * uint64_t(x.physical_cols_used());
  }
}

void Core::exec_gpeu(const Instruction& in) {
  const int64_t vl = gpeu_.vl();
  if (vl < 0) fail("vector length VL = " + std::to_string(vl) + " is negative");
  const int64_t dst = int64_t(reg(in.rd)) + in.imm0;
  const int64_t a = int64_t(reg(in.ra)) + in.imm1;
  const int64_t b = int64_t(reg(in.rb)) + in.imm2;
  auto aligned = [&](int64_t address, const char* operand) {
    if (address % 4 != 0) fail(std::string(operand) + " address " + std::to_string(address) + " is not 4-byte aligned");
  };
  uint64_t bytes = 0;
  switch (in.op) {
    case Opcode::Vreq: {
      aligned(a, "source");
      const bool bias = in.flags & flag::kVreqBias;
      if (bias) aligned(b, "bias");
      uint8_t* d = buffer_at(dst, vl, "destination");
      const uint8_t* s = buffer_at(a, 4 * vl, "source");
      const uint8_t* bi = bias ? buffer_at(b, 4 * vl, "bias") : nullptr;
      if (d) { gpeu_.vreq(d, s, bi, in.flags & flag::kVreqHalfEven); buffer_.touch(uint64_t(dst), uint64_t(vl)); }
      bytes = uint64_t(vl) * (bias ? 9 : 5);
      break;
    }
    case Opcode::Vmac: {
      aligned(dst, "destination");
      uint8_t* d = buffer_at(dst, 4 * vl, "destination");
      const uint8_t* s = buffer_at(a, vl, "source");
      if (d) { gpeu_.vmac(d, s, in.flags & flag::kSigned8, in.imm2); buffer_.touch(uint64_t(dst), uint64_t(4 * vl)); }
      bytes = uint64_t(vl) * 9;
      break;
    }
    case Opcode::Vadd32: {
      aligned(dst, "destination"); aligned(a, "first source"); aligned(b, "second source");
      uint8_t* d = buffer_at(dst, 4 * vl, "destination");
      const uint8_t* s = buffer_at(a, 4 * vl, "first source");
      const uint8_t* t = buffer_at(b, 4 * vl, "second source");
      if (d) { gpeu_.vadd32(d, s, t); buffer_.touch(uint64_t(dst), uint64_t(4 * vl)); }
      bytes = uint64_t(vl) * 12;
      break;
    }
    case Opcode::Vmax8: {
      uint8_t* d = buffer_at(dst, vl, "destination");
      const uint8_t* s = buffer_at(a, vl, "first source");
      const uint8_t* t = buffer_at(b, vl, "second source");
      if (d) { gpeu_.vmax8(d, s, t, in.flags & flag::kSigned8); buffer_.touch(uint64_t(dst), uint64_t(vl)); }
      bytes = uint64_t(vl) * 3;
      break;
    }
    case Opcode::Vlut: {
      uint8_t* d = buffer_at(dst, vl, "destination");
      const uint8_t* s = buffer_at(a, vl, "source");
      const uint8_t* t = buffer_at(b, 256, "table");
      if (d) { gpeu_.vlut(d, s, t); buffer_.touch(uint64_t(dst), uint64_t(vl)); }
      bytes = uint64_t(vl) * 3;  // a source byte, a table byte, a result byte
      break;
    }
    case Opcode::Vmul8: {
      aligned(dst, "destination");
      uint8_t* d = buffer_at(dst, 4 * vl, "destination");
      const uint8_t* s = buffer_at(a, vl, "first source");
      const uint8_t* t = buffer_at(b, vl, "second source");
      if (d) {
        gpeu_.vmul8(d, s, t, in.flags & flag::kSigned8, in.flags & flag::kSigned8B);
        buffer_.touch(uint64_t(dst), uint64_t(4 * vl));
      }
      bytes = uint64_t(vl) * 6;
      break;
    }
    case Opcode::Vfill32: {
      aligned(dst, "destination");
      uint8_t* d = buffer_at(dst, 4 * vl, "destination");
      if (d) { gpeu_.vfill32(d, in.imm1); buffer_.touch(uint64_t(dst), uint64_t(4 * vl)); }
      bytes = uint64_t(vl) * 4;
      break;
    }
    case Opcode::Vsoftmax: {  // three passes over the values: max, exponentials and their sum, quotients
      aligned(b, "constants");
      const int64_t stride = gpeu_.get(VcfgReg::Stride);
      if (stride < 1) fail("vsoftmax needs STRIDE >= 1 (the values' spacing in bytes)");
      const int64_t span = vl == 0 ? 0 : (vl - 1) * stride + 1;
      uint8_t* d = buffer_at(dst, span, "destination");
      const uint8_t* s = buffer_at(a, span, "source");
      const uint8_t* k = buffer_at(b, 4 * softmax_word::kCount, "constants");
      if (d) {
        gpeu_.vsoftmax(d, s, k, stride, in.flags & flag::kSigned8, in.flags & flag::kSoftmaxLog);
        buffer_.touch(uint64_t(dst), uint64_t(span));
      }
      bytes = uint64_t(vl) * 11;  // the source twice, an exponential (4 bytes) twice, the result
      events_.gpeu_ops += uint64_t(3 * vl);
      events_.buffer_bytes += bytes;
      local_ += gpeu_.time(uint64_t(3 * vl), bytes);
      return;
    }
    case Opcode::Vcopy: {
      const int64_t rows = gpeu_.get(VcfgReg::Rows), stride = gpeu_.get(VcfgReg::Stride);
      if (rows < 0 || stride < 0) fail("ROWS and STRIDE must not be negative");
      uint8_t* d = buffer_at(dst, rows * vl, "destination");
      const int64_t span = rows == 0 ? 0 : (rows - 1) * stride + vl;
      const uint8_t* s = buffer_at(a, span, "source");
      if (d) { gpeu_.vcopy(d, s); buffer_.touch(uint64_t(dst), uint64_t(rows * vl)); }
      bytes = uint64_t(rows * vl) * 2;
      events_.gpeu_ops += uint64_t(rows * vl);
      events_.buffer_bytes += bytes;
      local_ += gpeu_.time(uint64_t(rows * vl), bytes);
      return;
    }
    default: break;
  }
  events_.gpeu_ops += uint64_t(vl);
  events_.buffer_bytes += bytes;
  local_ += gpeu_.time(uint64_t(vl), bytes);
}

void Core::exec_dma(const Instruction& in) {
  const bool is_load = in.op == Opcode::Load;
  // load: buffer[rd + imm0] <- memory[ra + imm1]; store: memory[rd + imm0] <- buffer[ra + imm1]
  const int64_t first = int64_t(reg(in.rd)) + in.imm0, second = int64_t(reg(in.ra)) + in.imm1;
  const int64_t buffer_address = is_load ? first : second;
  const int64_t memory_address = is_load ? second : first;
  const int64_t bytes = int64_t(reg(in.rb)) + in.imm2;
  if (bytes < 0) fail("byte count " + std::to_string(bytes) + " is negative");
  if (memory_address < 0 || uint64_t(memory_address) + uint64_t(bytes) > uint64_t(arch_.memory.bytes))
    fail("global memory range [" + std::to_string(memory_address) + ", " + std::to_string(memory_address + bytes) +
         ") is outside the " + std::to_string(arch_.memory.bytes) + "-byte memory");
  uint8_t* data = buffer_at(buffer_address, bytes, is_load ? "destination" : "source");
  sync();
  trans_.set_command(is_load ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
  trans_.set_address(uint64_t(memory_address));
  trans_.set_data_ptr(data);
  trans_.set_data_length(unsigned(bytes));
  trans_.set_streaming_width(unsigned(bytes));
  trans_.set_byte_enable_ptr(nullptr);
  trans_.set_dmi_allowed(false);
  trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = sc_core::SC_ZERO_TIME;
  noc_transport(delay);
  if (trans_.get_response_status() != tlm::TLM_OK_RESPONSE) fail("global memory refused the transfer");
  if (data && is_load) buffer_.touch(uint64_t(buffer_address), uint64_t(bytes));
  events_.memory_bytes_transferred += uint64_t(bytes);
  events_.bytes_moved += uint64_t(bytes);
  events_.buffer_bytes += uint64_t(bytes);
  local_ += Picos(delay.value()) + timing_.buffer_access(uint64_t(bytes));
}

void Core::noc_transport(sc_time& delay, uint64_t flow) {
  SourceCore* source = trans_.get_extension<SourceCore>();
  if (!source) {
    source = new SourceCore;
    trans_.set_extension(source);
  }
  source->core = id_;
  source->flit_hops = 0;
  source->flow = flow;
  noc->b_transport(trans_, delay);
  events_.noc_flit_hops += source->flit_hops;
}

void Core::exec_send(const Instruction& in) {
  const int dst = in.imm0;
  const int64_t address = int64_t(reg(in.ra)) + in.imm1;
  const int64_t bytes = int64_t(reg(in.rb)) + in.imm2;
  if (dst < 0 || dst >= arch_.cores() || dst == id_)
    fail("destination core " + std::to_string(dst) + " is not another core of the " + std::to_string(arch_.cores()) +
         "-core SoC");
  if (bytes < 0) fail("byte count " + std::to_string(bytes) + " is negative");
  uint8_t* data = buffer_at(address, bytes, "source");
  local_ += timing_.buffer_access(uint64_t(bytes));
  sync();
  trans_.set_command(tlm::TLM_WRITE_COMMAND);
  trans_.set_address(mailbox_address(dst));
  trans_.set_data_ptr(data);
  trans_.set_data_length(unsigned(bytes));
  trans_.set_streaming_width(unsigned(bytes));
  trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = sc_core::SC_ZERO_TIME;
  if (control_.trace) trace_flow_ = ++control_.traced_messages;
  noc_transport(delay, control_.trace ? trace_flow_ : 0);
  if (trans_.get_response_status() != tlm::TLM_OK_RESPONSE) fail("the NoC refused the message");
  events_.bytes_moved += uint64_t(bytes);
  events_.buffer_bytes += uint64_t(bytes);
  local_ += Picos(delay.value());
}

void Core::mailbox_b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const SourceCore* source = trans.get_extension<SourceCore>();
  if (!source || source->core < 0 || source->core >= int(inbox_.size())) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  Message m;
  m.bytes = trans.get_data_length();
  if (const uint8_t* p = trans.get_data_ptr()) m.data.assign(p, p + m.bytes);
  m.arrival = Picos(sc_core::sc_time_stamp().value()) + Picos(delay.value());
  m.flow = source->flow;
  inbox_[size_t(source->core)].push_back(std::move(m));
  mail_event_.notify();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Core::exec_recv(const Instruction& in) {
  const int src = in.imm0;
  const int64_t address = int64_t(reg(in.ra)) + in.imm1;
  const int64_t bytes = int64_t(reg(in.rb)) + in.imm2;
  if (src < 0 || src >= arch_.cores() || src == id_)
    fail("source core " + std::to_string(src) + " is not another core of the " + std::to_string(arch_.cores()) +
         "-core SoC");
  if (bytes < 0) fail("byte count " + std::to_string(bytes) + " is negative");
  uint8_t* data = buffer_at(address, bytes, "destination");
  sync();
  const Picos waited_from = now();
  auto& queue = inbox_[size_t(src)];
  waiting_peer_ = src;
  while (queue.empty()) wait_for(mail_event_, "recv");
  waiting_peer_ = -1;
  Message m = std::move(queue.front());
  queue.pop_front();
  if (m.bytes != uint64_t(bytes))
    fail("received a " + std::to_string(m.bytes) + "-byte message from core " + std::to_string(src) + " but expected " +
         std::to_string(bytes) + " bytes");
  const Picos t = now();
  if (m.arrival > t) {
    wait_ps_ += m.arrival - t;
    local_ += m.arrival - t;
  }
  if (control_.trace) {
    // The recv's slice starts when the message is there, so that its flow
    // runs forward in time from the send; the wait before is a slice of its own.
    trace_flow_ = m.flow;
    trace_recv_begin_ = now();
    if (now() > waited_from) {  // the message had not arrived: waiting for it
      SliceArgs args;
      args.layer = layer_, args.peer = src, args.flow = m.flow;
      control_.trace->span(id_, "recv", "wait", waited_from, now(), args);
    }
  }
  if (data && bytes) {
    std::memcpy(data, m.data.data(), size_t(bytes));
    buffer_.touch(uint64_t(address), uint64_t(bytes));
  }
  events_.bytes_moved += uint64_t(bytes);
  events_.buffer_bytes += uint64_t(bytes);
  local_ += timing_.buffer_access(uint64_t(bytes));
}

void Core::exec_barrier() {
  sync();
  const Picos t = now();
  if (++control_.barrier_arrived == control_.barrier_participants) {
    control_.barrier_arrived = 0;
    control_.barrier_release.notify(sc_time::from_value(timing_.barrier));
    wait_for(control_.barrier_release, "barrier");
  } else {
    wait_for(control_.barrier_release, "barrier");
  }
  if (control_.trace) {
    SliceArgs args;
    args.layer = layer_;
    control_.trace->span(id_, "barrier", "wait", t, now(), args);
  }
}

}  // namespace cimvp
