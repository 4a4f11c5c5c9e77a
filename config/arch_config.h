// The architecture of one accelerator: every parameter a user can set in the
// architecture YAML. It is parsed and validated in exactly one place
// (arch_config.cpp) and used by both the compiler and the platform.
// Each field's name, unit, default, range and documentation are declared once
// in the parameter table in arch_params.cpp; `cimvp params` prints that table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cimvp {

enum class WeightMapping { DifferentialColumn, DifferentialRow, Offset };
const char* mapping_name(WeightMapping m);

// One parameter struct per section of the architecture YAML, each member
// named as its key (`adc.cols_per_adc` is `ArchConfig::adc.cols_per_adc`),
// so the file, `cimvp params`, the code and the reports use one name. Each
// model takes only its own section (models/adc.h takes AdcParams). Units,
// ranges, documentation and sources are in the parameter table
// (arch_params.cpp), printed by `cimvp params` and docs/params.md.
// The values below are configs/arch/default.yaml's, so "default" means one
// thing: a YAML file that leaves a key out gets what default.yaml says
// (config.ArchConfig.BuiltInDefaultsAreDefaultYaml checks it).

// mesh: the 2D mesh of cores.
struct MeshParams {
  int rows = 2;
  int cols = 2;
};

// core: processing elements and the control pipeline.
struct CoreParams {
  int pes = 2;               // processing elements per core
  int crossbars_per_pe = 4;  // crossbars per processing element
  int issue_cycles = 1;      // cycles of every scalar or control instruction
  int barrier_cycles = 2;    // cycles after the last core arrives at a barrier
};

// crossbar: the RRAM array, its cells and how signed weights map onto them.
// How weight tiles occupy it: the compiler tiles with these functions and
// the crossbar model checks programmed blocks with them, so both agree by
// construction (arch_geometry.cpp).
struct CrossbarParams {
  int rows = 256;
  int cols = 256;
  int cell_bits = 2;
  WeightMapping mapping = WeightMapping::DifferentialColumn;
  // direct, or flipped-columns: ISAAC's encoding (Shafiee et al., ISCA
  // 2016): a column whose levels sum above half its range stores
  // 2^cell_bits - 1 - l instead, the periphery adds back (2^cell_bits - 1)
  // times the driven digits, so no column sum exceeds half the range.
  std::string encoding = "direct";
  double read_ns = 100.0;         // one analog read (one input slice)
  double program_ns = 1000.0;     // programming a crossbar, fixed part
  double program_row_ns = 200.0;  // programming, per programmed row

  // Cells per weight of `weight_bits` (weight bit slicing).
  int slices_per_weight(int weight_bits) const { return (weight_bits + cell_bits - 1) / cell_bits; }
  // Physical columns and rows a logical tile_rows x tile_cols weight tile
  // of `weight_bits` occupies under the signed mapping.
  int physical_cols(int tile_cols, int weight_bits) const;
  int physical_rows(int tile_rows) const;
  // The largest logical tile that fits one crossbar.
  int max_tile_cols(int weight_bits) const;
  int max_tile_rows() const;
  bool flips_columns() const { return encoding == "flipped-columns"; }
};

// dac: input bit slicing.
struct DacParams {
  int bits = 1;
  double ns = 0.0;  // per input slice

  // Input slices for `input_bits` (input bit slicing).
  int input_slices(int input_bits) const { return (input_bits + bits - 1) / bits; }
};

// adc: the column converters. models/adc.h owns what follows from these:
// exactness, conversions, conversion time, energy and area.
struct AdcParams {
  int bits = 10;
  int cols_per_adc = 8;    // columns sharing one ADC (converted in turn)
  double ns = 1.0;         // one conversion
  int64_t full_scale = 0;  // column sum that maps to the top code; 0 = the largest possible sum
  // non-idealities, in LSB (one code step, full_scale / (2^bits - 1)); all 0 = ideal
  double offset_lsb = 0;  // added to every conversion's input
  double gain_error = 0;  // relative: the converter sees v x (1 + gain_error)
  double noise_lsb = 0;   // standard deviation of the input-referred noise per conversion
  // range calibration (flow/adc_calibration.h): none (full_scale for every
  // column), max or mse (a full scale per weight block and column group,
  // chosen from the column sums of calibration_images training images)
  std::string calibration = "none";
  int calibration_images = 256;

  bool calibrated() const { return calibration != "none"; }
  bool ideal() const { return offset_lsb == 0 && gain_error == 0 && noise_lsb == 0; }
};

// device: the non-idealities of the RRAM cells and their wires
// (models/device/, docs/device.md). Every effect is off at its default, and
// the VP then computes the ideal integer product. Conductances are in units
// of one level step: level l conducts l + g_min, g_min = (L - 1) / (on_off
// - 1) for L = 2^cell_bits levels, so the range g_max - g_min is L - 1.
struct DeviceParams {
  double program_sigma = 0;                     // programming variation, relative to the range
  std::string program_distribution = "normal";  // normal (additive) or lognormal (multiplicative)
  double read_sigma = 0;                        // read noise per read, relative to the range
  double stuck_low_rate = 0;                    // fraction of cells stuck at g_min
  double stuck_high_rate = 0;                   // fraction of cells stuck at g_max
  double on_off_ratio = 0;                      // g_max / g_min; 0 = infinite (g_min = 0)
  double drift_nu = 0;                          // g(t) = g(t0) (t / t0)^-nu
  double drift_nu_sigma = 0;                    // device-to-device spread of nu
  double drift_t0_s = 1;                        // time after programming at which g is as programmed
  double read_time_s = 1;                       // time since programming when inference reads
  std::string drift_compensation = "none";      // none, or global (one scale per crossbar)
  // Lifetime: the resident weights are reprogrammed every refresh_interval_s
  // seconds; reads happen at ages spread over the interval
  // (models/device/lifetime.h) and each inference is charged its share of
  // the reprogramming (platform/report.h). 0 = never refreshed: the key
  // left out (YAML `never`); a number given must be positive.
  double refresh_interval_s = 0;
  double wire_ohm = 0;                          // wire resistance per cell pitch; 0 = no IR drop
  double lrs_ohm = 100000;                      // resistance of a cell at g_max (for IR drop)
  int64_t seed = 1;                             // every draw derives from it (with core, crossbar, event)

  bool ideal() const {
    return program_sigma == 0 && read_sigma == 0 && stuck_low_rate == 0 && stuck_high_rate == 0 &&
           on_off_ratio == 0 && drift_nu == 0 && drift_nu_sigma == 0 && wire_ohm == 0;
  }
};

// shift_add: shift-and-add and partial-sum accumulation.
struct ShiftAddParams {
  int cycles = 1;  // per Mvm instruction
};

// buffer: the local SRAM of each core.
struct BufferParams {
  int64_t bytes = 1024 * 1024;
  int width_bytes = 32;    // bytes per cycle
  int latency_cycles = 1;  // per access
};

// gpeu: the vector unit.
struct GpeuParams {
  int lanes = 16;
  int startup_cycles = 2;
};

// noc: the 2D mesh network (XY routing) and where the memory controller sits.
struct NocParams {
  int hop_cycles = 2;
  int link_bytes = 16;  // bytes per cycle per link
  int memory_port_row = 0;
  int memory_port_col = 0;
};

// memory: the global memory (DRAM) behind a DMA engine in each core.
struct MemoryParams {
  int64_t bytes = 64ll * 1024 * 1024;
  double latency_ns = 50.0;
  double bytes_per_ns = 12.8;  // GB/s
};

// energy, picojoules per event. The component models (platform/energy.h,
// docs/energy-area.md) derive the per-event energy of ADC, DAC, crossbar
// read, programming, buffer and NoC from the other sections; a fixed
// per-event value > 0 overrides the model (0 = use the model).
struct EnergyParams {
  double crossbar_read_pj = 0;       // override: per active column per input slice
  double dac_pj = 0;                 // override: per active row per input slice
  double adc_pj = 0;                 // override: per conversion
  double cell_program_pj = 0;        // override: per programmed cell
  double buffer_pj_per_byte = 0;     // override: per byte
  double gpeu_pj_per_op = 3.2;       // per lane operation (Horowitz 2014)
  double noc_pj_per_flit_hop = 0;    // override: per flit per hop
  double memory_pj_per_byte = 160.0; // ~20 pJ/bit
  double static_mw_per_core = 0.0;
  // model reference values (sources in arch_params.cpp and docs/params.md)
  double adc_fom_fj = 6.1;                 // Walden FoM, fJ per conversion step (ISAAC: 1.56 pJ / 2^8)
  double adc_corner_gsps = 1.28;           // above this rate energy and area grow with the rate
  double dac_pj_per_level = 0.39;          // per input level step per row per slice (ISAAC 1-bit DAC)
  double crossbar_cell_read_fj = 1.8;      // per cell on an active column per slice (ISAAC 0.23 pJ / 128)
  double cell_program_pj_per_level = 3.3;  // per programmed cell per conductance level above 0
  double sram_pj_per_byte_32kib = 2.5;     // SRAM access at 32 KiB; scales with sqrt(size)
  double noc_pj_per_byte_hop = 0.8125;     // per byte per link traversed (Keckler 2011)
};

// area, square micrometres (platform/area.h).
struct AreaParams {
  double cell_um2 = 0.0015;                   // one RRAM cell (ISAAC)
  double adc_um2 = 1200.0;                    // 8-bit ADC at or below the corner rate (ISAAC)
  double dac_um2 = 0.166;                     // 1-bit DAC (ISAAC)
  double sram_um2_per_kib = 1297.0;           // local buffer (ISAAC eDRAM, 64 KB = 0.083 mm2)
  double router_um2_per_link_byte = 37750.0;  // router (ISAAC: 0.151 mm2 with 4-byte flits)
  double gpeu_um2_per_lane = 1500.0;          // one 32-bit multiply-add lane (estimate)
};

struct ArchConfig {
  std::string name = "default";
  double clock_mhz = 1000.0;  // MHz; cycles in reports are counted at this clock
  MeshParams mesh;
  CoreParams core;
  CrossbarParams crossbar;
  DacParams dac;
  AdcParams adc;
  DeviceParams device;
  ShiftAddParams shift_add;
  BufferParams buffer;
  GpeuParams gpeu;
  NocParams noc;
  MemoryParams memory;
  EnergyParams energy;
  AreaParams area;

  // derived quantities
  int cores() const { return mesh.rows * mesh.cols; }
  int crossbars_per_core() const { return core.pes * core.crossbars_per_pe; }
  double cycle_ns() const { return 1000.0 / clock_mhz; }
  // The largest column sum a crossbar column can produce: every row at
  // the top level and the top input digit. The ADC is exact when it
  // digitizes every sum up to this one (models/adc.h).
  int64_t max_column_sum() const;

  // A hash of every parameter that a compiled image depends on (structure
  // and functional behaviour, not timing or energy). Images record it.
  uint64_t fingerprint() const;
};

// Loading. Throws cimvp::Error naming the file, the key and its line:column
// for unknown keys, wrong types, values out of range and invalid combinations.
// A `.json` file is a report of a run (or any JSON object with an
// "architecture" member, architecture_json()): its architecture is read back,
// every parameter as the run had it.
ArchConfig load_arch_config(const std::string& path);
ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& source);
// Checks one parameter's value as the YAML reader would (type, unit suffix,
// choice with "did you mean", range), without the rules between parameters;
// throws cimvp::Error starting with `at`. Sweeps check every grid value so.
void check_param_value(const std::string& key, const std::string& text, const std::string& at);
// Checks every parameter's range and the cross-parameter rules; throws
// cimvp::Error naming `source` and the keys involved.  parse_arch_config and
// load_arch_config call it; call it yourself on configs built in code.
void validate(const ArchConfig& config, const std::string& source);

// The parameter table: one entry per YAML key, for `cimvp params` and docs.
struct ParamInfo {
  std::string key;      // e.g. "crossbar.rows"
  std::string unit;     // e.g. "ns", "bits", "" for counts
  std::string default_value;
  std::string range;    // e.g. "1..4096"
  std::string doc;      // one line
};
const std::vector<ParamInfo>& arch_params();
// The table for people (`cimvp params`) and as Markdown (docs/params.md).
std::string params_table();
std::string params_markdown();
// Every parameter as YAML; loading it gives an equal config.
std::string to_yaml(const ArchConfig& config);
// Every parameter as a JSON object nested like the YAML file
// ({"crossbar": {"rows": 256, ...}, ...}); reports hold it as "architecture".
nlohmann::json architecture_json(const ArchConfig& config);
// True when every parameter in the table is equal (name included).
bool operator==(const ArchConfig& a, const ArchConfig& b);
inline bool operator!=(const ArchConfig& a, const ArchConfig& b) { return !(a == b); }

}  // namespace cimvp
