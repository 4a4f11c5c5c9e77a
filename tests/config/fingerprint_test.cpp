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
      {"mesh.rows", [](ArchConfig& a) { a.mesh.rows = 3; }},
      {"mesh.cols", [](ArchConfig& a) { a.mesh.cols = 3; }},
      {"core.pes", [](ArchConfig& a) { a.core.pes = 3; }},
      {"core.crossbars_per_pe", [](ArchConfig& a) { a.core.crossbars_per_pe = 3; }},
      {"crossbar.rows", [](ArchConfig& a) { a.crossbar.rows = 128; }},
      {"crossbar.cols", [](ArchConfig& a) { a.crossbar.cols = 128; }},
      {"crossbar.cell_bits", [](ArchConfig& a) { a.crossbar.cell_bits = a.crossbar.cell_bits == 4 ? 2 : 4; }},
      {"crossbar.mapping", [](ArchConfig& a) { a.crossbar.mapping = WeightMapping::Offset; }},
      {"dac.bits", [](ArchConfig& a) { a.dac.bits = 2; }},
      {"buffer.bytes", [](ArchConfig& a) { a.buffer.bytes *= 2; }},
      {"memory.bytes", [](ArchConfig& a) { a.memory.bytes *= 2; }},
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
      {"core.issue_cycles", [](ArchConfig& a) { a.core.issue_cycles = 7; }},
      {"core.barrier_cycles", [](ArchConfig& a) { a.core.barrier_cycles = 7; }},
      {"crossbar.read_ns", [](ArchConfig& a) { a.crossbar.read_ns = 1400; }},
      {"crossbar.program_ns", [](ArchConfig& a) { a.crossbar.program_ns = 56000; }},
      {"crossbar.program_row_ns", [](ArchConfig& a) { a.crossbar.program_row_ns = 5; }},
      {"dac.ns", [](ArchConfig& a) { a.dac.ns = 5; }},
      {"adc.ns", [](ArchConfig& a) { a.adc.ns = 5; }},
      {"adc.cols_per_adc", [](ArchConfig& a) { a.adc.cols_per_adc = 1; }},
      {"shift_add.cycles", [](ArchConfig& a) { a.shift_add.cycles = 0; }},
      {"buffer.width_bytes", [](ArchConfig& a) { a.buffer.width_bytes = 0; }},
      {"buffer.latency_cycles", [](ArchConfig& a) { a.buffer.latency_cycles = 9; }},
      {"gpeu.lanes", [](ArchConfig& a) { a.gpeu.lanes = 0; }},
      {"gpeu.startup_cycles", [](ArchConfig& a) { a.gpeu.startup_cycles = 9; }},
      {"noc.hop_cycles", [](ArchConfig& a) { a.noc.hop_cycles = 9; }},
      {"noc.link_bytes", [](ArchConfig& a) { a.noc.link_bytes = 1; }},
      {"memory.latency_ns", [](ArchConfig& a) { a.memory.latency_ns = 1; }},
      {"memory.bytes_per_ns", [](ArchConfig& a) { a.memory.bytes_per_ns = 1; }},
      {"energy.adc_pj", [](ArchConfig& a) { a.energy.adc_pj = 99; }},
      {"energy.static_mw_per_core", [](ArchConfig& a) { a.energy.static_mw_per_core = 99; }},
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
  b.crossbar.rows = 128;
  b.crossbar.cols = 256;
  ArchConfig c;
  c.crossbar.rows = 256;
  c.crossbar.cols = 128;
  EXPECT_NE(b.fingerprint(), c.fingerprint());  // order of the mixed fields matters
}

}  // namespace
}  // namespace cimvp
