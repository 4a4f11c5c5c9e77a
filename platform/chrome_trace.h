// Collects what a run tells its TraceSink and writes it as Chrome trace-event
// JSON, which Perfetto (ui.perfetto.dev) and Chrome DevTools open: a process
// per group of cores (one for a small SoC, one per mesh row above 16 cores)
// with a thread per core, slices per layer, instruction kind and wait, each
// with its arguments; a flow from every send to its recv; a process for the
// NoC with a thread per link that carried data, and one for the global-memory
// channel; counters, averaged over bins of the run, of rates (buffer and NoC
// GB/s per core) and occupancy (NoC links busy, memory channel busy, DMAs
// queued). docs/virtual-platform.md says what every track means.
#pragma once

#include <string>
#include <vector>

#include "models/trace_sink.h"

namespace cimvp {

// How much of a run the trace keeps. Every level has the run, layer, wait,
// send and recv slices, the flows, the NoC and memory tracks and the counters.
enum class TraceDetail {
  Layers,        // no other instruction slices: the smallest file
  Instructions,  // slices per instruction kind (the default)
  Crossbars,     // and a track per crossbar group of each core
};
// "layers", "instructions" or "crossbars"; anything else throws cimvp::Error.
TraceDetail parse_trace_detail(const std::string& name);

class ChromeTrace : public TraceSink {
 public:
  explicit ChromeTrace(TraceDetail detail = TraceDetail::Instructions) : detail_(detail) {}

  void begin_run(Picos start, const TraceLayout& layout) override;
  void span(int core, const std::string& name, const char* category, Picos begin, Picos end,
            const SliceArgs& args) override;
  void crossbar_span(int core, const char* name, Picos begin, Picos end, const SliceArgs& args) override;
  void link_span(int link, Picos begin, Picos end, int from, int to, uint64_t bytes) override;
  void memory_span(int core, bool write, uint64_t bytes, Picos arrival, Picos begin, Picos end) override;

  // Writes the last run's trace; throws cimvp::Error when it cannot.
  void write(const std::string& path) const;
  size_t slices() const { return slices_.size() + links_.size() + memory_.size(); }

 private:
  struct Slice {
    std::string name;
    const char* category;  // "run", "layer", "instruction", "wait", "crossbar" (a crossbar group's)
    int core;
    Picos begin, end;
    int layer, first_crossbar, crossbars, bits, peer;
    uint64_t flow;
    uint64_t instructions, mvms, buffer_bytes, noc_bytes, memory_bytes, crossbars_used;
  };
  struct LinkBusy {
    int link;
    Picos begin, end;
    int from, to;
    uint64_t bytes;
  };
  struct MemoryBusy {
    int core;
    bool write;
    uint64_t bytes;
    Picos arrival, begin, end;
  };
  Slice make_slice(int core, std::string name, const char* category, Picos begin, Picos end,
                   const SliceArgs& args) const;

  TraceDetail detail_;
  Picos start_ = 0;
  TraceLayout layout_;
  std::vector<Slice> slices_;
  std::vector<LinkBusy> links_;
  std::vector<MemoryBusy> memory_;
};

}  // namespace cimvp
