// The energy model: every event a run counts, times its per-event energy
// from the architecture (energy.* parameters), plus static power over the
// run time. Kept apart from the models so that the same counts can be
// re-priced for another technology without simulating again.
#pragma once

#include <map>
#include <string>

#include "models/events.h"
#include "config/arch_config.h"

namespace cimvp {

// Dynamic energy per component kind in joules for `events`.
std::map<std::string, double> dynamic_energy(const ArchConfig& arch, const EventCounts& events);
double total(const std::map<std::string, double>& components);
double static_energy(const ArchConfig& arch, double seconds);  // all cores

}  // namespace cimvp
