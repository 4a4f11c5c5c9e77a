// Runs one sweep point in this process: the base architecture with the
// point's parameters, the model built at the policy and run through the one
// pipeline (flow/: timing only unless accuracy is measured), priced by the
// energy and area models. The record holds the run's whole report
// ("report": architecture, provenance, breakdowns, figures of merit).
// An invalid point (an architecture that fails validation, a network that
// does not fit) gives a record with "error" set instead of throwing: the
// sweep records it and goes on. SystemC elaborates once per process, so a
// process runs one point (`cimvp sweep-worker`).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_point.h"

namespace cimvp {

// The base architecture file with `params` set. Throws cimvp::Error
// "NAME: reason" naming the parameter for an invalid combination.
ArchConfig arch_with(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params,
                     const std::string& name);
// The architecture of `point` (arch_with, named "BASE with key=value ...").
ArchConfig point_arch(const SweepConfig& config, const SweepPoint& point);

// Whether the ADC digitizes every column sum exactly: {"largest_column_sum",
// "full_scale", "top_code", "clips" (sums above the full scale), "exact"
// (AdcModel::exact, models/adc.h)}. A point whose ADC is not exact keeps its
// latency, energy and area, but its accuracy drops, possibly to chance.
nlohmann::json adc_json(const ArchConfig& arch);

// The point's record (docs/sweeps.md, "results.jsonl"): id, index, model,
// policy, params, metrics (absent ones are left out: accuracy of a model with
// random weights), energy and area breakdowns, per-layer cycles and bits,
// and "error" (null when the point ran).
nlohmann::json run_point(const SweepConfig& config, const SweepPoint& point);

// The record of a point that did not run, with its error.
nlohmann::json failed_point(const SweepConfig& config, const SweepPoint& point, const std::string& error);

}  // namespace cimvp
