// The architecture as JSON: how reports hold every parameter, and how
// `--arch REPORT.json` reads them back (config/arch_config.h).
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "config/arch_params.h"

namespace cimvp {

std::string architecture_text_of_json(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("architecture") || !j["architecture"].is_object())
    throw Error(path + ": a JSON architecture file is a report with an \"architecture\" object "
                       "(cimvp run --report); this one has none");
  return j["architecture"].dump(1);
}

nlohmann::json architecture_json(const ArchConfig& arch) {
  nlohmann::json j = nlohmann::json::object();
  for (const ParamDef& d : param_defs()) {
    nlohmann::json value;
    if (d.is_off(arch)) value = d.off;  // "never": 0 would not read back
    else if (d.is_integer()) value = int64_t(d.value(arch));
    else if (d.is_number()) value = d.value(arch);
    else value = d.value_string(arch);
    const size_t dot = d.key.find('.');
    if (dot == std::string::npos) j[d.key] = value;
    else j[d.key.substr(0, dot)][d.key.substr(dot + 1)] = value;
  }
  return j;
}

}  // namespace cimvp
