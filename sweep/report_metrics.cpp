#include "sweep/report_metrics.h"

namespace cimvp {

const std::vector<MetricInfo>& sweep_metrics() {
  static const std::vector<MetricInfo> m = {
      {"accuracy", "accuracy", "%", false, 100, true},
      {"latency_s", "latency", "s", true, 1, false},
      {"energy_j", "energy", "J", true, 1, false},
      {"area_mm2", "chip area", "mm²", false, 1, false},
      {"edp_js", "energy-delay product", "J·s", true, 1, false},
      {"crossbars", "crossbar tiles", "", false, 1, false},
  };
  return m;
}

}  // namespace cimvp
