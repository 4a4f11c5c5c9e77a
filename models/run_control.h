// What the cores of one SoC share during a run: the mode, the image, the
// barrier, the first error, per-layer statistics and the trace sink. The SoC
// owns it and resets it before every run, so runs never see each other.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <systemc>

#include "firmware/image.h"
#include "models/events.h"
#include "models/timing.h"
#include "models/trace_sink.h"

namespace cimvp {

enum class RunMode { Functional, Timing };

struct LayerStats {
  Picos first = std::numeric_limits<Picos>::max();  // start of its first instruction on any core
  Picos last = 0;                                   // end of its last instruction on any core
  EventCounts events;
  bool seen() const { return last >= first && first != std::numeric_limits<Picos>::max(); }
};

// Thrown inside a core thread to unwind it when the run is aborted.
struct RunAborted {};

struct RunControl {
  RunMode mode = RunMode::Functional;
  const FirmwareImage* image = nullptr;
  TraceSink* trace = nullptr;
  uint64_t traced_messages = 0;  // flow ids handed out (SliceArgs::flow)
  std::vector<LayerStats> layers;

  // the first error of this run; the others are consequences
  bool failed = false;
  std::string error;
  bool aborting = false;
  sc_core::sc_event abort_event;

  // cores still running; when signal_halted is set (runs started through the
  // host registers, not Soc::run) the last one to halt notifies all_halted
  int running = 0;
  bool signal_halted = false;
  sc_core::sc_event all_halted;

  // barrier
  int barrier_participants = 0;
  int barrier_arrived = 0;
  sc_core::sc_event barrier_release;

  void fail(const std::string& message) {
    if (!failed) {
      failed = true;
      error = message;
    }
    if (!aborting) {
      aborting = true;
      abort_event.notify(sc_core::SC_ZERO_TIME);
    }
  }
  void reset(RunMode m, const FirmwareImage* img, TraceSink* sink) {
    mode = m;
    image = img;
    trace = sink;
    traced_messages = 0;
    layers.assign(img ? img->layer_names.size() : 0, LayerStats{});
    failed = false;
    error.clear();
    aborting = false;
    running = 0;
    signal_halted = false;
    barrier_arrived = 0;
  }
};

}  // namespace cimvp
