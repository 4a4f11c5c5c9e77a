// The parameter table: every architecture parameter declared once, with its
// YAML key, the section member it sets, unit, range, one line of
// documentation and the source of its default. Defaults are not repeated
// here: they are read from the section structs' initializers. The YAML reader,
// validate(), to_yaml(), `cimvp params` and docs/params.md all use this table.
#include "config/arch_params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <type_traits>

namespace cimvp {

namespace {

// The field of a section (`adc.bits`) or of ArchConfig itself (`name`) as a
// function, so one table entry reaches a nested member.
template <auto Section, auto Field>
auto& section_field(ArchConfig& c) {
  return (c.*Section).*Field;
}
template <auto Field>
auto& top_field(ArchConfig& c) {
  return c.*Field;
}

ParamDef make_param(ParamDef::Member member, const char* key, const char* unit, double lo, double hi, const char* doc,
                    const char* source) {
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

template <auto Section, auto Field>
ParamDef param(const char* key, const char* unit, double lo, double hi, const char* doc, const char* source = "") {
  return make_param(&section_field<Section, Field>, key, unit, lo, hi, doc, source);
}
// A text parameter that takes one of `choices`.
template <auto Section, auto Field>
ParamDef choice(const char* key, std::vector<std::string> choices, const char* doc, const char* source = "") {
  ParamDef d = make_param(&section_field<Section, Field>, key, "", 0, 0, doc, source);
  d.choices = std::move(choices);
  return d;
}
// A numeric parameter whose 0 means off, written `word` (ParamDef::off).
ParamDef can_be_off(ParamDef d, const char* word) {
  d.off = word;
  return d;
}
template <auto Field>
ParamDef top(const char* key, const char* unit, double lo, double hi, const char* doc, const char* source = "") {
  return make_param(&top_field<Field>, key, unit, lo, hi, doc, source);
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
      top<&ArchConfig::name>("name", "", 0, 0,
            "name of the architecture, recorded in compiled images and reports"),
      top<&ArchConfig::clock_mhz>("clock_mhz", "MHz", 1e-3, 1e5,
            "clock of cores, NoC and buffers; reports count cycles of this clock"),
      // mesh of cores
      param<&ArchConfig::mesh, &MeshParams::rows>("mesh.rows", "", 1, 64, "rows of the 2D mesh of cores"),
      param<&ArchConfig::mesh, &MeshParams::cols>("mesh.cols", "", 1, 64, "columns of the 2D mesh of cores"),
      // core
      param<&ArchConfig::core, &CoreParams::pes>("core.pes", "", 1, 64, "processing elements per core"),
      param<&ArchConfig::core, &CoreParams::crossbars_per_pe>("core.crossbars_per_pe", "", 1, 256, "crossbars per processing element"),
      param<&ArchConfig::core, &CoreParams::issue_cycles>("core.issue_cycles", "cycles", 0, kMaxCycles,
            "time of every scalar, branch, vcfg and halt instruction"),
      param<&ArchConfig::core, &CoreParams::barrier_cycles>("core.barrier_cycles", "cycles", 0, kMaxCycles,
            "time from the last core's arrival at a barrier to the release of all cores"),
      // crossbar
      param<&ArchConfig::crossbar, &CrossbarParams::rows>("crossbar.rows", "", 1, 4096, "word lines (physical rows, inputs) per crossbar"),
      param<&ArchConfig::crossbar, &CrossbarParams::cols>("crossbar.cols", "", 1, 4096, "bit lines (physical columns, outputs) per crossbar"),
      param<&ArchConfig::crossbar, &CrossbarParams::cell_bits>("crossbar.cell_bits", "bits", 1, 8,
            "bits per RRAM cell (levels 0..2^bits-1); a w-bit weight takes ceil(w / cell_bits) cells"),
      param<&ArchConfig::crossbar, &CrossbarParams::mapping>("crossbar.mapping", "", 0, 0,
            "signed weights: differential-column (2x columns), differential-row (2x rows) or offset (+1 reference column)"),
      choice<&ArchConfig::crossbar, &CrossbarParams::encoding>("crossbar.encoding", {"direct", "flipped-columns"},
            "flipped-columns: a column whose levels sum above half its range stores their complements and a flag, "
            "so column sums stay within half the range (ISAAC's encoding; not with differential-row)",
            "Shafiee et al., ISCA 2016 (ISAAC), section on the encoding that saves one ADC bit"),
      param<&ArchConfig::crossbar, &CrossbarParams::read_ns>("crossbar.read_ns", "ns", 0, kMaxNs,
            "one analog read of a crossbar: the time of one input slice"),
      param<&ArchConfig::crossbar, &CrossbarParams::program_ns>("crossbar.program_ns", "ns", 0, kMaxNs,
            "programming a crossbar with a weight block, fixed part"),
      param<&ArchConfig::crossbar, &CrossbarParams::program_row_ns>("crossbar.program_row_ns", "ns", 0, kMaxNs,
            "programming, added per programmed physical row"),
      // DAC
      param<&ArchConfig::dac, &DacParams::bits>("dac.bits", "bits", 1, 8,
            "input bits applied per slice; an a-bit input takes ceil(a / dac.bits) slices"),
      param<&ArchConfig::dac, &DacParams::ns>("dac.ns", "ns", 0, kMaxNs, "DAC settling time per input slice"),
      // ADC
      param<&ArchConfig::adc, &AdcParams::bits>("adc.bits", "bits", 1, 40,
            "ADC resolution; ideal (exact) when 2^bits - 1 >= the largest column sum"),
      param<&ArchConfig::adc, &AdcParams::cols_per_adc>("adc.cols_per_adc", "", 1, 4096,
            "physical columns sharing one ADC, converted one after another"),
      param<&ArchConfig::adc, &AdcParams::ns>("adc.ns", "ns", 0, kMaxNs, "one ADC conversion"),
      param<&ArchConfig::adc, &AdcParams::full_scale>("adc.full_scale", "", 0, k2p40,
            "column sum mapped to the top ADC code; 0 = the largest possible column sum"),
      param<&ArchConfig::adc, &AdcParams::offset_lsb>("adc.offset_lsb", "LSB", -1e6, 1e6,
            "offset added to every conversion's input, in code steps (full_scale / (2^bits - 1))",
            "typical: below 1 LSB after trimming (Murmann, ADC performance survey)"),
      param<&ArchConfig::adc, &AdcParams::gain_error>("adc.gain_error", "", -1, 1,
            "relative gain error: the converter sees v x (1 + gain_error)", "typical: 1e-3..1e-2"),
      param<&ArchConfig::adc, &AdcParams::noise_lsb>("adc.noise_lsb", "LSB", 0, 1e6,
            "standard deviation of the input-referred noise of one conversion, in code steps",
            "typical: 0.3..1 LSB (thermal and comparator noise)"),
      choice<&ArchConfig::adc, &AdcParams::calibration>("adc.calibration", {"none", "max", "mse"},
            "ADC range calibration: none (adc.full_scale everywhere); max or mse: each weight block's column groups "
            "(weight slices) get the full scale that covers their largest observed column sum (max) or that "
            "minimizes the squared conversion error of the observed sums (mse), on adc.calibration_images "
            "training images; recorded in the image",
            "PRIME (Chi et al., ISCA 2016) and later designs set the ADC reference from the expected column sums"),
      param<&ArchConfig::adc, &AdcParams::calibration_images>("adc.calibration_images", "", 1, 100000,
            "training images whose column sums the ADC range calibration observes"),
      // device non-idealities (models/device/, docs/device.md)
      param<&ArchConfig::device, &DeviceParams::program_sigma>("device.program_sigma", "", 0, 10,
            "programming (device-to-device) variation: standard deviation relative to the conductance range "
            "(normal), or of ln g (lognormal)",
            "after write-verify: a few per cent of the range (aihwkit's PCM model, Joshi et al., Nat. Commun. 2020)"),
      choice<&ArchConfig::device, &DeviceParams::program_distribution>("device.program_distribution",
            {"normal", "lognormal"}, "normal: g + sigma x range x N(0,1); lognormal: g x exp(sigma x N(0,1))"),
      param<&ArchConfig::device, &DeviceParams::read_sigma>("device.read_sigma", "", 0, 10,
            "read (cycle-to-cycle) noise of every cell at every read, standard deviation relative to the range",
            "0.01..0.05 (aihwkit's w_noise 0.02 in its inference example)"),
      param<&ArchConfig::device, &DeviceParams::stuck_low_rate>("device.stuck_low_rate", "", 0, 1,
            "fraction of cells stuck at g_min (high resistance), whatever is programmed",
            "a few per cent in fabricated arrays (Chen et al., DATE 2017)"),
      param<&ArchConfig::device, &DeviceParams::stuck_high_rate>("device.stuck_high_rate", "", 0, 1,
            "fraction of cells stuck at g_max (low resistance)", "about 1 % (Chen et al., DATE 2017)"),
      param<&ArchConfig::device, &DeviceParams::on_off_ratio>("device.on_off_ratio", "", 0, 1e12,
            "g_max / g_min (above 1): level 0 still conducts g_min; 0 = infinite (g_min = 0)",
            "RRAM 10..100 (NeuroSim's RRAM default: 17, 100 kohm / 1.7 Mohm)"),
      param<&ArchConfig::device, &DeviceParams::drift_nu>("device.drift_nu", "", 0, 1,
            "conductance drift exponent: g(t) = g(t0) x (t / t0)^-nu",
            "PCM 0.05..0.1 (aihwkit's PCM model, Nandakumar et al. 2019); RRAM lower"),
      param<&ArchConfig::device, &DeviceParams::drift_nu_sigma>("device.drift_nu_sigma", "", 0, 1,
            "device-to-device standard deviation of the drift exponent", "PCM 0.008..0.045 (aihwkit)"),
      param<&ArchConfig::device, &DeviceParams::drift_t0_s>("device.drift_t0_s", "s", 1e-9, 1e12,
            "time after programming at which conductances are as programmed (drift reference)", "aihwkit: 20 s"),
      param<&ArchConfig::device, &DeviceParams::read_time_s>("device.read_time_s", "s", 1e-9, 1e12,
            "time since programming at which inference reads the cells (1 day = 86400, 1 year = 3.15e7)"),
      choice<&ArchConfig::device, &DeviceParams::drift_compensation>("device.drift_compensation", {"none", "global"},
            "global: one scale per crossbar, the programmed over the drifted summed conductance, applied to the "
            "column currents (aihwkit's global drift compensation)"),
      can_be_off(param<&ArchConfig::device, &DeviceParams::refresh_interval_s>("device.refresh_interval_s", "s", 1e-9, 1e12,
            "resident weights reprogrammed every this many seconds: reads at ages spread over the interval, each "
            "inference charged inference time / interval of the set-up's time and energy (docs/device.md); "
            "never = not refreshed (then device.read_time_s is the age)"), "never"),
      param<&ArchConfig::device, &DeviceParams::wire_ohm>("device.wire_ohm", "ohm", 0, 1e6,
            "word- and bit-line resistance per cell pitch (first-order IR drop); 0 = ideal wires",
            "a few ohm per cell pitch at advanced nodes (NeuroSim derives it from the wire width)"),
      param<&ArchConfig::device, &DeviceParams::lrs_ohm>("device.lrs_ohm", "ohm", 1, 1e12,
            "resistance of a cell at g_max (low-resistance state), the scale of IR drop",
            "NeuroSim's RRAM default: 100 kohm"),
      param<&ArchConfig::device, &DeviceParams::seed>("device.seed", "", 0, 9007199254740992.0,
            "seed of every device draw, with the core, crossbar and programming event"),
      // shift-and-add
      param<&ArchConfig::shift_add, &ShiftAddParams::cycles>("shift_add.cycles", "cycles", 0, kMaxCycles,
            "shift-and-add and partial-sum accumulation, per Mvm instruction"),
      // buffer
      param<&ArchConfig::buffer, &BufferParams::bytes>("buffer.bytes", "bytes", 1, k2p32, "local SRAM buffer per core"),
      param<&ArchConfig::buffer, &BufferParams::width_bytes>("buffer.width_bytes", "bytes/cycle", 0, kMaxWidth,
            "buffer port width; 0 = infinitely wide (no per-byte cost)"),
      param<&ArchConfig::buffer, &BufferParams::latency_cycles>("buffer.latency_cycles", "cycles", 0, kMaxCycles,
            "fixed latency of one buffer access"),
      // GPEU
      param<&ArchConfig::gpeu, &GpeuParams::lanes>("gpeu.lanes", "", 0, kMaxWidth,
            "vector lanes of the GPEU; 0 = infinitely many (no per-element cost)"),
      param<&ArchConfig::gpeu, &GpeuParams::startup_cycles>("gpeu.startup_cycles", "cycles", 0, kMaxCycles,
            "fixed cost of one GPEU operation"),
      // NoC
      param<&ArchConfig::noc, &NocParams::hop_cycles>("noc.hop_cycles", "cycles", 0, kMaxCycles,
            "router plus link latency of one hop (XY routing)"),
      param<&ArchConfig::noc, &NocParams::link_bytes>("noc.link_bytes", "bytes/cycle", 0, kMaxWidth,
            "link width (one flit); 0 = infinitely wide (no serialization cost)"),
      param<&ArchConfig::noc, &NocParams::memory_port_row>("noc.memory_port_row", "", 0, 63,
            "mesh row of the router the global memory controller attaches to"),
      param<&ArchConfig::noc, &NocParams::memory_port_col>("noc.memory_port_col", "", 0, 63,
            "mesh column of the router the global memory controller attaches to"),
      // global memory
      param<&ArchConfig::memory, &MemoryParams::bytes>("memory.bytes", "bytes", 1, k2p32,
            "global memory (DRAM) shared by all cores"),
      param<&ArchConfig::memory, &MemoryParams::latency_ns>("memory.latency_ns", "ns", 0, kMaxNs, "latency of one DRAM transfer"),
      param<&ArchConfig::memory, &MemoryParams::bytes_per_ns>("memory.bytes_per_ns", "bytes/ns", 0, 1e6,
            "DRAM bandwidth (1 byte/ns = 1 GB/s); 0 = infinitely fast (no per-byte cost)"),
      // energy: fixed per-event values (0 = from the component model)
      param<&ArchConfig::energy, &EnergyParams::crossbar_read_pj>("energy.crossbar_read_pj", "pJ", 0, kMaxPj,
            "crossbar read, per active physical column per input slice; 0 = crossbar.rows x "
            "energy.crossbar_cell_read_fj"),
      param<&ArchConfig::energy, &EnergyParams::dac_pj>("energy.dac_pj", "pJ", 0, kMaxPj,
            "DAC, per active row per input slice; 0 = (2^dac.bits - 1) x energy.dac_pj_per_level"),
      param<&ArchConfig::energy, &EnergyParams::adc_pj>("energy.adc_pj", "pJ", 0, kMaxPj,
            "one ADC conversion; 0 = energy.adc_fom_fj x 2^adc.bits x max(1, rate / energy.adc_corner_gsps)"),
      param<&ArchConfig::energy, &EnergyParams::cell_program_pj>("energy.cell_program_pj", "pJ", 0, kMaxPj,
            "programming one cell; 0 = (2^crossbar.cell_bits - 1) x energy.cell_program_pj_per_level"),
      param<&ArchConfig::energy, &EnergyParams::buffer_pj_per_byte>("energy.buffer_pj_per_byte", "pJ", 0, kMaxPj,
            "local buffer, per byte read or written; 0 = energy.sram_pj_per_byte_32kib x "
            "sqrt(buffer.bytes / 32 KiB)"),
      param<&ArchConfig::energy, &EnergyParams::gpeu_pj_per_op>("energy.gpeu_pj_per_op", "pJ", 0, kMaxPj, "GPEU, per lane operation",
            "Horowitz, ISSCC 2014 (45 nm): 32-bit multiply 3.1 pJ + 32-bit add 0.1 pJ (one requantization)"),
      param<&ArchConfig::energy, &EnergyParams::noc_pj_per_flit_hop>("energy.noc_pj_per_flit_hop", "pJ", 0, kMaxPj,
            "NoC, per flit per link traversed; 0 = noc.link_bytes x energy.noc_pj_per_byte_hop"),
      param<&ArchConfig::energy, &EnergyParams::memory_pj_per_byte>("energy.memory_pj_per_byte", "pJ", 0, kMaxPj,
            "DRAM, per byte transferred",
            "about 20 pJ/bit for DDR3/4 (Horowitz, ISSCC 2014: 1.3-2.6 nJ per 64-bit access) = 160 pJ/byte"),
      param<&ArchConfig::energy, &EnergyParams::static_mw_per_core>("energy.static_mw_per_core", "mW", 0, kMaxPj,
            "static (leakage) power of one core",
            "0: ISAAC, PRIME and NeuRRAM report total power only; set it for your technology"),
      // energy: reference values of the component models
      param<&ArchConfig::energy, &EnergyParams::adc_fom_fj>("energy.adc_fom_fj", "fJ", 0, kMaxPj,
            "ADC Walden figure of merit: energy per conversion step (a b-bit conversion takes 2^b steps)",
            "ISAAC (Shafiee et al., ISCA 2016): 8-bit SAR ADC, 2 mW at 1.28 GS/s = 1.56 pJ = 6.1 fJ x 2^8; "
            "within the Murmann ADC survey's SAR envelope (energy doubles per added bit)"),
      param<&ArchConfig::energy, &EnergyParams::adc_corner_gsps>("energy.adc_corner_gsps", "GS/s", 1e-6, 1e6,
            "ADC sample rate (1 / adc.ns) above which energy and area per conversion grow in proportion to the rate",
            "Murmann ADC survey: the FoM envelope degrades above ~1 GS/s; set at ISAAC's 1.28 GS/s so its ADC is "
            "reproduced"),
      param<&ArchConfig::energy, &EnergyParams::dac_pj_per_level>("energy.dac_pj_per_level", "pJ", 0, kMaxPj,
            "DAC, per active row per input slice per level step (a b-bit DAC has 2^b - 1)",
            "ISAAC: 8 x 128 1-bit DACs draw 4 mW; 3.9 uW x 100 ns = 0.39 pJ"),
      param<&ArchConfig::energy, &EnergyParams::crossbar_cell_read_fj>("energy.crossbar_cell_read_fj", "fJ", 0, kMaxPj,
            "crossbar read, per cell of an active column per input slice (a column has crossbar.rows cells)",
            "ISAAC: a 128x128 array draws 0.3 mW over a 100 ns read, 30 pJ / 128 columns / 128 rows = 1.8 fJ"),
      param<&ArchConfig::energy, &EnergyParams::cell_program_pj_per_level>("energy.cell_program_pj_per_level", "pJ", 0, kMaxPj,
            "programming one cell, per conductance level above 0 (write-verify pulses grow with the levels)",
            "estimate: 10 pJ for a 2-bit cell (3 levels): pJ-scale SET/RESET pulses (Wong et al., Proc. IEEE "
            "2012) times the write-verify iterations of multi-level cells (NeuRRAM, Wan et al., Nature 2022)"),
      param<&ArchConfig::energy, &EnergyParams::sram_pj_per_byte_32kib>("energy.sram_pj_per_byte_32kib", "pJ", 0, kMaxPj,
            "local buffer access per byte for a 32 KiB SRAM; scaled by sqrt(size / 32 KiB) (wire length)",
            "Horowitz, ISSCC 2014 (45 nm): 20 pJ per 64-bit read of a 32 KB SRAM = 2.5 pJ/byte; sqrt "
            "scaling as in CACTI's bit-line/word-line growth"),
      param<&ArchConfig::energy, &EnergyParams::noc_pj_per_byte_hop>("energy.noc_pj_per_byte_hop", "pJ", 0, kMaxPj,
            "NoC, per byte of flit per link traversed (a flit is noc.link_bytes wide)",
            "Keckler et al., IEEE Micro 2011 (40 nm): 26 pJ to move 256 bits 1 mm = 0.81 pJ/byte over a 1 mm "
            "link (router not included)"),
      // area
      param<&ArchConfig::area, &AreaParams::cell_um2>("area.cell_um2", "um2", 0, 1e9, "one RRAM cell",
            "ISAAC: 8 arrays of 128x128 in 0.0002 mm2 = 0.0015 um2 per cell"),
      param<&ArchConfig::area, &AreaParams::adc_um2>("area.adc_um2", "um2", 0, 1e9,
            "one 8-bit ADC at or below energy.adc_corner_gsps; x 2^(adc.bits - 8) x max(1, rate / corner)",
            "ISAAC: 8 ADCs (8-bit, 1.28 GS/s) in 0.0096 mm2 = 1200 um2 each; SAR capacitor DAC area doubles "
            "per bit (NeuroSim)"),
      param<&ArchConfig::area, &AreaParams::dac_um2>("area.dac_um2", "um2", 0, 1e9,
            "one 1-bit DAC (one per crossbar row); a b-bit DAC is 2^b - 1 times larger",
            "ISAAC: 8 x 128 1-bit DACs in 0.00017 mm2 = 0.166 um2 each"),
      param<&ArchConfig::area, &AreaParams::sram_um2_per_kib>("area.sram_um2_per_kib", "um2", 0, 1e9,
            "local buffer, per KiB", "ISAAC: 64 KB eDRAM buffer in 0.083 mm2 = 1297 um2 per KiB"),
      param<&ArchConfig::area, &AreaParams::router_um2_per_link_byte>("area.router_um2_per_link_byte", "um2", 0, 1e9,
            "NoC router of one core, per byte of link width (noc.link_bytes; 0 counts as 16)",
            "ISAAC: a router with 32-bit flits in 0.151 mm2 = 37750 um2 per byte of width (buffers grow "
            "linearly with width)"),
      param<&ArchConfig::area, &AreaParams::gpeu_um2_per_lane>("area.gpeu_um2_per_lane", "um2", 0, 1e9,
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
  if (v < 0) return "-" + format_number(-v, integer);
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
  if (is_off(c)) return off;
  return std::visit(
      [&](auto m) -> std::string {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(m(mutable_ref(c)))>>;
        if constexpr (std::is_same_v<T, std::string>) return m(mutable_ref(c));
        else if constexpr (std::is_same_v<T, WeightMapping>) return mapping_name(m(mutable_ref(c)));
        else if constexpr (std::is_same_v<T, double>) {
          char buf[64];
          const auto r = std::to_chars(buf, buf + sizeof buf, m(mutable_ref(c)));
          return std::string(buf, r.ptr);
        } else return std::to_string(m(mutable_ref(c)));
      },
      member);
}

double ParamDef::value(const ArchConfig& c) const {
  return std::visit(
      [&](auto m) -> double {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(m(mutable_ref(c)))>>;
        if constexpr (std::is_arithmetic_v<T>) return double(m(mutable_ref(c)));
        else return 0.0;
      },
      member);
}

void ParamDef::set(ArchConfig& c, double v) const {
  std::visit(
      [&](auto m) {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(m(mutable_ref(c)))>>;
        if constexpr (std::is_arithmetic_v<T>) m(mutable_ref(c)) = T(v);
      },
      member);
}

std::string ParamDef::range_string() const {
  if (std::holds_alternative<Field<std::string>>(member)) {
    if (choices.empty()) return "text";
    std::string r;
    for (const std::string& c : choices) r += (r.empty() ? "" : ", ") + c;
    return r;
  }
  if (std::holds_alternative<Field<WeightMapping>>(member))
    return "differential-column, differential-row, offset";
  return format_number(min, is_integer()) + ".." + format_number(max, is_integer());
}

const std::vector<ParamInfo>& arch_params() {
  static const std::vector<ParamInfo> infos = [] {
    std::vector<ParamInfo> v;
    const ArchConfig defaults;
    for (const ParamDef& d : param_defs())
      v.push_back({d.key, d.unit, d.value_string(defaults), d.range_string() + (d.off.empty() ? "" : ", or " + d.off),
                   d.doc});
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
