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

namespace cimvp {

enum class RunMode { Functional, Timing };

// Receives spans of simulated time for the trace (Chrome trace-event JSON).
struct TraceSink {
  virtual ~TraceSink() = default;
  virtual void begin_run(Picos start) = 0;  // times of the following spans are absolute
  virtual void span(int core, const std::string& name, const char* category, Picos begin, Picos end) = 0;
  // A span on a track of its own, named `track` (a core's crossbar group).
  virtual void track_span(const std::string& track, const std::string& name, const char* category, Picos begin,
                          Picos end) {
    (void)track, (void)name, (void)category, (void)begin, (void)end;
  }
  // One sample of a counter track named `name` (buffer and NoC traffic).
  virtual void counter(const std::string& name, Picos t, double value) { (void)name, (void)t, (void)value; }
};

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
