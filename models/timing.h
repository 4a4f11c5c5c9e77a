// Timing parameters of an ArchConfig converted once to integer picoseconds,
// the unit every model computes in (SystemC's default time resolution), so
// that simulated times are exact sums: T x 56 us + E x 1.4 us is exact.
#pragma once

#include <cmath>
#include <cstdint>

#include "config/arch_config.h"

namespace cimvp {

using Picos = uint64_t;

inline Picos ns_to_ps(double ns) { return Picos(std::llround(ns * 1000.0)); }

// ceil(a / b) for b > 0; a width of 0 means "infinitely wide": no cost.
inline uint64_t ceil_div(uint64_t a, uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

struct Timing {
  explicit Timing(const ArchConfig& a)
      : cycle(ns_to_ps(a.cycle_ns())),
        issue(cycle * a.core.issue_cycles),
        barrier(cycle * a.core.barrier_cycles),
        crossbar_read(ns_to_ps(a.crossbar.read_ns)),
        crossbar_program(ns_to_ps(a.crossbar.program_ns)),
        crossbar_program_row(ns_to_ps(a.crossbar.program_row_ns)),
        dac(ns_to_ps(a.dac.ns)),
        shift_add(cycle * a.shift_add.cycles),
        buffer_latency(cycle * a.buffer.latency_cycles),
        buffer_width(a.buffer.width_bytes),
        gpeu_startup(cycle * a.gpeu.startup_cycles),
        gpeu_lanes(a.gpeu.lanes),
        noc_hop(cycle * a.noc.hop_cycles),
        noc_link_bytes(a.noc.link_bytes),
        memory_latency(ns_to_ps(a.memory.latency_ns)),
        memory_bytes_per_ns(a.memory.bytes_per_ns) {}

  Picos cycle, issue, barrier;
  Picos crossbar_read, crossbar_program, crossbar_program_row, dac;  // the ADC's: AdcCosts (models/adc.h)
  Picos shift_add;
  Picos buffer_latency;
  int buffer_width;
  Picos gpeu_startup;
  int gpeu_lanes;
  Picos noc_hop;
  int noc_link_bytes;
  Picos memory_latency;
  double memory_bytes_per_ns;

  // One buffer access moving `bytes` bytes.
  Picos buffer_access(uint64_t bytes) const {
    return bytes == 0 ? 0 : buffer_latency + cycle * ceil_div(bytes, buffer_width);
  }
  // One GPEU operation over `elements` lanes' worth of work.
  Picos gpeu_op(uint64_t elements) const { return gpeu_startup + cycle * ceil_div(elements, gpeu_lanes); }
  // Serialization of `bytes` over one NoC link.
  Picos noc_serialization(uint64_t bytes) const { return cycle * ceil_div(bytes, noc_link_bytes); }
  // DRAM transfer time for `bytes` (latency excluded); 0 bytes/ns = unlimited.
  Picos memory_transfer(uint64_t bytes) const {
    return memory_bytes_per_ns <= 0 ? 0 : Picos(std::llround(double(bytes) / memory_bytes_per_ns * 1000.0));
  }
};

}  // namespace cimvp
