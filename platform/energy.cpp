#include "platform/energy.h"

#include "models/adc.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

namespace {

double or_model(double override_value, double model) { return override_value > 0 ? override_value : model; }

}  // namespace

EventEnergies event_energies(const ArchConfig& a) {
  constexpr double fj = 1e-3;  // in pJ
  const int link_bytes = a.noc.link_bytes > 0 ? a.noc.link_bytes : 16;  // infinitely wide links: price 16-byte flits
  EventEnergies e;
  e.crossbar_read_pj = or_model(a.energy.crossbar_read_pj, a.crossbar.rows * a.energy.crossbar_cell_read_fj * fj);
  e.dac_pj = or_model(a.energy.dac_pj, double((1 << a.dac.bits) - 1) * a.energy.dac_pj_per_level);
  e.adc_pj = AdcCosts(a).energy_pj;
  e.cell_program_pj = or_model(a.energy.cell_program_pj, double((1 << a.crossbar.cell_bits) - 1) * a.energy.cell_program_pj_per_level);
  e.buffer_pj_per_byte =
      or_model(a.energy.buffer_pj_per_byte, a.energy.sram_pj_per_byte_32kib * std::sqrt(double(a.buffer.bytes) / 32768.0));
  e.gpeu_pj_per_op = a.energy.gpeu_pj_per_op;
  e.noc_pj_per_flit_hop = or_model(a.energy.noc_pj_per_flit_hop, link_bytes * a.energy.noc_pj_per_byte_hop);
  e.memory_pj_per_byte = a.energy.memory_pj_per_byte;
  return e;
}

std::map<std::string, double> dynamic_energy(const ArchConfig& a, const EventCounts& e) {
  return dynamic_energy(event_energies(a), e);
}

std::map<std::string, double> dynamic_energy(const EventEnergies& p, const EventCounts& e) {
  constexpr double pj = 1e-12;
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

double dynamic_energy_joules(const EventEnergies& p, const EventCounts& e) {
  constexpr double pj = 1e-12;
  // total(dynamic_energy(p, e)) without building the map: the same terms
  // added in the map's (alphabetical) order, so the sums are equal to the bit.
  double sum = 0;
  sum += double(e.adc_conversions) * p.adc_pj * pj;
  sum += double(e.buffer_bytes) * p.buffer_pj_per_byte * pj;
  sum += double(e.crossbar_column_reads) * p.crossbar_read_pj * pj;
  sum += double(e.dac_conversions) * p.dac_pj * pj;
  sum += double(e.gpeu_ops) * p.gpeu_pj_per_op * pj;
  sum += double(e.memory_bytes_transferred) * p.memory_pj_per_byte * pj;
  sum += double(e.noc_flit_hops) * p.noc_pj_per_flit_hop * pj;
  sum += double(e.cells_programmed) * p.cell_program_pj * pj;
  return sum;
}

double total(const std::map<std::string, double>& components) {
  double sum = 0;
  for (const auto& [name, joules] : components) sum += joules;
  return sum;
}

double static_energy(const ArchConfig& a, double seconds) {
  return a.energy.static_mw_per_core * 1e-3 * a.cores() * seconds;
}

}  // namespace cimvp
