// `cimvp report` on a run's report.json (`cimvp run --report`): per-layer
// time and energy (the weight set-up apart), per-core busy and wait, energy
// and area by component, the figures of merit and crossbar use per layer.
#pragma once

#include <string>

namespace cimvp {

// Throws cimvp::Error naming the file and the missing key.
std::string run_report_html(const std::string& report_json_path);

}  // namespace cimvp
