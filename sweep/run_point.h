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

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_point.h"

namespace cimvp {

// The architecture of `point`: the base file with its parameters set.
// Throws cimvp::Error naming the parameter for an invalid combination.
ArchConfig point_arch(const SweepConfig& config, const SweepPoint& point);

// The point's record (docs/sweeps.md, "results.jsonl"): id, index, model,
// policy, params, metrics (absent ones are left out: accuracy of a model with
// random weights), energy and area breakdowns, per-layer cycles and bits,
// and "error" (null when the point ran).
nlohmann::json run_point(const SweepConfig& config, const SweepPoint& point);

// The record of a point that did not run, with its error.
nlohmann::json failed_point(const SweepConfig& config, const SweepPoint& point, const std::string& error);

}  // namespace cimvp
