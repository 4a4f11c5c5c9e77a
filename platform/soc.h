// The accelerator as one SystemC design, assembled from an ArchConfig: a mesh
// of cores, the NoC and the global memory. It is elaborated once per process
// and then runs image after image: load() checks an image against the
// architecture, run() resets every component, writes the inputs, simulates
// until every core halts and reports the difference. No global state: two
// Soc objects (elaborated before the first run) do not share anything.
// Inside another VP, a host can also drive runs through the `host` socket's
// control registers (platform/host_registers.h) while it owns sc_start.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "firmware/arch_limits.h"
#include "firmware/image.h"
#include "models/core.h"
#include "models/global_memory.h"
#include "models/noc_mesh.h"
#include "models/run_control.h"
#include "models/timing.h"
#include "config/arch_config.h"
#include "platform/area.h"
#include "platform/energy.h"
#include "platform/report.h"

namespace cimvp {

using TensorBytes = std::vector<uint8_t>;

// What instructions may name on `arch` (firmware/arch_limits.h): the loader
// and `cimvp asm --arch` check images with it.
ArchLimits arch_limits(const ArchConfig& arch);

struct RunResult {
  Report report;
  std::vector<TensorBytes> outputs;  // functional runs: one per image output, in its layout
};

class Soc : public sc_core::sc_module {
 public:
  // A host VP reaches global memory through this socket (addresses from 0)
  // and the control registers (host_registers.h); it may stay unbound.
  tlm_utils::simple_target_socket_optional<Soc> host;
  // Notified when a run started through the control registers has ended.
  sc_core::sc_event run_done;

  Soc(sc_core::sc_module_name name, const ArchConfig& arch);

  const ArchConfig& arch() const { return arch_; }
  int cores() const { return arch_.cores(); }

  // Checks `image` against this architecture and keeps a copy. `source`
  // names the image in error messages (its file name).
  void load(const FirmwareImage& image, const std::string& source = "<image>");
  void load(FirmwareImage&& image, const std::string& source = "<image>");
  const FirmwareImage& image() const { return image_; }

  // Forces every crossbar through the bit-accurate path (cells, DAC digits,
  // ADC, shift-and-add) even where the ideal-ADC fast path applies, to check
  // the fast path or to trust a result without it; slower, same bits.
  void set_bit_accurate_crossbars(bool on);
  // A new device.seed without a new elaboration (the seed changes no
  // structure): every crossbar draws its cells again from it. Like load(),
  // it starts the count of inferences, and so their ages, again.
  void set_device_seed(uint64_t seed);
  // The next functional run is inference k (counted from load() or
  // set_device_seed()): its read noise and, with a refresh interval, its
  // cells' age are inference k's. For a process that classifies a run's
  // images from the k-th on (flow/run_in_processes.h).
  void set_next_inference(uint64_t k) { inferences_ = k; }
  uint64_t next_inference() const { return inferences_; }
  // The age of the cells at the last functional run's reads, seconds
  // (models/device/lifetime.h): with a refresh interval inference k reads
  // at its own age; without, device.read_time_s.
  double read_age_s() const { return read_age_s_; }
  // ADC range calibration (flow/adc_calibration.h): while set, every
  // crossbar computes exact products and counts its column sums; nullptr ends it.
  void set_column_sum_recorder(ColumnSumRecorder* recorder);

  // One run of the loaded image. `inputs` holds one byte vector per image
  // input (ignored in timing mode, where it may be empty). Throws
  // cimvp::Error for a run-time fault (naming core and instruction) or a deadlock.
  RunResult run(RunMode mode, const std::vector<TensorBytes>& inputs = {}, TraceSink* trace = nullptr);

  // The last run started through the control registers: its report (when
  // it completed) and its error message (when it failed or was refused).
  const Report& last_report() const { return host_report_; }

  // What the NoC and the global memory counted themselves during the last
  // run. The report charges the same flit-hops and bytes to the cores and
  // layers that caused them; these are the independent totals to check it by.
  uint64_t noc_flit_hops() const { return noc_.flit_hops(); }
  uint64_t memory_bytes_transferred() const { return memory_.bytes_transferred(); }
  const std::string& last_error() const { return host_error_; }

 private:
  void check_image(const FirmwareImage& image, const std::string& source) const;
  void abort_run();
  // The two halves of starting a run, shared by run() and the registers.
  void reset_memory(bool functional);
  void start_cores(RunMode mode, TraceSink* trace);
  void host_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void host_register(tlm::tlm_generic_payload& trans);
  void host_command(uint64_t command);
  void on_all_halted();  // ends a register-started run
  Report make_report(RunMode mode, Picos start, double host_seconds) const;

  ArchConfig arch_;
  Timing timing_;
  const EventEnergies energies_;  // priced once: every run's report uses them
  const AreaBreakdown area_;
  RunControl control_;
  NocMesh noc_;
  GlobalMemory memory_;
  std::vector<std::unique_ptr<Core>> cores_;
  FirmwareImage image_;
  std::string source_;
  bool loaded_ = false;
  uint64_t serial_ = 0;
  uint64_t inferences_ = 0;  // functional runs since load() or set_device_seed()
  double read_age_s_ = 0;

  // register-started runs
  uint64_t host_status_ = 0;  // host_registers::kStatus*
  RunMode host_mode_ = RunMode::Functional;
  Picos host_start_ = 0;
  Report host_report_;
  std::string host_error_;
};

}  // namespace cimvp
