#include "models/noc_mesh.h"

#include <algorithm>
#include <cstdlib>

#include "models/address_map.h"

namespace cimvp {
namespace {
enum Dir { kEast = 0, kWest = 1, kNorth = 2, kSouth = 3 };
}

NocMesh::NocMesh(sc_core::sc_module_name name, const MeshParams& mesh, const NocParams& noc, const Timing& timing)
    : sc_module(name),
      from_cores("from_cores"),
      to_mailboxes("to_mailboxes"),
      to_memory("to_memory"),
      timing_(timing),
      rows_(mesh.rows),
      cols_(mesh.cols),
      memory_node_(noc.memory_port_row * mesh.cols + noc.memory_port_col) {
  const int n = rows_ * cols_;
  // 4 router-to-router links per node, then injection, ejection, memory link.
  link_free_.assign(size_t(6 * n + 1), 0);
  from_cores.register_b_transport(this, &NocMesh::b_transport);
}

void NocMesh::reset() {
  std::fill(link_free_.begin(), link_free_.end(), 0);
  flit_hops_ = 0;
}

int NocMesh::hops(int from, int to) const {
  if (from == kMemoryNode) from = memory_node_;
  if (to == kMemoryNode) to = memory_node_;
  return std::abs(from / cols_ - to / cols_) + std::abs(from % cols_ - to % cols_);
}

std::string NocMesh::link_name(int link) const {
  const int n = rows_ * cols_;
  if (link == 6 * n) return "memory port";
  static const char* const kDirections[] = {"east", "west", "north", "south"};
  const std::string node = "core " + std::to_string(link < 4 * n ? link / 4 : link % n) + " ";
  if (link < 4 * n) return node + kDirections[link % 4];
  return node + (link < 5 * n ? "inject" : "eject");
}

void NocMesh::route(int from, int to, std::vector<int>& links) const {
  int r = from / cols_, c = from % cols_;
  const int tr = to / cols_, tc = to % cols_;
  while (c != tc) {  // X first
    const int dir = tc > c ? kEast : kWest;
    links.push_back((r * cols_ + c) * 4 + dir);
    c += tc > c ? 1 : -1;
  }
  while (r != tr) {  // then Y
    const int dir = tr > r ? kSouth : kNorth;
    links.push_back((r * cols_ + c) * 4 + dir);
    r += tr > r ? 1 : -1;
  }
}

NocMesh::Transfer NocMesh::transfer(int from, int to, uint64_t bytes, Picos start) {
  const int n = rows_ * cols_;
  const int memory_link = 6 * n;
  const int src = from == kMemoryNode ? memory_node_ : from;
  const int dst = to == kMemoryNode ? memory_node_ : to;
  path_.clear();
  path_.push_back(from == kMemoryNode ? memory_link : 4 * n + src);  // injection
  const size_t first_hop = path_.size();
  route(src, dst, path_);
  const size_t router_hops = path_.size() - first_hop;
  path_.push_back(to == kMemoryNode ? memory_link : 5 * n + dst);  // ejection

  const Picos serialization = timing_.noc_serialization(bytes);
  Picos head = start, injected = start;
  for (size_t i = 0; i < path_.size(); ++i) {
    Picos& free_at = link_free_[size_t(path_[i])];
    const Picos begin = std::max(head, free_at);
    free_at = begin + serialization;
    if (trace_) trace_->link_span(path_[i], begin, free_at, from, to, bytes);
    if (i == 0) injected = begin + serialization;
    const bool router_link = i >= first_hop && i < first_hop + router_hops;
    head = begin + (router_link ? timing_.noc_hop : 0);
  }
  // `head` is when the head entered the ejection link; the tail follows.
  const uint64_t flits = std::max<uint64_t>(1, ceil_div(bytes, uint64_t(std::max(timing_.noc_link_bytes, 1))));
  const uint64_t flit_hops = flits * (router_hops + 1);
  flit_hops_ += flit_hops;
  return {injected, head + serialization, flit_hops};
}

void NocMesh::b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const Picos now = Picos(sc_core::sc_time_stamp().value());
  const Picos start = now + Picos(delay.value());
  const uint64_t address = trans.get_address();
  const uint64_t bytes = trans.get_data_length();
  SourceCore* source = trans.get_extension<SourceCore>();
  auto charge = [&](const Transfer& t) {
    if (source) source->flit_hops += t.flit_hops;
    return t;
  };

  if (is_mailbox_address(address)) {
    // A message: the sender is free once it has injected the data; the
    // receiver's mailbox learns the arrival time through the delay.
    const int dst = mailbox_core(address);
    if (dst < 0 || dst >= int(to_mailboxes.size())) {
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    const Transfer t = charge(transfer(id, dst, bytes, start));
    sc_core::sc_time arrival = sc_core::sc_time::from_value(t.arrived - now);
    to_mailboxes[dst]->b_transport(trans, arrival);
    delay = sc_core::sc_time::from_value(t.injected - now);
    return;
  }

  // Global memory: a write carries the data to the controller; a read sends
  // a request (a header, no payload) and the data comes back.
  if (trans.is_write()) {
    const Transfer t = charge(transfer(id, kMemoryNode, bytes, start));
    sc_core::sc_time d = sc_core::sc_time::from_value(t.arrived - now);
    to_memory->b_transport(trans, d);
    delay = d;
  } else {
    const Transfer request = charge(transfer(id, kMemoryNode, 0, start));
    sc_core::sc_time d = sc_core::sc_time::from_value(request.arrived - now);
    to_memory->b_transport(trans, d);
    if (trans.get_response_status() != tlm::TLM_OK_RESPONSE) return;
    const Transfer data = charge(transfer(kMemoryNode, id, bytes, now + Picos(d.value())));
    delay = sc_core::sc_time::from_value(data.arrived - now);
  }
}

}  // namespace cimvp
