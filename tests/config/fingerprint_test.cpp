// The fingerprint images record: it changes with anything a compiled image
// depends on (structure) and not with timing, energy or the name.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "config/arch_config.h"

namespace cimvp {
namespace {

using Change = std::pair<const char*, std::function<void(ArchConfig&)>>;

TEST(ConfigFingerprint, ChangesWithStructure) {
  const std::vector<Change> structural = {
      {"mesh.rows", [](ArchConfig& a) { a.mesh_rows = 3; }},
      {"mesh.cols", [](ArchConfig& a) { a.mesh_cols = 3; }},
      {"core.pes", [](ArchConfig& a) { a.pes_per_core = 3; }},
      {"core.crossbars_per_pe", [](ArchConfig& a) { a.crossbars_per_pe = 3; }},
      {"crossbar.rows", [](ArchConfig& a) { a.crossbar_rows = 128; }},
      {"crossbar.cols", [](ArchConfig& a) { a.crossbar_cols = 128; }},
      {"crossbar.cell_bits", [](ArchConfig& a) { a.cell_bits = a.cell_bits == 4 ? 2 : 4; }},
      {"crossbar.mapping", [](ArchConfig& a) { a.mapping = WeightMapping::Offset; }},
      {"dac.bits", [](ArchConfig& a) { a.dac_bits = 2; }},
      {"buffer.bytes", [](ArchConfig& a) { a.buffer_bytes *= 2; }},
      {"memory.bytes", [](ArchConfig& a) { a.memory_bytes *= 2; }},
  };
  const uint64_t base = ArchConfig{}.fingerprint();
  for (const auto& [key, change] : structural) {
    ArchConfig a;
    change(a);
    EXPECT_NE(a.fingerprint(), base) << key;
  }
}

TEST(ConfigFingerprint, IgnoresTimingEnergyAndName) {
  const std::vector<Change> timing = {
      {"name", [](ArchConfig& a) { a.name = "renamed"; }},
      {"clock_mhz", [](ArchConfig& a) { a.clock_mhz = 500; }},
      {"core.issue_cycles", [](ArchConfig& a) { a.issue_cycles = 7; }},
      {"core.barrier_cycles", [](ArchConfig& a) { a.barrier_cycles = 7; }},
      {"crossbar.read_ns", [](ArchConfig& a) { a.crossbar_read_ns = 1400; }},
      {"crossbar.program_ns", [](ArchConfig& a) { a.crossbar_program_ns = 56000; }},
      {"crossbar.program_row_ns", [](ArchConfig& a) { a.crossbar_program_row_ns = 5; }},
      {"dac.ns", [](ArchConfig& a) { a.dac_ns = 5; }},
      {"adc.ns", [](ArchConfig& a) { a.adc_ns = 5; }},
      {"adc.cols_per_adc", [](ArchConfig& a) { a.adc_cols_per_adc = 1; }},
      {"shift_add.cycles", [](ArchConfig& a) { a.shift_add_cycles = 0; }},
      {"buffer.width_bytes", [](ArchConfig& a) { a.buffer_width_bytes = 0; }},
      {"buffer.latency_cycles", [](ArchConfig& a) { a.buffer_latency_cycles = 9; }},
      {"gpeu.lanes", [](ArchConfig& a) { a.gpeu_lanes = 0; }},
      {"gpeu.startup_cycles", [](ArchConfig& a) { a.gpeu_startup_cycles = 9; }},
      {"noc.hop_cycles", [](ArchConfig& a) { a.noc_hop_cycles = 9; }},
      {"noc.link_bytes", [](ArchConfig& a) { a.noc_link_bytes = 1; }},
      {"memory.latency_ns", [](ArchConfig& a) { a.memory_latency_ns = 1; }},
      {"memory.bytes_per_ns", [](ArchConfig& a) { a.memory_bytes_per_ns = 1; }},
      {"energy.adc_pj", [](ArchConfig& a) { a.e_adc_pj = 99; }},
      {"energy.static_mw_per_core", [](ArchConfig& a) { a.static_mw_per_core = 99; }},
  };
  const uint64_t base = ArchConfig{}.fingerprint();
  for (const auto& [key, change] : timing) {
    ArchConfig a;
    change(a);
    EXPECT_EQ(a.fingerprint(), base) << key;
  }
}

TEST(ConfigFingerprint, RowsAndColsAreDistinguished) {
  ArchConfig b;
  b.crossbar_rows = 128;
  b.crossbar_cols = 256;
  ArchConfig c;
  c.crossbar_rows = 256;
  c.crossbar_cols = 128;
  EXPECT_NE(b.fingerprint(), c.fingerprint());  // order of the mixed fields matters
}

}  // namespace
}  // namespace cimvp
