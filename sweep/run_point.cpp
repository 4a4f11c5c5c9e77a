#include "models/adc.h"
#include "sweep/run_point.h"

#include <cctype>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "config/arch_with.h"
#include "flow/pipeline.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/policy.h"
#include "nn/zoo.h"

namespace cimvp {

namespace {

nlohmann::json point_header(const SweepConfig& c, const SweepPoint& p) {
  nlohmann::json j;
  j["id"] = p.id;
  j["index"] = p.index;
  j["model"] = model_label(c.models[p.model].spec);
  j["policy"] = policy_label(p.policy);
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : p.params) params[k] = v;
  j["params"] = params;
  return j;
}

Policy point_policy(const std::string& policy, size_t layers) {
  if (policy.find('/') == std::string::npos) return parse_bits_spec(policy, layers);
  return load_policy(policy, int(layers));
}

}  // namespace

ArchConfig arch_with(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params,
                     const std::string& name) {
  return arch_with(YAML::LoadFile(base), params, name);
}

ArchConfig point_arch(const SweepConfig& c, const SweepPoint& p) {
  std::string name = c.base + " with";
  for (const auto& [key, value] : p.params) name += " " + key + "=" + value;
  return arch_with(c.base, p.params, name);
}

nlohmann::json adc_json(const ArchConfig& arch) {
  const AdcModel adc(arch);
  return {{"largest_column_sum", adc.largest_column_sum()},
          {"full_scale", adc.full_scale()},
          {"top_code", adc.top_code()},
          {"clips", adc.clips()},
          {"exact", adc.exact()}};
}

nlohmann::json failed_point(const SweepConfig& c, const SweepPoint& p, const std::string& error) {
  nlohmann::json j = point_header(c, p);
  j["metrics"] = nlohmann::json::object();
  j["error"] = error;
  return j;
}

nlohmann::json run_point(const SweepConfig& c, const SweepPoint& p) {
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json j = point_header(c, p);
  try {
    const ArchConfig arch = point_arch(c, p);
    const SweepModel& entry = c.models[p.model];
    // Accuracy needs trained weights: a model file, not a zoo name (random weights).
    const bool accuracy = c.wants("accuracy") && !is_zoo_model(entry.spec);
    const ModelFile model = accuracy ? load_model_spec(entry.spec) : load_model_structure(entry.spec);
    const Policy policy = point_policy(p.policy, model.graph.quantizable_layers().size());
    std::string dataset = entry.dataset;
    if (dataset.empty() && model.metadata.count("dataset")) dataset = model.metadata.at("dataset");
    flow::BuildOptions options;
    options.compile.timing_only = !accuracy;
    options.compile.placement = parse_placement(c.placement);
    options.dataset = dataset;
    flow::Pipeline pipeline(arch);
    std::optional<Dataset> adc_images;  // what an ADC range calibration observes
    if (accuracy && flow::calibrates_adc(arch) && !dataset.empty()) adc_images = load_dataset(dataset, Split::Train);
    pipeline.load(flow::build(model, policy, arch, options), entry.spec, adc_images ? &*adc_images : nullptr);
    const CompileResult& compiled = pipeline.loaded().compiled;
    Report report;
    nlohmann::json metrics = nlohmann::json::object();
    if (accuracy) {
      if (dataset.empty()) throw Error(entry.spec + ": no dataset for accuracy (give models[].dataset)");
      const Dataset test = load_dataset(dataset, Split::Test);
      flow::ClassifyOptions classify;
      classify.check_reference = false;
      const flow::Classification result = pipeline.classify(test, size_t(c.accuracy_images), classify);
      report = result.report;
      metrics["accuracy"] = result.accuracy();
      j["accuracy_images"] = result.predictions.size();
      j["predictions"] = result.predictions;
    } else {
      report = pipeline.time();
    }
    int64_t crossbars = 0;
    for (const LayerPlan& l : compiled.plan) crossbars += l.tiles;
    // Per inference of a deployment: with its share of the refreshes (equal
    // to the simulated inference without device.refresh_interval_s).
    const double seconds = report.deployed_inference_seconds, joules = report.deployed_inference_energy_joules;
    if (c.wants("latency")) metrics["latency_s"] = seconds;
    if (c.wants("energy")) metrics["energy_j"] = joules;
    if (c.wants("area")) metrics["area_mm2"] = report.chip_mm2;
    if (c.wants("edp")) metrics["edp_js"] = joules * seconds;
    if (c.wants("crossbars")) metrics["crossbars"] = crossbars;
    j["metrics"] = metrics;
    j["cycles"] = report.inference_cycles;
    j["setup_cycles"] = report.setup_cycles;
    j["placement"] = placement_name(compiled.placement);
    j["energy_components_j"] = report.components;
    j["area_components_mm2"] = report.core_area_mm2;
    j["core_mm2"] = report.core_mm2;
    j["chip_mm2"] = report.chip_mm2;
    j["cores"] = arch.cores();
    j["adc"] = adc_json(arch);
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerReport& l : report.layers) layers.push_back({{"name", l.name}, {"cycles", l.cycles}});
    j["layers"] = layers;
    j["report"] = to_json(report);
    j["weight_bits"] = policy.weight_bits;
    j["activation_bits"] = policy.activation_bits;
    j["error"] = nullptr;
  } catch (const std::exception& e) {
    j = failed_point(c, p, e.what());
  }
  j["host_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return j;
}

}  // namespace cimvp
