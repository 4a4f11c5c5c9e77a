// Counters of the events that cost energy, kept per core (and per layer by
// difference). They depend only on the instruction stream and the programmed
// geometry, never on data, so functional and timing-only runs count the same.
// Every counter is charged to the core that caused it, NoC flit-hops and
// global-memory bytes included, so per-core and per-layer counts sum to the
// run's totals.
#pragma once

#include <cstdint>

namespace cimvp {

struct EventCounts {
  uint64_t instructions = 0;
  uint64_t mvms = 0;             // Mvm instructions
  uint64_t crossbar_column_reads = 0;  // active physical columns x input slices, summed over crossbars
  uint64_t dac_conversions = 0;  // active physical rows x input slices
  uint64_t adc_conversions = 0;  // one per active physical column per input slice
  uint64_t cells_programmed = 0;
  uint64_t crossbar_programs = 0;
  uint64_t buffer_bytes = 0;     // bytes read or written in the local buffer
  uint64_t gpeu_ops = 0;         // lane operations
  uint64_t noc_flit_hops = 0;    // flit-hops of the transfers this core started (the NoC reports them back)
  uint64_t memory_bytes_transferred = 0;  // global-memory bytes this core's DMAs read or wrote
  uint64_t bytes_moved = 0;      // DMA and message bytes this core sent or received
  // Work done, for figures of merit (platform/figures_of_merit.h):
  uint64_t macs = 0;                  // logical multiply-accumulates: rows x cols of every crossbar an Mvm reads
  uint64_t crossbar_activations = 0;  // crossbars read, one per crossbar per Mvm
  uint64_t active_cells = 0;          // physical cells under the used rows and columns, per crossbar per Mvm
  // What a layer takes of the crossbars: the crossbars its Mvms read, each
  // counted once per layer and weight block it held then (a crossbar
  // reprogrammed within a layer counts once per block), and their programmed
  // cells (physical rows x columns of the block).
  uint64_t crossbars_used = 0;
  uint64_t cells_used = 0;

  EventCounts& operator+=(const EventCounts& o) {
    instructions += o.instructions; mvms += o.mvms; crossbar_column_reads += o.crossbar_column_reads;
    dac_conversions += o.dac_conversions; adc_conversions += o.adc_conversions;
    cells_programmed += o.cells_programmed; crossbar_programs += o.crossbar_programs;
    buffer_bytes += o.buffer_bytes; gpeu_ops += o.gpeu_ops; noc_flit_hops += o.noc_flit_hops;
    memory_bytes_transferred += o.memory_bytes_transferred; bytes_moved += o.bytes_moved;
    macs += o.macs; crossbar_activations += o.crossbar_activations; active_cells += o.active_cells;
    crossbars_used += o.crossbars_used; cells_used += o.cells_used;
    return *this;
  }
  EventCounts operator-(const EventCounts& o) const {
    EventCounts r = *this;
    r.instructions -= o.instructions; r.mvms -= o.mvms; r.crossbar_column_reads -= o.crossbar_column_reads;
    r.dac_conversions -= o.dac_conversions; r.adc_conversions -= o.adc_conversions;
    r.cells_programmed -= o.cells_programmed; r.crossbar_programs -= o.crossbar_programs;
    r.buffer_bytes -= o.buffer_bytes; r.gpeu_ops -= o.gpeu_ops; r.noc_flit_hops -= o.noc_flit_hops;
    r.memory_bytes_transferred -= o.memory_bytes_transferred; r.bytes_moved -= o.bytes_moved;
    r.macs -= o.macs; r.crossbar_activations -= o.crossbar_activations; r.active_cells -= o.active_cells;
    r.crossbars_used -= o.crossbars_used; r.cells_used -= o.cells_used;
    return r;
  }
  bool operator==(const EventCounts& o) const {
    return instructions == o.instructions && mvms == o.mvms && crossbar_column_reads == o.crossbar_column_reads &&
           dac_conversions == o.dac_conversions && adc_conversions == o.adc_conversions &&
           cells_programmed == o.cells_programmed && crossbar_programs == o.crossbar_programs &&
           buffer_bytes == o.buffer_bytes && gpeu_ops == o.gpeu_ops && noc_flit_hops == o.noc_flit_hops &&
           memory_bytes_transferred == o.memory_bytes_transferred && bytes_moved == o.bytes_moved &&
           macs == o.macs && crossbar_activations == o.crossbar_activations && active_cells == o.active_cells &&
           crossbars_used == o.crossbars_used && cells_used == o.cells_used;
  }
  bool operator!=(const EventCounts& o) const { return !(*this == o); }
};

}  // namespace cimvp
