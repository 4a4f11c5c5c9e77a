// The parameter table: every documented key is there once, defaults are the
// struct's initializers, ranges admit the defaults, and the YAML reader sets
// the member each row names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

// The keys of docs/configuration.md, written out independently of the table.
const char* const kKeys[] = {
    "name", "clock_mhz", "mesh.rows", "mesh.cols", "core.pes", "core.crossbars_per_pe", "core.issue_cycles",
    "core.barrier_cycles", "crossbar.rows", "crossbar.cols", "crossbar.cell_bits", "crossbar.mapping",
    "crossbar.encoding",
    "crossbar.read_ns", "crossbar.program_ns", "crossbar.program_row_ns", "dac.bits", "dac.ns", "adc.bits",
    "adc.cols_per_adc", "adc.ns", "adc.full_scale", "adc.offset_lsb", "adc.gain_error", "adc.noise_lsb",
    "adc.calibration", "adc.calibration_images",
    "device.program_sigma", "device.program_distribution", "device.read_sigma", "device.stuck_low_rate",
    "device.stuck_high_rate", "device.on_off_ratio", "device.drift_nu", "device.drift_nu_sigma", "device.drift_t0_s",
    "device.read_time_s", "device.drift_compensation", "device.refresh_interval_s", "device.wire_ohm", "device.lrs_ohm", "device.seed",
    "shift_add.cycles", "buffer.bytes", "buffer.width_bytes",
    "buffer.latency_cycles", "gpeu.lanes", "gpeu.startup_cycles", "noc.hop_cycles", "noc.link_bytes",
    "noc.memory_port_row", "noc.memory_port_col", "memory.bytes", "memory.latency_ns", "memory.bytes_per_ns",
    "energy.crossbar_read_pj", "energy.dac_pj", "energy.adc_pj", "energy.cell_program_pj", "energy.buffer_pj_per_byte",
    "energy.gpeu_pj_per_op", "energy.noc_pj_per_flit_hop", "energy.memory_pj_per_byte", "energy.static_mw_per_core",
    "energy.adc_fom_fj", "energy.adc_corner_gsps", "energy.dac_pj_per_level", "energy.crossbar_cell_read_fj",
    "energy.cell_program_pj_per_level", "energy.sram_pj_per_byte_32kib", "energy.noc_pj_per_byte_hop",
    "area.cell_um2", "area.adc_um2", "area.dac_um2", "area.sram_um2_per_kib", "area.router_um2_per_link_byte",
    "area.gpeu_um2_per_lane",
};

const ParamInfo& info(const std::string& key) {
  for (const ParamInfo& p : arch_params())
    if (p.key == key) return p;
  throw std::runtime_error("no parameter " + key);
}

TEST(ConfigParams, EveryKeyOnceInOrder) {
  ASSERT_EQ(arch_params().size(), std::size(kKeys));
  std::set<std::string> seen;
  for (size_t i = 0; i < arch_params().size(); ++i) {
    const ParamInfo& p = arch_params()[i];
    EXPECT_EQ(p.key, kKeys[i]);
    EXPECT_TRUE(seen.insert(p.key).second) << p.key;
    EXPECT_FALSE(p.doc.empty()) << p.key;
    EXPECT_FALSE(p.range.empty()) << p.key;
    EXPECT_FALSE(p.default_value.empty()) << p.key;
  }
}

// An empty file is the struct's initializers, and so is a file that spells
// every default out: each row's text reads back into the member it names.
TEST(ConfigParams, DefaultsAreTheStructInitializers) {
  EXPECT_TRUE(parse_arch_config("", "empty.yaml") == ArchConfig{});
  EXPECT_TRUE(parse_arch_config("# only a comment\n", "comment.yaml") == ArchConfig{});
  std::string yaml;
  for (const ParamInfo& p : arch_params()) yaml += "\"" + p.key + "\": " + p.default_value + "\n";
  EXPECT_TRUE(parse_arch_config(yaml, "spelled.yaml") == ArchConfig{}) << yaml;

  const ArchConfig d;
  EXPECT_EQ(info("mesh.rows").default_value, std::to_string(d.mesh.rows));
  EXPECT_EQ(info("crossbar.cols").default_value, std::to_string(d.crossbar.cols));
  EXPECT_EQ(info("crossbar.mapping").default_value, mapping_name(d.crossbar.mapping));
  EXPECT_EQ(info("buffer.bytes").default_value, std::to_string(d.buffer.bytes));
  EXPECT_EQ(std::stod(info("memory.bytes_per_ns").default_value), d.memory.bytes_per_ns);
  EXPECT_EQ(std::stod(info("energy.memory_pj_per_byte").default_value), d.energy.memory_pj_per_byte);
  EXPECT_EQ(info("name").default_value, d.name);
}

// Each key sets its own member and no other: change one key at a time away
// from its default and compare with the struct changed by hand.
TEST(ConfigParams, EachKeySetsItsMember) {
  struct Case { const char* yaml; void (*expect)(ArchConfig&); };
  const Case cases[] = {
      {"clock_mhz: 500", [](ArchConfig& a) { a.clock_mhz = 500; }},
      {"mesh: {rows: 3}", [](ArchConfig& a) { a.mesh.rows = 3; }},
      {"mesh: {cols: 5}", [](ArchConfig& a) { a.mesh.cols = 5; }},
      {"core: {pes: 3}", [](ArchConfig& a) { a.core.pes = 3; }},
      {"core: {crossbars_per_pe: 7}", [](ArchConfig& a) { a.core.crossbars_per_pe = 7; }},
      {"core: {issue_cycles: 0}", [](ArchConfig& a) { a.core.issue_cycles = 0; }},
      {"core: {barrier_cycles: 9}", [](ArchConfig& a) { a.core.barrier_cycles = 9; }},
      {"crossbar: {rows: 64}", [](ArchConfig& a) { a.crossbar.rows = 64; }},
      {"crossbar: {cols: 96}", [](ArchConfig& a) { a.crossbar.cols = 96; }},
      {"crossbar: {cell_bits: 3}", [](ArchConfig& a) { a.crossbar.cell_bits = 3; }},
      {"crossbar: {mapping: offset}", [](ArchConfig& a) { a.crossbar.mapping = WeightMapping::Offset; }},
      {"crossbar: {mapping: differential-row}", [](ArchConfig& a) { a.crossbar.mapping = WeightMapping::DifferentialRow; }},
      {"crossbar: {read_ns: 12.5}", [](ArchConfig& a) { a.crossbar.read_ns = 12.5; }},
      {"crossbar: {program_ns: 7}", [](ArchConfig& a) { a.crossbar.program_ns = 7; }},
      {"crossbar: {program_row_ns: 3}", [](ArchConfig& a) { a.crossbar.program_row_ns = 3; }},
      {"dac: {bits: 2}", [](ArchConfig& a) { a.dac.bits = 2; }},
      {"dac: {ns: 0.25}", [](ArchConfig& a) { a.dac.ns = 0.25; }},
      {"adc: {bits: 7}", [](ArchConfig& a) { a.adc.bits = 7; }},
      {"adc: {cols_per_adc: 4}", [](ArchConfig& a) { a.adc.cols_per_adc = 4; }},
      {"adc: {ns: 2}", [](ArchConfig& a) { a.adc.ns = 2; }},
      {"adc: {full_scale: 1000}", [](ArchConfig& a) { a.adc.full_scale = 1000; }},
      {"shift_add: {cycles: 4}", [](ArchConfig& a) { a.shift_add.cycles = 4; }},
      {"buffer: {bytes: 3 KiB}", [](ArchConfig& a) { a.buffer.bytes = 3072; }},
      {"buffer: {width_bytes: 0}", [](ArchConfig& a) { a.buffer.width_bytes = 0; }},
      {"buffer: {latency_cycles: 6}", [](ArchConfig& a) { a.buffer.latency_cycles = 6; }},
      {"gpeu: {lanes: 0}", [](ArchConfig& a) { a.gpeu.lanes = 0; }},
      {"gpeu: {startup_cycles: 0}", [](ArchConfig& a) { a.gpeu.startup_cycles = 0; }},
      {"noc: {hop_cycles: 5}", [](ArchConfig& a) { a.noc.hop_cycles = 5; }},
      {"noc: {link_bytes: 0}", [](ArchConfig& a) { a.noc.link_bytes = 0; }},
      {"noc: {memory_port_row: 1}", [](ArchConfig& a) { a.noc.memory_port_row = 1; }},
      {"noc: {memory_port_col: 1}", [](ArchConfig& a) { a.noc.memory_port_col = 1; }},
      {"memory: {bytes: 1 GiB}", [](ArchConfig& a) { a.memory.bytes = 1ll << 30; }},
      {"memory: {latency_ns: 0}", [](ArchConfig& a) { a.memory.latency_ns = 0; }},
      {"memory: {bytes_per_ns: 0}", [](ArchConfig& a) { a.memory.bytes_per_ns = 0; }},
      {"energy: {crossbar_read_pj: 1.5}", [](ArchConfig& a) { a.energy.crossbar_read_pj = 1.5; }},
      {"energy: {dac_pj: 1.5}", [](ArchConfig& a) { a.energy.dac_pj = 1.5; }},
      {"energy: {adc_pj: 1.5}", [](ArchConfig& a) { a.energy.adc_pj = 1.5; }},
      {"energy: {cell_program_pj: 1.5}", [](ArchConfig& a) { a.energy.cell_program_pj = 1.5; }},
      {"energy: {buffer_pj_per_byte: 1.5}", [](ArchConfig& a) { a.energy.buffer_pj_per_byte = 1.5; }},
      {"energy: {gpeu_pj_per_op: 1.5}", [](ArchConfig& a) { a.energy.gpeu_pj_per_op = 1.5; }},
      {"energy: {noc_pj_per_flit_hop: 1.5}", [](ArchConfig& a) { a.energy.noc_pj_per_flit_hop = 1.5; }},
      {"energy: {memory_pj_per_byte: 1.5}", [](ArchConfig& a) { a.energy.memory_pj_per_byte = 1.5; }},
      {"energy: {static_mw_per_core: 1.5}", [](ArchConfig& a) { a.energy.static_mw_per_core = 1.5; }},
      {"device: {refresh_interval_s: 3600}", [](ArchConfig& a) { a.device.refresh_interval_s = 3600; }},
      {"name: \"my arch: v2\"", [](ArchConfig& a) { a.name = "my arch: v2"; }},
  };
  for (const Case& c : cases) {
    ArchConfig expected;
    c.expect(expected);
    EXPECT_FALSE(expected == ArchConfig{}) << c.yaml << " must differ from the default";
    EXPECT_TRUE(parse_arch_config(c.yaml, "one.yaml") == expected) << c.yaml;
  }
}

// device.refresh_interval_s is off unless given: the default is the word
// `never` (value 0), which the table, YAML and JSON write and read back; a
// number given must be positive (tests/config/errors_test.cpp).
TEST(ConfigParams, RefreshIntervalIsNeverUnlessGiven) {
  EXPECT_EQ(info("device.refresh_interval_s").default_value, "never");
  EXPECT_EQ(info("device.refresh_interval_s").range, "1e-09..1e12, or never");
  EXPECT_EQ(info("device.refresh_interval_s").unit, "s");
  EXPECT_EQ(ArchConfig{}.device.refresh_interval_s, 0);
  EXPECT_TRUE(parse_arch_config("device: {refresh_interval_s: never}", "never.yaml") == ArchConfig{});
  EXPECT_THAT(to_yaml(ArchConfig{}), HasSubstr("\n  refresh_interval_s: never "));
  EXPECT_EQ(architecture_json(ArchConfig{}).at("device").at("refresh_interval_s"), "never");
  ArchConfig daily;
  daily.device.refresh_interval_s = 86400;
  EXPECT_TRUE(parse_arch_config(to_yaml(daily), "daily.yaml") == daily);
  EXPECT_EQ(architecture_json(daily).at("device").at("refresh_interval_s"), 86400.0);
  EXPECT_TRUE(parse_arch_config(architecture_json(daily).dump(), "daily.json") == daily);
  validate(daily, "daily");
  validate(ArchConfig{}, "never");
  daily.device.refresh_interval_s = -1;  // built in code
  try {
    validate(daily, "built.yaml");
    ADD_FAILURE() << "a negative refresh interval passed";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("built.yaml: 'device.refresh_interval_s' = -1 is out of range 1e-09..1e12 s"));
  }
}

TEST(ConfigParams, ZeroMeansNoCostForEveryTimeAndWidth) {
  for (const ParamInfo& p : arch_params()) {
    if (p.unit == "ns" || p.unit == "cycles" || p.unit == "bytes/cycle" || p.unit == "bytes/ns" ||
        p.key == "gpeu.lanes") {
      EXPECT_EQ(p.range.rfind("0..", 0), 0u) << p.key << " range " << p.range;
    }
  }
  for (const char* key : {"buffer.width_bytes", "gpeu.lanes", "noc.link_bytes", "memory.bytes_per_ns"})
    EXPECT_THAT(info(key).doc, HasSubstr("0 = infinitely")) << key;
}

TEST(ConfigParams, RangesAndUnits) {
  EXPECT_EQ(info("buffer.bytes").range, "1..2^32");
  EXPECT_EQ(info("crossbar.cell_bits").range, "1..8");
  EXPECT_EQ(info("crossbar.read_ns").range, "0..1e9");
  EXPECT_EQ(info("crossbar.read_ns").unit, "ns");
  EXPECT_EQ(info("crossbar.mapping").range, "differential-column, differential-row, offset");
  EXPECT_EQ(info("energy.adc_pj").unit, "pJ");
  EXPECT_EQ(info("mesh.rows").unit, "");
}

TEST(ConfigParams, TableForPeopleListsEveryKey) {
  const std::string t = params_table();
  for (const char* key : kKeys) EXPECT_THAT(t, HasSubstr(key));
  EXPECT_THAT(t, HasSubstr("0..1e9"));
  const std::string md = params_markdown();
  for (const char* key : kKeys) EXPECT_THAT(md, HasSubstr(std::string("`") + key + "`"));
  EXPECT_THAT(md, HasSubstr("ISAAC"));
  EXPECT_THAT(md, HasSubstr("Horowitz"));
}

}  // namespace
}  // namespace cimvp
