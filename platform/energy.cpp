#include "platform/energy.h"

namespace cimvp {

std::map<std::string, double> dynamic_energy(const ArchConfig& a, const EventCounts& e) {
  constexpr double pj = 1e-12;
  return {
      {"crossbar", double(e.crossbar_column_reads) * a.e_crossbar_read_pj * pj},
      {"dac", double(e.dac_conversions) * a.e_dac_pj * pj},
      {"adc", double(e.adc_conversions) * a.e_adc_pj * pj},
      {"programming", double(e.cells_programmed) * a.e_cell_program_pj * pj},
      {"buffer", double(e.buffer_bytes) * a.e_buffer_pj_per_byte * pj},
      {"gpeu", double(e.gpeu_ops) * a.e_gpeu_pj_per_op * pj},
      {"noc", double(e.noc_flit_hops) * a.e_noc_pj_per_flit_hop * pj},
      {"memory", double(e.memory_bytes_transferred) * a.e_memory_pj_per_byte * pj},
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
