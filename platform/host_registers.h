// The control and status registers a host VP uses to drive the accelerator
// through the SoC's `host` TLM-2.0 target socket, next to global memory
// (addresses 0 .. memory bytes). Registers are 64-bit, little-endian, and
// accessed with 8-byte transactions at 8-byte-aligned addresses; anything
// else gets TLM_BURST_ERROR_RESPONSE (wrong size) or
// TLM_ADDRESS_ERROR_RESPONSE (no such register).
//
// A host-driven run, inside the host's own simulation (it owns sc_start):
//   1. write kCommandReset to kCommand: global memory is cleared and the
//      image's memory segments are written (what Soc::run does first);
//   2. write the inputs into global memory at the image's input addresses;
//   3. write kCommandRunFunctional (or kCommandRunTiming) to kCommand: the
//      cores start at the current simulated time;
//   4. wait for Soc::run_done (or poll kStatus), then read kCycles and the
//      outputs from global memory. Soc::last_report() has the whole report,
//      Soc::last_error() the message of a failed run.
// A host-driven run and Soc::run give the same cycles and results.
#pragma once

#include <cstdint>

namespace cimvp::host_registers {

constexpr uint64_t kBase = uint64_t(1) << 40;  // above any global memory

// Offsets from kBase.
constexpr uint64_t kCommand = 0x00;          // write: a command below
constexpr uint64_t kStatus = 0x08;           // read: a status below
constexpr uint64_t kCycles = 0x10;           // read: cycles of the last completed run
constexpr uint64_t kInferenceCycles = 0x18;  // read: its cycles after set-up (Report::inference_cycles)

// Commands.
constexpr uint64_t kCommandReset = 1;
constexpr uint64_t kCommandRunFunctional = 2;
constexpr uint64_t kCommandRunTiming = 3;

// Status values.
constexpr uint64_t kStatusIdle = 0;
constexpr uint64_t kStatusRunning = 1;
constexpr uint64_t kStatusDone = 2;
constexpr uint64_t kStatusFailed = 3;  // a fault (Soc::last_error()) or a refused command

}  // namespace cimvp::host_registers
