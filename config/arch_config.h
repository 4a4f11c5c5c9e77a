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

// The values below are configs/arch/default.yaml's, so "default" means one
// thing: a YAML file that leaves a key out gets what default.yaml says
// (config.ArchConfig.BuiltInDefaultsAreDefaultYaml checks it).
struct ArchConfig {
  std::string name = "default";

  // clock
  double clock_mhz = 1000.0;  // MHz; cycles in reports are counted at this clock

  // mesh of cores
  int mesh_rows = 2;
  int mesh_cols = 2;

  // core
  int pes_per_core = 2;         // processing elements per core
  int crossbars_per_pe = 4;     // crossbars per processing element
  int issue_cycles = 1;         // cycles of every scalar or control instruction
  int barrier_cycles = 2;       // cycles after the last core arrives at a barrier

  // crossbar
  int crossbar_rows = 256;
  int crossbar_cols = 256;
  int cell_bits = 2;
  WeightMapping mapping = WeightMapping::DifferentialColumn;
  double crossbar_read_ns = 100.0;       // one analog read (one input slice)
  double crossbar_program_ns = 1000.0;   // programming a crossbar, fixed part
  double crossbar_program_row_ns = 200.0;  // programming, per programmed row

  // DAC (input bit slicing)
  int dac_bits = 1;
  double dac_ns = 0.0;  // per input slice

  // ADC
  int adc_bits = 10;
  int adc_cols_per_adc = 8;    // columns sharing one ADC (converted in turn)
  double adc_ns = 1.0;         // one conversion
  int64_t adc_full_scale = 0;  // column sum that maps to the top code; 0 = the largest possible sum

  // shift-and-add and partial-sum accumulation
  int shift_add_cycles = 1;  // per Mvm instruction

  // local buffer (SRAM) per core
  int64_t buffer_bytes = 1024 * 1024;
  int buffer_width_bytes = 32;   // bytes per cycle
  int buffer_latency_cycles = 1; // per access

  // GPEU vector unit
  int gpeu_lanes = 16;
  int gpeu_startup_cycles = 2;

  // network on chip (2D mesh, XY routing)
  int noc_hop_cycles = 2;
  int noc_link_bytes = 16;  // bytes per cycle per link
  int memory_port_row = 0;  // router where the global memory controller attaches
  int memory_port_col = 0;

  // global memory (DRAM) behind a DMA engine in each core
  int64_t memory_bytes = 64ll * 1024 * 1024;
  double memory_latency_ns = 50.0;
  double memory_bytes_per_ns = 12.8;  // GB/s

  // energy per event, picojoules. The component models (platform/energy.h,
  // docs/energy-area.md) derive the per-event energy of ADC, DAC, crossbar
  // read, programming, buffer and NoC from the parameters above; a fixed
  // per-event value > 0 overrides the model (0 = use the model).
  double e_crossbar_read_pj = 0;     // override: per active column per input slice
  double e_dac_pj = 0;               // override: per active row per input slice
  double e_adc_pj = 0;               // override: per conversion
  double e_cell_program_pj = 0;      // override: per programmed cell
  double e_buffer_pj_per_byte = 0;   // override: per byte
  double e_gpeu_pj_per_op = 3.2;     // per lane operation (Horowitz 2014)
  double e_noc_pj_per_flit_hop = 0;  // override: per flit per hop
  double e_memory_pj_per_byte = 160.0; // ~20 pJ/bit
  double static_mw_per_core = 0.0;
  // model reference values (sources in arch_params.cpp and docs/params.md)
  double adc_fom_fj = 6.1;              // Walden FoM, fJ per conversion step (ISAAC: 1.56 pJ / 2^8)
  double adc_corner_gsps = 1.28;        // above this rate energy and area grow with the rate
  double dac_pj_per_level = 0.39;       // per input level step per row per slice (ISAAC 1-bit DAC)
  double crossbar_cell_read_fj = 1.8;   // per cell on an active column per slice (ISAAC 0.23 pJ / 128)
  double cell_program_pj_per_level = 3.3;  // per programmed cell per conductance level above 0
  double sram_pj_per_byte_32kib = 2.5;  // SRAM access at 32 KiB; scales with sqrt(size)
  double noc_pj_per_byte_hop = 0.8125;  // per byte per link traversed (Keckler 2011)

  // area, square micrometres (platform/area.h)
  double area_cell_um2 = 0.0015;        // one RRAM cell (ISAAC)
  double area_adc_um2 = 1200.0;         // 8-bit ADC at or below the corner rate (ISAAC)
  double area_dac_um2 = 0.166;          // 1-bit DAC (ISAAC)
  double area_sram_um2_per_kib = 1297.0; // local buffer (ISAAC eDRAM, 64 KB = 0.083 mm2)
  double area_router_um2_per_link_byte = 37750.0;  // router (ISAAC: 0.151 mm2 with 4-byte flits)
  double area_gpeu_um2_per_lane = 1500.0;  // one 32-bit multiply-add lane (estimate)

  // derived quantities
  int cores() const { return mesh_rows * mesh_cols; }
  int crossbars_per_core() const { return pes_per_core * crossbars_per_pe; }
  double cycle_ns() const { return 1000.0 / clock_mhz; }
  // Cells per weight of `weight_bits` (weight bit slicing).
  int slices_per_weight(int weight_bits) const { return (weight_bits + cell_bits - 1) / cell_bits; }
  // Input slices for `input_bits` (input bit slicing).
  int input_slices(int input_bits) const { return (input_bits + dac_bits - 1) / dac_bits; }
  // Physical columns and rows a logical rows x cols weight tile of
  // `weight_bits` occupies under the signed mapping.
  int physical_cols(int cols, int weight_bits) const;
  int physical_rows(int rows) const;
  // The largest logical tile that fits one crossbar.
  int max_tile_cols(int weight_bits) const;
  int max_tile_rows() const;
  // The largest column sum a crossbar column can produce (ideal-ADC range).
  int64_t max_column_sum() const;
  int64_t effective_adc_full_scale() const { return adc_full_scale > 0 ? adc_full_scale : max_column_sum(); }
  // True when every column sum is digitized exactly.
  bool adc_is_ideal() const;

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
