// The energy model: every event a run counts, times its per-event energy,
// plus static power over the run time. Kept apart from the models so that the
// same counts can be re-priced for another technology without simulating
// again. The per-event energies follow the architecture (docs/energy-area.md):
// the ADC by resolution and sample rate (Walden figure of merit), the DAC by
// bits, a crossbar read by rows, programming by cell levels, the buffer by
// size and the NoC by link width; a fixed energy.* value > 0 overrides each.
#pragma once

#include <map>
#include <string>

#include "models/events.h"
#include "config/arch_config.h"

namespace cimvp {

// Energy of one event of each kind, picojoules.
struct EventEnergies {
  double crossbar_read_pj = 0;  // per active physical column per input slice
  double dac_pj = 0;            // per active row per input slice
  double adc_pj = 0;            // per conversion
  double cell_program_pj = 0;   // per programmed cell
  double buffer_pj_per_byte = 0;
  double gpeu_pj_per_op = 0;
  double noc_pj_per_flit_hop = 0;
  double memory_pj_per_byte = 0;
};
EventEnergies event_energies(const ArchConfig& arch);

// Dynamic energy per component kind in joules for `events`.
std::map<std::string, double> dynamic_energy(const ArchConfig& arch, const EventCounts& events);
std::map<std::string, double> dynamic_energy(const EventEnergies& energies, const EventCounts& events);
// total(dynamic_energy(energies, events)), equal to the bit, without the map:
// a run report prices every core and layer, and the VP runs in search loops.
double dynamic_energy_joules(const EventEnergies& energies, const EventCounts& events);
double total(const std::map<std::string, double>& components);
double static_energy(const ArchConfig& arch, double seconds);  // all cores

}  // namespace cimvp
