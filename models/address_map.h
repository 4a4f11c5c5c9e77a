// The accelerator's address map as seen on the NoC (and by a host VP through
// the SoC's target socket): global memory from 0, then one mailbox window per
// core. A message to core c is a TLM write into c's mailbox window.
#pragma once

#include <cstdint>

#include <tlm>

namespace cimvp {

constexpr uint64_t kMailboxBase = uint64_t(1) << 48;
constexpr int kMailboxShift = 32;

inline uint64_t mailbox_address(int core) { return kMailboxBase + (uint64_t(core) << kMailboxShift); }
inline bool is_mailbox_address(uint64_t a) { return a >= kMailboxBase; }
inline int mailbox_core(uint64_t a) { return int((a - kMailboxBase) >> kMailboxShift); }

// Attached to every transaction a core starts: who sent it, and the
// flit-hops the NoC charged it (added by the NoC, read back by the core so
// that the NoC's energy lands on the core and layer that caused it). A
// transaction whose data pointer is null is a timing-only transfer: targets
// charge time and count bytes but move no data.
struct SourceCore : tlm::tlm_extension<SourceCore> {
  int core = -1;
  uint64_t flit_hops = 0;
  uint64_t flow = 0;  // traced runs: the message's flow id (SliceArgs::flow), 0 otherwise
  tlm::tlm_extension_base* clone() const override { return new SourceCore(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const SourceCore&>(other); }
};

}  // namespace cimvp
