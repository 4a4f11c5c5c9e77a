// One core of the accelerator: a control unit executing its instruction
// stream, crossbars grouped in processing elements, a GPEU, a local buffer
// and a DMA engine. Components inside the core are plain C++ objects called
// directly; TLM-2.0 sockets connect the core to the NoC (DMA, messages out)
// and receive messages (mailbox).
//
// Speed: the core is one SC_THREAD that runs ahead of global time with a
// local offset (temporal decoupling) and synchronizes only where cores
// interact: DMA, send, receive, barrier and halt. An Mvm costs no SystemC
// call at all; its timing is computed once per instruction and crossbar
// programming and cached.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "firmware/image.h"
#include "models/crossbar.h"
#include "models/events.h"
#include "models/gpeu.h"
#include "models/local_buffer.h"
#include "models/run_control.h"
#include "models/timing.h"
#include "config/arch_config.h"

namespace cimvp {

class Core : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Core> noc;     // DMA and outgoing messages
  tlm_utils::simple_target_socket<Core> mailbox;    // incoming messages

  Core(sc_core::sc_module_name name, int id, const ArchConfig& arch, const Timing& timing, RunControl& control);

  // Binds the core to its program in `image` (which must outlive the runs).
  // `image_serial` changes whenever a different image is loaded, so cached
  // crossbar contents are never reused across images.
  void load(const FirmwareImage& image, uint64_t image_serial);
  // Resets the per-run state and schedules the core to start at the next delta.
  void begin_run();
  // How the crossbars compute (models/crossbar.h); results are the same
  // wherever the fast path applies, so only speed and trust differ.
  void set_crossbar_path(Crossbar::Path path);
  // ADC range calibration: every crossbar counts its column sums (crossbar.h).
  void set_column_sum_recorder(ColumnSumRecorder* recorder);
  // device.seed for every crossbar's draws; programmed cells are drawn anew.
  void set_device_seed(uint64_t seed);
  // The age of every crossbar's cells at the reads that follow (Crossbar::set_age).
  void set_cell_age(double seconds);
  // The inference the reads that follow belong to (Crossbar::set_inference).
  void set_inference(uint64_t k);

  int id() const { return id_; }
  bool has_code() const { return program_ && !program_->code.empty(); }
  bool halted() const { return halted_; }
  std::string waiting_description() const;  // for deadlock reports
  LocalBuffer& buffer() { return buffer_; }

  // statistics of the last run
  const EventCounts& events() const { return events_; }
  Picos start_time() const { return start_ps_; }
  Picos end_time() const { return end_ps_; }
  Picos wait_time() const { return wait_ps_; }

 private:
  struct Message {
    std::vector<uint8_t> data;  // empty in timing-only runs
    uint64_t bytes = 0;
    Picos arrival = 0;
    uint64_t flow = 0;  // traced runs: its flow id (SliceArgs::flow)
  };
  // Timing and extents of one Mvm instruction for the current crossbar contents.
  struct MvmPlan {
    uint64_t generation = ~uint64_t(0);
    Picos time = 0;
    EventCounts events;
    int64_t in_lo = 0, in_hi = 0;    // input bytes [in_lo, in_hi) relative to the operand
    int64_t out_lo = 0, out_hi = 0;  // output int32 elements
  };

  void thread();
  void execute();
  void mailbox_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  // helpers for the interpreter
  [[noreturn]] void fail(const std::string& what) const;
  Picos now() const { return Picos(sc_core::sc_time_stamp().value()) + local_; }
  void sync();
  void wait_for(sc_core::sc_event& event, const char* what);
  uint8_t* buffer_at(int64_t address, int64_t bytes, const char* operand);
  int32_t reg(int r) const { return regs_[r]; }
  void set_reg(int r, int32_t v) { if (r != 0) regs_[r] = v; }
  void enter_layer(int layer, Picos t);
  // Trace: one slice per run of instructions of one kind (mvm, xprog, gpeu,
  // dma, barrier) on the core's track and, for mvm and xprog, on the track
  // of the crossbar group they use; one slice per send and per recv, which
  // carry their message's flow id. Scalar instructions are not traced.
  void trace_instruction(const Instruction& in, Picos begin);
  // Emits the open slice with the events counted from its start to `upto`.
  void flush_trace(const EventCounts& upto);

  void exec_xprog(const Instruction& in);
  void exec_mvm(const Instruction& in);
  void count_crossbar_use(int first, int count);
  const MvmPlan& plan_mvm(const Instruction& in);
  void exec_gpeu(const Instruction& in);
  void exec_dma(const Instruction& in);
  void exec_send(const Instruction& in);
  // Sends trans_ into the NoC as this core's transaction and charges the
  // flit-hops the NoC reports back to this core's events.
  void noc_transport(sc_core::sc_time& delay, uint64_t flow = 0);
  void exec_recv(const Instruction& in);
  void exec_barrier();

  const int id_;
  const ArchConfig& arch_;
  const Timing& timing_;
  const AdcCosts adc_costs_;
  RunControl& control_;

  LocalBuffer buffer_;
  Gpeu gpeu_;
  std::vector<std::unique_ptr<Crossbar>> crossbars_;
  std::vector<int> active_block_;        // block programmed in this run, -1 = none
  // EventCounts::crossbars_used: per crossbar the (layer, block) last
  // checked, and the (crossbar, block) pairs the current layer has counted.
  std::vector<int64_t> use_checked_;
  std::unordered_set<int64_t> layer_uses_;
  std::vector<int64_t> loaded_block_;    // block whose weights the crossbar holds (serial-tagged), -1 = none
  uint64_t xprog_generation_ = 0;

  const FirmwareImage* image_ = nullptr;
  const CoreProgram* program_ = nullptr;
  uint64_t image_serial_ = 0;
  std::vector<int> pc_layer_;  // layer of each instruction, -1 = none
  std::vector<int32_t> mvm_slot_;  // per instruction: index into mvm_plans_, -1 if not an Mvm
  std::vector<MvmPlan> mvm_plans_;

  // per-run state
  int32_t regs_[kNumRegisters] = {};
  uint32_t pc_ = 0;
  Picos local_ = 0;
  Picos start_ps_ = 0, end_ps_ = 0, wait_ps_ = 0;
  bool halted_ = true;
  bool start_requested_ = false;
  const char* waiting_on_ = nullptr;
  int waiting_peer_ = -1;
  EventCounts events_;
  int layer_ = -1;
  Picos layer_since_ = 0;
  EventCounts layer_snapshot_;
  const char* trace_kind_ = nullptr;  // the open (coalesced) trace slice
  Picos trace_begin_ = 0, trace_end_ = 0;
  SliceArgs trace_args_;         // its crossbar group, bits and layer
  EventCounts trace_since_;      // the core's events when it opened
  EventCounts trace_before_;     // the core's events before the instruction being executed
  uint64_t trace_flow_ = 0;      // the message of the send or recv just executed
  Picos trace_recv_begin_ = 0;   // when the recv just executed had its message
  std::vector<std::deque<Message>> inbox_;  // per sending core

  sc_core::sc_event start_event_;
  sc_core::sc_event mail_event_;
  tlm::tlm_generic_payload trans_;
};

}  // namespace cimvp
