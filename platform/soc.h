// The accelerator as one SystemC design, assembled from an ArchConfig: a mesh
// of cores, the NoC and the global memory. It is elaborated once per process
// and then runs image after image: load() checks an image against the
// architecture, run() resets every component, writes the inputs, simulates
// until every core halts and reports the difference. No global state: two
// Soc objects (elaborated before the first run) do not share anything.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "firmware/image.h"
#include "models/core.h"
#include "models/global_memory.h"
#include "models/noc_mesh.h"
#include "models/run_control.h"
#include "models/timing.h"
#include "platform/config/arch_config.h"
#include "platform/report.h"

namespace cimvp {

using TensorBytes = std::vector<uint8_t>;

struct RunResult {
  Report report;
  std::vector<TensorBytes> outputs;  // functional runs: one per image output, in its layout
};

class Soc : public sc_core::sc_module {
 public:
  // A host VP reaches global memory through this socket (addresses from 0);
  // it may stay unbound.
  tlm_utils::simple_target_socket_optional<Soc> host;

  Soc(sc_core::sc_module_name name, const ArchConfig& arch);

  const ArchConfig& arch() const { return arch_; }
  int cores() const { return arch_.cores(); }

  // Checks `image` against this architecture and keeps a copy. `source`
  // names the image in error messages (its file name).
  void load(const FirmwareImage& image, const std::string& source = "<image>");
  void load(FirmwareImage&& image, const std::string& source = "<image>");
  const FirmwareImage& image() const { return image_; }

  // One run of the loaded image. `inputs` holds one byte vector per image
  // input (ignored in timing mode, where it may be empty). Throws
  // cimvp::Error for a run-time fault (naming core and instruction) or a deadlock.
  RunResult run(RunMode mode, const std::vector<TensorBytes>& inputs = {}, TraceSink* trace = nullptr);

 private:
  void check_image(const FirmwareImage& image, const std::string& source) const;
  void abort_run();
  void host_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  Report make_report(RunMode mode, Picos start, double host_seconds) const;

  ArchConfig arch_;
  Timing timing_;
  RunControl control_;
  NocMesh noc_;
  GlobalMemory memory_;
  std::vector<std::unique_ptr<Core>> cores_;
  FirmwareImage image_;
  std::string source_;
  bool loaded_ = false;
  uint64_t serial_ = 0;
};

}  // namespace cimvp
