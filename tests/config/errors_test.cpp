// Bad architecture files: every error is a cimvp::Error that names the file,
// the full key and the line:column where the problem is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>

#include "common/error.h"
#include "config/arch_config.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

// The message of the cimvp::Error that parsing `yaml` as x.yaml throws.
std::string error_of(const std::string& yaml) {
  try {
    parse_arch_config(yaml, "configs/arch/x.yaml");
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a cimvp::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return "";
}

void expect_error(const std::string& yaml, std::initializer_list<const char*> parts) {
  const std::string message = error_of(yaml);
  for (const char* p : parts) EXPECT_THAT(message, HasSubstr(p)) << yaml;
}

TEST(ConfigErrors, UnknownKeySuggestsTheNearestOne) {
  expect_error("name: x\ncrossbar:\n  rows: 128\n  colums: 128\n",
               {"configs/arch/x.yaml:4:3: unknown key 'crossbar.colums' (did you mean 'crossbar.cols'?)"});
  expect_error("mesh: {rows: 2, colls: 2}\n", {"x.yaml:1:17: unknown key 'mesh.colls'", "'mesh.cols'"});
  expect_error("clock: 1000\n", {"x.yaml:1:1: unknown key 'clock'", "'clock_mhz'"});
  // Right leaf in the wrong section.
  expect_error("core:\n  cell_bits: 2\n", {"x.yaml:2:3: unknown key 'core.cell_bits'", "'crossbar.cell_bits'"});
  // Nothing close: point to `cimvp params`.
  expect_error("adc:\n  zzzzzzzzzzzz: 1\n", {"x.yaml:2:3: unknown key 'adc.zzzzzzzzzzzz'", "cimvp params"});
}

TEST(ConfigErrors, UnknownSection) {
  expect_error("crosbar:\n  rows: 128\n", {"x.yaml:1:1: unknown section 'crosbar'", "did you mean 'crossbar'"});
}

TEST(ConfigErrors, SectionGivenAValue) {
  expect_error("mesh: 4\n", {"x.yaml:1:7: 'mesh' is a section", "rows, cols"});
}

TEST(ConfigErrors, WrongType) {
  expect_error("mesh:\n  rows: two\n", {"x.yaml:2:9: 'mesh.rows' must be an integer, got 'two'"});
  expect_error("mesh:\n  rows: 2.5\n", {"x.yaml:2:9: 'mesh.rows' must be an integer, got '2.5'"});
  expect_error("crossbar:\n  read_ns: fast\n", {"x.yaml:2:12: 'crossbar.read_ns' must be a number, got 'fast'"});
  expect_error("crossbar:\n  read_ns: .nan\n", {"x.yaml:2:12: 'crossbar.read_ns' must be a number"});
  expect_error("crossbar:\n  mapping: diagonal\n",
               {"x.yaml:2:12: 'crossbar.mapping' must be one of differential-column, differential-row, offset, got 'diagonal'"});
  expect_error("mesh:\n  rows: [1, 2]\n", {"x.yaml:2:9: 'mesh.rows' needs a single value, got a list"});
  expect_error("mesh:\n  rows:\n", {"x.yaml:2:3: 'mesh.rows' needs a single value, got nothing"});
  expect_error("buffer:\n  bytes: 4 MB\n", {"x.yaml:2:10: 'buffer.bytes' must be a byte count", "got '4 MB'"});
}

TEST(ConfigErrors, OutOfRange) {
  expect_error("buffer:\n  bytes: -4\n", {"x.yaml:2:10: 'buffer.bytes' = -4 is out of range 1..2^32"});
  expect_error("crossbar:\n  cell_bits: 9\n", {"x.yaml:2:14: 'crossbar.cell_bits' = 9 is out of range 1..8"});
  expect_error("mesh: {rows: 0}\n", {"x.yaml:1:14: 'mesh.rows' = 0 is out of range 1..64"});
  expect_error("crossbar:\n  read_ns: -1\n", {"x.yaml:2:12: 'crossbar.read_ns' = -1 is out of range 0..1e9"});
  expect_error("memory:\n  bytes: 99999999999999999999999\n", {"x.yaml:2:10: 'memory.bytes'", "out of range"});
  expect_error("clock_mhz: 0\n", {"x.yaml:1:12: 'clock_mhz' = 0 is out of range"});
}

TEST(ConfigErrors, NegativeSize) {
  expect_error("memory:\n  bytes: -1 MiB\n", {"x.yaml:2:10: 'memory.bytes' = -1 MiB is out of range"});
  expect_error("noc:\n  link_bytes: -16\n", {"x.yaml:2:15: 'noc.link_bytes' = -16 is out of range 0.."});
}

TEST(ConfigErrors, DuplicateKey) {
  expect_error("mesh:\n  rows: 2\n  rows: 3\n", {"x.yaml:3:3: 'mesh.rows' is given twice (first at line 2)"});
}

TEST(ConfigErrors, InvalidCombinationsNameTheKeys) {
  expect_error("mesh: {rows: 2, cols: 2}\nnoc:\n  memory_port_row: 2\n",
               {"x.yaml:3:3:", "'noc.memory_port_row' = 2", "'mesh.rows' = 2"});
  expect_error("mesh: {rows: 2, cols: 2}\nnoc: {memory_port_col: 5}\n",
               {"x.yaml:2:7:", "'noc.memory_port_col' = 5", "'mesh.cols' = 2"});
  expect_error("crossbar: {cols: 64}\nadc: {cols_per_adc: 128}\n",
               {"x.yaml:2:7:", "'adc.cols_per_adc' = 128 exceeds 'crossbar.cols' = 64"});
  expect_error("crossbar: {rows: 255, mapping: differential-row}\n",
               {"x.yaml:1:12:", "'crossbar.rows' must be even, got 255", "differential-row"});
  // 1-bit cells, differential columns: an 8-bit weight needs 16 columns.
  expect_error("crossbar: {cols: 8, cell_bits: 1}\nadc: {cols_per_adc: 8}\n",
               {"x.yaml:1:12:", "16 physical columns", "'crossbar.cols' = 8", "'crossbar.cell_bits' = 1"});
  // The position is that of the first involved key the file gives.
  expect_error("crossbar: {cols: 4}\n", {"x.yaml:1:12: 'adc.cols_per_adc' = 8 exceeds 'crossbar.cols' = 4"});
}

TEST(ConfigErrors, ValidateChecksConfigsBuiltInCode) {
  ArchConfig a;
  a.mesh.rows = 1;
  a.noc.memory_port_row = 1;
  try {
    validate(a, "sweep point 3");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("sweep point 3: 'noc.memory_port_row' = 1 is outside the mesh"));
  }
  ArchConfig b;
  b.adc.full_scale = -1;
  EXPECT_THROW(validate(b, "code"), Error);
  ArchConfig c;
  c.clock_mhz = 0;
  EXPECT_THROW(validate(c, "code"), Error);
  ArchConfig d;
  d.name = "";
  EXPECT_THROW(validate(d, "code"), Error);
  ArchConfig e;
  e.buffer.width_bytes = -1;
  try {
    validate(e, "code");
    FAIL() << "no error";
  } catch (const Error& x) {
    EXPECT_THAT(x.what(), HasSubstr("code: 'buffer.width_bytes' = -1 is out of range 0.."));
  }
  EXPECT_NO_THROW(validate(ArchConfig{}, "defaults"));
}

TEST(ConfigErrors, BadDeviceParametersNameFileLineAndKey) {
  expect_error("name: x\ndevice:\n  stuck_low_rate: 1.5\n",
               {"configs/arch/x.yaml:3:19: 'device.stuck_low_rate' = 1.5 is out of range 0..1"});
  expect_error("name: x\ndevice:\n  stuck_high_rate: -0.01\n",
               {"configs/arch/x.yaml:3:20: 'device.stuck_high_rate' = -0.01 is out of range 0..1"});
  expect_error("name: x\ndevice:\n  stuck_low_rate: 0.6\n  stuck_high_rate: 0.6\n",
               {"configs/arch/x.yaml:4:3: 'device.stuck_low_rate' + 'device.stuck_high_rate' = 1.2 exceeds 1"});
  expect_error("name: x\ndevice:\n  read_sigma: -0.1\n",
               {"configs/arch/x.yaml:3:15: 'device.read_sigma' = -0.1 is out of range"});
  expect_error("name: x\ndevice:\n  program_sigma: -1\n", {"x.yaml:3:18: 'device.program_sigma' = -1"});
  expect_error("name: x\nadc:\n  noise_lsb: -2\n", {"x.yaml:3:14: 'adc.noise_lsb' = -2 is out of range 0..1e6 LSB"});
  expect_error("name: x\ndevice:\n  on_off_ratio: 0.5\n",
               {"configs/arch/x.yaml:3:3: 'device.on_off_ratio' = 0.5 is not above 1"});
  expect_error("name: x\ndevice:\n  on_off_ratio: 1\n", {"x.yaml:3:3: 'device.on_off_ratio' = 1 is not above 1"});
  expect_error("name: x\ndevice:\n  program_distribution: gaussian\n",
               {"x.yaml:3:25: 'device.program_distribution' must be one of normal, lognormal, got 'gaussian'"});
  expect_error("name: x\ndevice:\n  drift_compensation: globl\n",
               {"'device.drift_compensation' must be one of none, global, got 'globl' (did you mean 'global'?)"});
  expect_error("name: x\ndevice:\n  read_time_s: 0\n", {"x.yaml:3:16: 'device.read_time_s' = 0 is out of range"});
  // A refresh interval that is not positive: off is the default (leave the key out, or `never`).
  expect_error("name: x\ndevice:\n  drift_nu: 0.05\n  refresh_interval_s: 0\n",
               {"configs/arch/x.yaml:4:23: 'device.refresh_interval_s' = 0 is out of range 1e-09..1e12 s "
                "(or never, the default: leave the key out)"});
  expect_error("name: x\ndevice:\n  refresh_interval_s: -3600\n",
               {"configs/arch/x.yaml:3:23: 'device.refresh_interval_s' = -3600 is out of range 1e-09..1e12 s"});
  expect_error("name: x\ndevice:\n  refresh_interval_s: nevr\n",
               {"x.yaml:3:23: 'device.refresh_interval_s' must be a number, got 'nevr' (or never, the default"});
  // Its reads' ages follow from the interval: a read time given as well is refused, naming both.
  expect_error("name: x\ndevice:\n  read_time_s: 86400\n  refresh_interval_s: 3600\n",
               {"configs/arch/x.yaml:3:3: 'device.read_time_s' = 86400 is not used with "
                "'device.refresh_interval_s' = 3600"});
}

TEST(ConfigErrors, MissingFile) {
  try {
    load_arch_config("/nonexistent/dir/arch.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/dir/arch.yaml: cannot open the architecture file"));
    EXPECT_THAT(e.what(), HasSubstr("No such file"));
  }
}

TEST(ConfigErrors, YamlSyntaxErrorNamesFileAndPosition) {
  expect_error("mesh: {rows: 2, cols: 2\ncrossbar:\n  rows: 128\n", {"configs/arch/x.yaml:", "YAML syntax error"});
  expect_error("mesh:\n  rows: 2\n cols: 3\n", {"configs/arch/x.yaml:3:", "YAML syntax error"});
  expect_error("mesh:\n  rows: 2: 3\n", {"configs/arch/x.yaml:2:", "YAML syntax error"});
  expect_error("mesh: [1, 2\n", {"configs/arch/x.yaml:", "YAML syntax error"});
}

TEST(ConfigErrors, TopLevelMustBeAMapping) {
  expect_error("- 1\n- 2\n", {"x.yaml:1:1:", "a YAML mapping of parameters", "got a list"});
  expect_error("just text\n", {"x.yaml:1:1:", "a YAML mapping of parameters"});
}

TEST(ConfigErrors, FileErrorsNameThePath) {
  const std::string path = ::testing::TempDir() + "/config_errors_bad.yaml";
  {
    std::ofstream out(path);
    out << "# a comment\nname: bad\ncrossbar:\n  colums: 128\n";
  }
  try {
    load_arch_config(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":4:3: unknown key 'crossbar.colums' (did you mean 'crossbar.cols'?)"));
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace cimvp
