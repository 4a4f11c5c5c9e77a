// Global memory (DRAM) behind one controller: a TLM-2.0 target with a
// latency and a bandwidth shared by every requester (transfers queue on one
// channel, so concurrent DMAs contend).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/local_buffer.h"
#include "models/timing.h"
#include "models/trace_sink.h"

namespace cimvp {

class GlobalMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<GlobalMemory> socket;

  GlobalMemory(sc_core::sc_module_name name, uint64_t bytes, const Timing& timing);

  // Storage for functional runs (allocated on first use, zero-filled).
  LocalBuffer& storage() { return storage_; }
  void reset();          // new run: clear written bytes, then reset_channel()
  void reset_channel();  // idle channel, zero counters; the contents stay (a host wrote the inputs)
  uint64_t bytes_transferred() const { return bytes_; }
  // Reports the channel's busy intervals to `trace` (nullptr: none) from now on.
  void set_trace(TraceSink* trace) { trace_ = trace; }

  // The socket's transport, also called directly by the SoC's host port.
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

 private:

  LocalBuffer storage_;
  const Timing& timing_;
  Picos channel_free_ = 0;  // absolute time the channel finishes its queued transfers
  uint64_t bytes_ = 0;
  TraceSink* trace_ = nullptr;
};

}  // namespace cimvp
