// The parameter table: every architecture parameter declared once, with its
// YAML key, the ArchConfig member it sets, unit, range, one line of
// documentation and the source of its default. Defaults are not repeated
// here: they are read from ArchConfig's initializers. The YAML reader,
// validate(), to_yaml(), `cimvp params` and docs/params.md all use this table.
#include "config/arch_params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <type_traits>

namespace cimvp {

namespace {

template <typename T>
ParamDef param(const char* key, T ArchConfig::*member, const char* unit, double lo, double hi, const char* doc,
               const char* source = "") {
  ParamDef d;
  d.key = key;
  d.member = member;
  d.unit = unit;
  d.min = lo;
  d.max = hi;
  d.doc = doc;
  d.source = source;
  return d;
}

constexpr double k2p32 = 4294967296.0;  // 32-bit addresses (register + immediate)
constexpr double k2p40 = 1099511627776.0;
constexpr double kMaxNs = 1e9;          // one second
constexpr double kMaxCycles = 1e6;
constexpr double kMaxWidth = 1 << 20;   // bytes per cycle, lanes
constexpr double kMaxPj = 1e6;

}  // namespace

const std::vector<ParamDef>& param_defs() {
  static const std::vector<ParamDef> defs = {
      param("name", &ArchConfig::name, "", 0, 0,
            "name of the architecture, recorded in compiled images and reports"),
      param("clock_mhz", &ArchConfig::clock_mhz, "MHz", 1e-3, 1e5,
            "clock of cores, NoC and buffers; reports count cycles of this clock"),
      // mesh of cores
      param("mesh.rows", &ArchConfig::mesh_rows, "", 1, 64, "rows of the 2D mesh of cores"),
      param("mesh.cols", &ArchConfig::mesh_cols, "", 1, 64, "columns of the 2D mesh of cores"),
      // core
      param("core.pes", &ArchConfig::pes_per_core, "", 1, 64, "processing elements per core"),
      param("core.crossbars_per_pe", &ArchConfig::crossbars_per_pe, "", 1, 256, "crossbars per processing element"),
      param("core.issue_cycles", &ArchConfig::issue_cycles, "cycles", 0, kMaxCycles,
            "time of every scalar, branch, vcfg and halt instruction"),
      param("core.barrier_cycles", &ArchConfig::barrier_cycles, "cycles", 0, kMaxCycles,
            "time from the last core's arrival at a barrier to the release of all cores"),
      // crossbar
      param("crossbar.rows", &ArchConfig::crossbar_rows, "", 1, 4096, "word lines (physical rows, inputs) per crossbar"),
      param("crossbar.cols", &ArchConfig::crossbar_cols, "", 1, 4096, "bit lines (physical columns, outputs) per crossbar"),
      param("crossbar.cell_bits", &ArchConfig::cell_bits, "bits", 1, 8,
            "bits per RRAM cell (levels 0..2^bits-1); a w-bit weight takes ceil(w / cell_bits) cells"),
      param("crossbar.mapping", &ArchConfig::mapping, "", 0, 0,
            "signed weights: differential-column (2x columns), differential-row (2x rows) or offset (+1 reference column)"),
      param("crossbar.read_ns", &ArchConfig::crossbar_read_ns, "ns", 0, kMaxNs,
            "one analog read of a crossbar: the time of one input slice"),
      param("crossbar.program_ns", &ArchConfig::crossbar_program_ns, "ns", 0, kMaxNs,
            "programming a crossbar with a weight block, fixed part"),
      param("crossbar.program_row_ns", &ArchConfig::crossbar_program_row_ns, "ns", 0, kMaxNs,
            "programming, added per programmed physical row"),
      // DAC
      param("dac.bits", &ArchConfig::dac_bits, "bits", 1, 8,
            "input bits applied per slice; an a-bit input takes ceil(a / dac.bits) slices"),
      param("dac.ns", &ArchConfig::dac_ns, "ns", 0, kMaxNs, "DAC settling time per input slice"),
      // ADC
      param("adc.bits", &ArchConfig::adc_bits, "bits", 1, 40,
            "ADC resolution; ideal (exact) when 2^bits - 1 >= the largest column sum"),
      param("adc.cols_per_adc", &ArchConfig::adc_cols_per_adc, "", 1, 4096,
            "physical columns sharing one ADC, converted one after another"),
      param("adc.ns", &ArchConfig::adc_ns, "ns", 0, kMaxNs, "one ADC conversion"),
      param("adc.full_scale", &ArchConfig::adc_full_scale, "", 0, k2p40,
            "column sum mapped to the top ADC code; 0 = the largest possible column sum"),
      // shift-and-add
      param("shift_add.cycles", &ArchConfig::shift_add_cycles, "cycles", 0, kMaxCycles,
            "shift-and-add and partial-sum accumulation, per Mvm instruction"),
      // buffer
      param("buffer.bytes", &ArchConfig::buffer_bytes, "bytes", 1, k2p32, "local SRAM buffer per core"),
      param("buffer.width_bytes", &ArchConfig::buffer_width_bytes, "bytes/cycle", 0, kMaxWidth,
            "buffer port width; 0 = infinitely wide (no per-byte cost)"),
      param("buffer.latency_cycles", &ArchConfig::buffer_latency_cycles, "cycles", 0, kMaxCycles,
            "fixed latency of one buffer access"),
      // GPEU
      param("gpeu.lanes", &ArchConfig::gpeu_lanes, "", 0, kMaxWidth,
            "vector lanes of the GPEU; 0 = infinitely many (no per-element cost)"),
      param("gpeu.startup_cycles", &ArchConfig::gpeu_startup_cycles, "cycles", 0, kMaxCycles,
            "fixed cost of one GPEU operation"),
      // NoC
      param("noc.hop_cycles", &ArchConfig::noc_hop_cycles, "cycles", 0, kMaxCycles,
            "router plus link latency of one hop (XY routing)"),
      param("noc.link_bytes", &ArchConfig::noc_link_bytes, "bytes/cycle", 0, kMaxWidth,
            "link width (one flit); 0 = infinitely wide (no serialization cost)"),
      param("noc.memory_port_row", &ArchConfig::memory_port_row, "", 0, 63,
            "mesh row of the router the global memory controller attaches to"),
      param("noc.memory_port_col", &ArchConfig::memory_port_col, "", 0, 63,
            "mesh column of the router the global memory controller attaches to"),
      // global memory
      param("memory.bytes", &ArchConfig::memory_bytes, "bytes", 1, k2p32,
            "global memory (DRAM) shared by all cores"),
      param("memory.latency_ns", &ArchConfig::memory_latency_ns, "ns", 0, kMaxNs, "latency of one DRAM transfer"),
      param("memory.bytes_per_ns", &ArchConfig::memory_bytes_per_ns, "bytes/ns", 0, 1e6,
            "DRAM bandwidth (1 byte/ns = 1 GB/s); 0 = infinitely fast (no per-byte cost)"),
      // energy: fixed per-event values (0 = from the component model)
      param("energy.crossbar_read_pj", &ArchConfig::e_crossbar_read_pj, "pJ", 0, kMaxPj,
            "crossbar read, per active physical column per input slice; 0 = crossbar.rows x "
            "energy.crossbar_cell_read_fj"),
      param("energy.dac_pj", &ArchConfig::e_dac_pj, "pJ", 0, kMaxPj,
            "DAC, per active row per input slice; 0 = (2^dac.bits - 1) x energy.dac_pj_per_level"),
      param("energy.adc_pj", &ArchConfig::e_adc_pj, "pJ", 0, kMaxPj,
            "one ADC conversion; 0 = energy.adc_fom_fj x 2^adc.bits x max(1, rate / energy.adc_corner_gsps)"),
      param("energy.cell_program_pj", &ArchConfig::e_cell_program_pj, "pJ", 0, kMaxPj,
            "programming one cell; 0 = (2^crossbar.cell_bits - 1) x energy.cell_program_pj_per_level"),
      param("energy.buffer_pj_per_byte", &ArchConfig::e_buffer_pj_per_byte, "pJ", 0, kMaxPj,
            "local buffer, per byte read or written; 0 = energy.sram_pj_per_byte_32kib x "
            "sqrt(buffer.bytes / 32 KiB)"),
      param("energy.gpeu_pj_per_op", &ArchConfig::e_gpeu_pj_per_op, "pJ", 0, kMaxPj, "GPEU, per lane operation",
            "Horowitz, ISSCC 2014 (45 nm): 32-bit multiply 3.1 pJ + 32-bit add 0.1 pJ (one requantization)"),
      param("energy.noc_pj_per_flit_hop", &ArchConfig::e_noc_pj_per_flit_hop, "pJ", 0, kMaxPj,
            "NoC, per flit per link traversed; 0 = noc.link_bytes x energy.noc_pj_per_byte_hop"),
      param("energy.memory_pj_per_byte", &ArchConfig::e_memory_pj_per_byte, "pJ", 0, kMaxPj,
            "DRAM, per byte transferred",
            "about 20 pJ/bit for DDR3/4 (Horowitz, ISSCC 2014: 1.3-2.6 nJ per 64-bit access) = 160 pJ/byte"),
      param("energy.static_mw_per_core", &ArchConfig::static_mw_per_core, "mW", 0, kMaxPj,
            "static (leakage) power of one core",
            "0: ISAAC, PRIME and NeuRRAM report total power only; set it for your technology"),
      // energy: reference values of the component models
      param("energy.adc_fom_fj", &ArchConfig::adc_fom_fj, "fJ", 0, kMaxPj,
            "ADC Walden figure of merit: energy per conversion step (a b-bit conversion takes 2^b steps)",
            "ISAAC (Shafiee et al., ISCA 2016): 8-bit SAR ADC, 2 mW at 1.28 GS/s = 1.56 pJ = 6.1 fJ x 2^8; "
            "within the Murmann ADC survey's SAR envelope (energy doubles per added bit)"),
      param("energy.adc_corner_gsps", &ArchConfig::adc_corner_gsps, "GS/s", 1e-6, 1e6,
            "ADC sample rate (1 / adc.ns) above which energy and area per conversion grow in proportion to the rate",
            "Murmann ADC survey: the FoM envelope degrades above ~1 GS/s; set at ISAAC's 1.28 GS/s so its ADC is "
            "reproduced"),
      param("energy.dac_pj_per_level", &ArchConfig::dac_pj_per_level, "pJ", 0, kMaxPj,
            "DAC, per active row per input slice per level step (a b-bit DAC has 2^b - 1)",
            "ISAAC: 8 x 128 1-bit DACs draw 4 mW; 3.9 uW x 100 ns = 0.39 pJ"),
      param("energy.crossbar_cell_read_fj", &ArchConfig::crossbar_cell_read_fj, "fJ", 0, kMaxPj,
            "crossbar read, per cell of an active column per input slice (a column has crossbar.rows cells)",
            "ISAAC: a 128x128 array draws 0.3 mW over a 100 ns read, 30 pJ / 128 columns / 128 rows = 1.8 fJ"),
      param("energy.cell_program_pj_per_level", &ArchConfig::cell_program_pj_per_level, "pJ", 0, kMaxPj,
            "programming one cell, per conductance level above 0 (write-verify pulses grow with the levels)",
            "estimate: 10 pJ for a 2-bit cell (3 levels): pJ-scale SET/RESET pulses (Wong et al., Proc. IEEE "
            "2012) times the write-verify iterations of multi-level cells (NeuRRAM, Wan et al., Nature 2022)"),
      param("energy.sram_pj_per_byte_32kib", &ArchConfig::sram_pj_per_byte_32kib, "pJ", 0, kMaxPj,
            "local buffer access per byte for a 32 KiB SRAM; scaled by sqrt(size / 32 KiB) (wire length)",
            "Horowitz, ISSCC 2014 (45 nm): 20 pJ per 64-bit read of a 32 KB SRAM = 2.5 pJ/byte; sqrt "
            "scaling as in CACTI's bit-line/word-line growth"),
      param("energy.noc_pj_per_byte_hop", &ArchConfig::noc_pj_per_byte_hop, "pJ", 0, kMaxPj,
            "NoC, per byte of flit per link traversed (a flit is noc.link_bytes wide)",
            "Keckler et al., IEEE Micro 2011 (40 nm): 26 pJ to move 256 bits 1 mm = 0.81 pJ/byte over a 1 mm "
            "link (router not included)"),
      // area
      param("area.cell_um2", &ArchConfig::area_cell_um2, "um2", 0, 1e9, "one RRAM cell",
            "ISAAC: 8 arrays of 128x128 in 0.0002 mm2 = 0.0015 um2 per cell"),
      param("area.adc_um2", &ArchConfig::area_adc_um2, "um2", 0, 1e9,
            "one 8-bit ADC at or below energy.adc_corner_gsps; x 2^(adc.bits - 8) x max(1, rate / corner)",
            "ISAAC: 8 ADCs (8-bit, 1.28 GS/s) in 0.0096 mm2 = 1200 um2 each; SAR capacitor DAC area doubles "
            "per bit (NeuroSim)"),
      param("area.dac_um2", &ArchConfig::area_dac_um2, "um2", 0, 1e9,
            "one 1-bit DAC (one per crossbar row); a b-bit DAC is 2^b - 1 times larger",
            "ISAAC: 8 x 128 1-bit DACs in 0.00017 mm2 = 0.166 um2 each"),
      param("area.sram_um2_per_kib", &ArchConfig::area_sram_um2_per_kib, "um2", 0, 1e9,
            "local buffer, per KiB", "ISAAC: 64 KB eDRAM buffer in 0.083 mm2 = 1297 um2 per KiB"),
      param("area.router_um2_per_link_byte", &ArchConfig::area_router_um2_per_link_byte, "um2", 0, 1e9,
            "NoC router of one core, per byte of link width (noc.link_bytes; 0 counts as 16)",
            "ISAAC: a router with 32-bit flits in 0.151 mm2 = 37750 um2 per byte of width (buffers grow "
            "linearly with width)"),
      param("area.gpeu_um2_per_lane", &ArchConfig::area_gpeu_um2_per_lane, "um2", 0, 1e9,
            "GPEU, per vector lane (gpeu.lanes; 0 counts as 16)",
            "estimate: a 32-bit multiply-add with requantization, ~1500 um2 at 32 nm (ISAAC's scaled units)"),
  };
  return defs;
}

const ParamDef* find_param(const std::string& key) {
  for (const ParamDef& d : param_defs())
    if (d.key == key) return &d;
  return nullptr;
}

std::string format_number(double v, bool integer) {
  if (integer || v == std::floor(v)) {
    if (std::fabs(v) < 9.007199254740992e15) {
      const int64_t i = int64_t(v);
      if (i >= (int64_t(1) << 16) && (i & (i - 1)) == 0) {
        int k = 0;
        while ((int64_t(1) << k) != i) ++k;
        return "2^" + std::to_string(k);
      }
      if (i >= 100000) {
        int64_t p = 1;
        int k = 0;
        while (p < i) p *= 10, ++k;
        if (p == i) return "1e" + std::to_string(k);
      }
      if (integer) return std::to_string(i);
    }
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back equal
  return std::string(buf, r.ptr);
}

std::string ParamDef::value_string(const ArchConfig& c) const {
  return std::visit(
      [&](auto m) -> std::string {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(c.*m)>>;
        if constexpr (std::is_same_v<T, std::string>) return c.*m;
        else if constexpr (std::is_same_v<T, WeightMapping>) return mapping_name(c.*m);
        else if constexpr (std::is_same_v<T, double>) {
          char buf[64];
          const auto r = std::to_chars(buf, buf + sizeof buf, c.*m);
          return std::string(buf, r.ptr);
        } else return std::to_string(c.*m);
      },
      member);
}

double ParamDef::value(const ArchConfig& c) const {
  return std::visit(
      [&](auto m) -> double {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(c.*m)>>;
        if constexpr (std::is_arithmetic_v<T>) return double(c.*m);
        else return 0.0;
      },
      member);
}

void ParamDef::set(ArchConfig& c, double v) const {
  std::visit(
      [&](auto m) {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(c.*m)>>;
        if constexpr (std::is_arithmetic_v<T>) c.*m = T(v);
      },
      member);
}

std::string ParamDef::range_string() const {
  if (std::holds_alternative<std::string ArchConfig::*>(member)) return "text";
  if (std::holds_alternative<WeightMapping ArchConfig::*>(member))
    return "differential-column, differential-row, offset";
  return format_number(min, is_integer()) + ".." + format_number(max, is_integer());
}

const std::vector<ParamInfo>& arch_params() {
  static const std::vector<ParamInfo> infos = [] {
    std::vector<ParamInfo> v;
    const ArchConfig defaults;
    for (const ParamDef& d : param_defs()) v.push_back({d.key, d.unit, d.value_string(defaults), d.range_string(), d.doc});
    return v;
  }();
  return infos;
}

namespace {

std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s : s + std::string(width - s.size(), ' '); }

}  // namespace

std::string params_table() {
  size_t wk = 9, wu = 4, wd = 7, wr = 5;
  for (const ParamInfo& p : arch_params()) {
    wk = std::max(wk, p.key.size());
    wu = std::max(wu, p.unit.size());
    wd = std::max(wd, p.default_value.size());
    wr = std::max(wr, p.range.size());
  }
  std::ostringstream s;
  s << pad("parameter", wk) << "  " << pad("unit", wu) << "  " << pad("default", wd) << "  " << pad("range", wr)
    << "  meaning\n";
  for (const ParamInfo& p : arch_params())
    s << pad(p.key, wk) << "  " << pad(p.unit, wu) << "  " << pad(p.default_value, wd) << "  " << pad(p.range, wr)
      << "  " << p.doc << "\n";
  s << "\nTimes and cycle counts accept 0 (no cost). See docs/configuration.md for the timing model.\n";
  return s.str();
}

std::string params_markdown() {
  std::ostringstream s;
  s << "# Architecture parameters\n\n"
    << "<!-- Generated by `cimvp params --markdown` from the table in\n"
    << "     config/arch_params.cpp; tests/config/docs_test.cpp fails when\n"
    << "     this file and the table differ. Do not edit by hand. -->\n\n"
    << "Every key of an architecture YAML file (see [configuration.md](configuration.md)).\n"
    << "A key that is not given takes the default below. Ranges are inclusive.\n"
    << "Every time and cycle count accepts 0 (no cost); a width of 0\n"
    << "(`buffer.width_bytes`, `gpeu.lanes`, `noc.link_bytes`, `memory.bytes_per_ns`)\n"
    << "means infinitely wide: that part of the cost disappears.\n\n"
    << "| key | unit | default | range | meaning |\n"
    << "|---|---|---|---|---|\n";
  for (const ParamInfo& p : arch_params())
    s << "| `" << p.key << "` | " << p.unit << " | " << p.default_value << " | " << p.range << " | " << p.doc
      << " |\n";
  s << "\n## Sources of the energy and area defaults\n\n"
    << "Per-event energies and areas are estimates from published designs, in their\n"
    << "technology nodes; they set the scale of the energy and area reports, not a\n"
    << "calibrated prediction. The formulas are in [energy-area.md](energy-area.md).\n\n"
    << "| key | default | source |\n|---|---|---|\n";
  const ArchConfig defaults;
  for (const ParamDef& d : param_defs())
    if (!d.source.empty()) s << "| `" << d.key << "` | " << d.value_string(defaults) << " " << d.unit << " | " << d.source << " |\n";
  return s.str();
}

}  // namespace cimvp
