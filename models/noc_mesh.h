// The network on chip: a 2D mesh of routers, one per core, with XY routing.
// A transfer's head pays noc.hop_cycles per router-to-router hop and every
// link on the path is occupied for the transfer's serialization time
// (bytes / noc.link_bytes cycles); a transfer that finds a link occupied
// waits for it, which is how messages that share a link contend. Each node
// also has an injection and an ejection link, and the global memory
// controller hangs off the router at (noc.memory_port_row, noc.memory_port_col)
// through its own link.
//
// Links are reserved in the order transfers are issued; cores synchronize to
// global time before every transfer, so that order is simulated-time order.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/timing.h"
#include "models/trace_sink.h"
#include "config/arch_config.h"

namespace cimvp {

class NocMesh : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<NocMesh> from_cores;       // bind core i i-th
  tlm_utils::multi_passthrough_initiator_socket<NocMesh> to_mailboxes;  // bind core i i-th
  tlm_utils::simple_initiator_socket<NocMesh> to_memory;

  NocMesh(sc_core::sc_module_name name, const MeshParams& mesh, const NocParams& noc, const Timing& timing);

  void reset();
  // Reports every link's busy interval to `trace` (nullptr: none) from now on.
  void set_trace(TraceSink* trace) { trace_ = trace; }
  int links() const { return int(link_free_.size()); }
  // "core 5 east" (router-to-router), "core 5 inject", "core 5 eject", "memory port".
  std::string link_name(int link) const;
  uint64_t flit_hops() const { return flit_hops_; }
  int hops(int from, int to) const;
  int memory_node() const { return memory_node_; }

  struct Transfer {
    Picos injected;  // the sender has pushed its last byte
    Picos arrived;   // the last byte has reached the destination
    uint64_t flit_hops;  // flits x links traversed (router-to-router hops + 1)
  };
  // Moves `bytes` from node `from` to node `to` (either may be kMemoryNode),
  // starting at absolute time `start`.
  static constexpr int kMemoryNode = -1;
  Transfer transfer(int from, int to, uint64_t bytes, Picos start);

 private:
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void route(int from, int to, std::vector<int>& links) const;  // router-to-router links

  const Timing& timing_;
  int rows_, cols_, memory_node_;
  std::vector<Picos> link_free_;  // per link: the time it is next free
  std::vector<int> path_;         // scratch
  uint64_t flit_hops_ = 0;
  TraceSink* trace_ = nullptr;
};

}  // namespace cimvp
