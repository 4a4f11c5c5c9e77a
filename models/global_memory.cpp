#include "models/global_memory.h"

#include <algorithm>
#include <cstring>

#include "models/address_map.h"

namespace cimvp {

GlobalMemory::GlobalMemory(sc_core::sc_module_name name, uint64_t bytes, const Timing& timing)
    : sc_module(name), socket("socket"), storage_(bytes), timing_(timing) {
  socket.register_b_transport(this, &GlobalMemory::b_transport);
}

void GlobalMemory::reset() {
  storage_.reset();
  reset_channel();
}

void GlobalMemory::reset_channel() {
  channel_free_ = 0;
  bytes_ = 0;
}

void GlobalMemory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address();
  const uint64_t length = trans.get_data_length();
  if (!storage_.in_bounds(int64_t(address), int64_t(length))) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (uint8_t* data = trans.get_data_ptr()) {
    storage_.allocate();
    if (trans.is_write()) {
      std::memcpy(storage_.data() + address, data, length);
      storage_.touch(address, length);
    } else {
      std::memcpy(data, storage_.data() + address, length);
    }
  }
  // The channel serves transfers one after another at its bandwidth.
  const Picos arrive = Picos(sc_core::sc_time_stamp().value()) + Picos(delay.value());
  const Picos start = std::max(arrive, channel_free_);
  channel_free_ = start + timing_.memory_transfer(length);
  const Picos done = channel_free_ + timing_.memory_latency;
  if (trace_) {  // the host's port (no SourceCore) is not part of a run
    const SourceCore* source = trans.get_extension<SourceCore>();
    if (source) trace_->memory_span(source->core, trans.is_write(), length, arrive, start, channel_free_);
  }
  delay = sc_core::sc_time::from_value(done - Picos(sc_core::sc_time_stamp().value()));
  bytes_ += length;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace cimvp
