#include "platform/energy.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

double adc_rate_gsps(const ArchConfig& a) { return a.adc_ns > 0 ? 1.0 / a.adc_ns : 0.0; }

double adc_speed_factor(const ArchConfig& a) { return std::max(1.0, adc_rate_gsps(a) / a.adc_corner_gsps); }

namespace {

double or_model(double override_value, double model) { return override_value > 0 ? override_value : model; }

}  // namespace

EventEnergies event_energies(const ArchConfig& a) {
  constexpr double fj = 1e-3;  // in pJ
  const int link_bytes = a.noc_link_bytes > 0 ? a.noc_link_bytes : 16;  // infinitely wide links: price 16-byte flits
  EventEnergies e;
  e.crossbar_read_pj = or_model(a.e_crossbar_read_pj, a.crossbar_rows * a.crossbar_cell_read_fj * fj);
  e.dac_pj = or_model(a.e_dac_pj, double((1 << a.dac_bits) - 1) * a.dac_pj_per_level);
  e.adc_pj = or_model(a.e_adc_pj, a.adc_fom_fj * fj * std::ldexp(1.0, a.adc_bits) * adc_speed_factor(a));
  e.cell_program_pj = or_model(a.e_cell_program_pj, double((1 << a.cell_bits) - 1) * a.cell_program_pj_per_level);
  e.buffer_pj_per_byte =
      or_model(a.e_buffer_pj_per_byte, a.sram_pj_per_byte_32kib * std::sqrt(double(a.buffer_bytes) / 32768.0));
  e.gpeu_pj_per_op = a.e_gpeu_pj_per_op;
  e.noc_pj_per_flit_hop = or_model(a.e_noc_pj_per_flit_hop, link_bytes * a.noc_pj_per_byte_hop);
  e.memory_pj_per_byte = a.e_memory_pj_per_byte;
  return e;
}

std::map<std::string, double> dynamic_energy(const ArchConfig& a, const EventCounts& e) {
  constexpr double pj = 1e-12;
  const EventEnergies p = event_energies(a);
  return {
      {"crossbar", double(e.crossbar_column_reads) * p.crossbar_read_pj * pj},
      {"dac", double(e.dac_conversions) * p.dac_pj * pj},
      {"adc", double(e.adc_conversions) * p.adc_pj * pj},
      {"programming", double(e.cells_programmed) * p.cell_program_pj * pj},
      {"buffer", double(e.buffer_bytes) * p.buffer_pj_per_byte * pj},
      {"gpeu", double(e.gpeu_ops) * p.gpeu_pj_per_op * pj},
      {"noc", double(e.noc_flit_hops) * p.noc_pj_per_flit_hop * pj},
      {"memory", double(e.memory_bytes_transferred) * p.memory_pj_per_byte * pj},
  };
}

double total(const std::map<std::string, double>& components) {
  double sum = 0;
  for (const auto& [name, joules] : components) sum += joules;
  return sum;
}

double static_energy(const ArchConfig& a, double seconds) {
  return a.static_mw_per_core * 1e-3 * a.cores() * seconds;
}

}  // namespace cimvp
