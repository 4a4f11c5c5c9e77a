#include "sweep/sweep_description.h"

#include "config/arch_config.h"

namespace cimvp {

nlohmann::json sweep_description(const SweepConfig& config) {
  nlohmann::json j;
  j["config"] = config.source;
  j["base"] = config.base;
  j["base_architecture"] = architecture_json(load_arch_config(config.base));
  j["grid"] = nlohmann::json::array();
  for (const GridAxis& a : config.grid) j["grid"].push_back({{"key", a.key}, {"values", a.values}});
  j["points"] = nlohmann::json::array();
  for (const auto& p : config.points) {
    nlohmann::json point = nlohmann::json::object();
    for (const auto& [k, v] : p) point[k] = v;
    j["points"].push_back(point);
  }
  j["models"] = nlohmann::json::array();
  for (const SweepModel& m : config.models) j["models"].push_back({{"model", m.spec}, {"dataset", m.dataset}});
  j["policies"] = config.policies;
  j["metrics"] = config.metrics;
  return j;
}

}  // namespace cimvp
