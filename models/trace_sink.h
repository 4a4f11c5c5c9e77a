// What the models tell a trace while they run (`cimvp run --trace`): slices
// of simulated time on the cores, with the numbers a reader wants when it
// clicks one (layer, crossbars, bits, bytes, the message a send starts),
// and the busy intervals of the NoC's links and of the global-memory
// channel, so that contention shows. The models call a sink only when one is
// set (RunControl::trace, NocMesh::set_trace, GlobalMemory::set_trace): a run
// without a trace pays one null test per traced event and nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/events.h"
#include "models/timing.h"

namespace cimvp {

// What a run's trace is laid out on, given before its first slice.
struct TraceLayout {
  int cores = 0;
  int mesh_cols = 1;  // cores of a mesh row: a large SoC's cores are grouped by row
  Picos cycle = 1;    // the core clock, for the cycles every slice states
  std::vector<std::string> layer_names;  // the image's layer ranges, by index
  std::vector<std::string> link_names;   // the NoC's links, by NocMesh's index
};

// The numbers of one slice; what does not apply stays at its default.
struct SliceArgs {
  int layer = -1;           // index into TraceLayout::layer_names
  int first_crossbar = -1;  // mvm, xprog: the crossbar group used
  int crossbars = 0;
  int bits = 0;             // mvm: input bits
  int peer = -1;            // send: destination core; recv: source core
  uint64_t flow = 0;        // send, recv: the message (1, 2, ...), the same at both ends
  EventCounts events;       // what the slice's instructions counted
};

struct TraceSink {
  virtual ~TraceSink() = default;
  // Times of the calls that follow are absolute; `start` is the run's zero.
  virtual void begin_run(Picos start, const TraceLayout& layout) = 0;
  // A slice on a core's track: the run, a layer, an instruction kind, a wait.
  virtual void span(int core, const std::string& name, const char* category, Picos begin, Picos end,
                    const SliceArgs& args) = 0;
  // A slice on the track of a core's crossbar group (mvm, xprog).
  virtual void crossbar_span(int core, const char* name, Picos begin, Picos end, const SliceArgs& args) = 0;
  // A NoC link busy with one transfer (serializing its bytes) from node
  // `from` to node `to` (NocMesh::kMemoryNode for the memory controller).
  virtual void link_span(int link, Picos begin, Picos end, int from, int to, uint64_t bytes) = 0;
  // The global-memory channel busy with one transfer of `core`, which
  // arrived at `arrival` and waited for the channel until `begin`.
  virtual void memory_span(int core, bool write, uint64_t bytes, Picos arrival, Picos begin, Picos end) = 0;
};

}  // namespace cimvp
