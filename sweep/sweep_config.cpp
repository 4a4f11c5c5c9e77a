#include "sweep/sweep_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "common/yaml_diagnostics.h"
#include "compiler/compile.h"
#include "config/arch_config.h"
#include "nn/policy.h"
#include "nn/zoo.h"

namespace cimvp {

namespace {

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(3, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  if (best.empty()) {  // right leaf, wrong section: "core.cell_bits"
    const std::string leaf = word.substr(word.rfind('.') + 1);
    for (const std::string& c : candidates)
      if (c.substr(c.rfind('.') + 1) == leaf) return c;
  }
  return best;
}

std::string where(const std::string& source, const YAML::Node& n) { return yaml_position(source, n.Mark()); }

std::vector<std::string> param_keys() {
  std::vector<std::string> keys;
  for (const ParamInfo& p : arch_params()) keys.push_back(p.key);
  return keys;
}

void check_param_key(const std::string& key, const std::string& at) {
  const std::vector<std::string> keys = param_keys();
  if (std::find(keys.begin(), keys.end(), key) != keys.end()) return;
  const std::string guess = closest(key, keys);
  throw Error(at + ": unknown architecture parameter '" + key + "'" +
              (guess.empty() ? std::string(" (`cimvp params` lists every key)") : " (did you mean '" + guess + "'?)"));
}

std::string scalar(const YAML::Node& n, const std::string& at) {
  if (!n.IsScalar()) throw Error(at + ": expected a single value");
  return n.as<std::string>();
}

std::string resolve(const std::string& folder, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(folder) / path).lexically_normal().string();
}

bool is_uniform_spec(const std::string& s) {
  if (s.size() < 4 || (s[0] != 'w' && s[0] != 'W')) return false;
  const size_t a = s.find_first_of("aA");
  return a != std::string::npos && a > 1 && a + 1 < s.size() &&
         std::all_of(s.begin() + 1, s.begin() + long(a), ::isdigit) &&
         std::all_of(s.begin() + long(a) + 1, s.end(), ::isdigit);
}

}  // namespace

const std::vector<std::string>& known_metrics() {
  static const std::vector<std::string> m = {"latency", "energy", "area", "accuracy", "edp", "crossbars"};
  return m;
}

bool SweepConfig::wants(const std::string& metric) const {
  return std::find(metrics.begin(), metrics.end(), metric) != metrics.end();
}

SweepConfig parse_sweep_config(const std::string& text, const std::string& source, const std::string& folder) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) throw Error(source + ": a sweep is a YAML map (docs/sweeps.md)");
  static const std::vector<std::string> keys = {"base", "grid", "points", "models", "policies",
                                                "metrics", "accuracy_images", "placement"};
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      const std::string guess = closest(k, keys);
      throw Error(where(source, kv.first) + ": unknown key '" + k + "'" +
                  (guess.empty() ? " (docs/sweeps.md lists the keys)" : " (did you mean '" + guess + "'?)"));
    }
  }
  SweepConfig c;
  c.source = source;

  if (!root["base"]) throw Error(source + ": missing key 'base' (the base architecture YAML)");
  c.base = resolve(folder, scalar(root["base"], where(source, root["base"]) + ": base"));
  if (!std::filesystem::is_regular_file(c.base))
    throw Error(where(source, root["base"]) + ": base: no such file '" + c.base + "'");
  load_arch_config(c.base);  // a broken base is the file's error, before any point runs

  if (root["grid"]) {
    const YAML::Node g = root["grid"];
    if (!g.IsMap()) throw Error(where(source, g) + ": grid: expected a map of parameter: [values]");
    c.grid_at = where(source, g);
    for (const auto& kv : g) {
      GridAxis axis;
      axis.key = kv.first.as<std::string>();
      const std::string at = where(source, kv.first) + ": grid." + axis.key;
      check_param_key(axis.key, where(source, kv.first) + ": grid");
      auto add = [&](const YAML::Node& v) {
        const std::string value = scalar(v, at);
        check_param_value(axis.key, value, where(source, v) + ": grid." + axis.key);
        axis.values.push_back(value);
      };
      if (kv.second.IsScalar()) add(kv.second);
      else if (kv.second.IsSequence())
        for (const auto& v : kv.second) add(v);
      else throw Error(at + ": expected a list of values");
      if (axis.values.empty()) throw Error(at + ": empty list of values (a grid axis needs at least one)");
      for (const GridAxis& other : c.grid)
        if (other.key == axis.key) throw Error(at + ": given twice");
      c.grid.push_back(axis);
    }
    if (c.grid.empty()) throw Error(where(source, g) + ": grid: empty (give at least one parameter, or leave grid out)");
  }
  if (root["points"]) {
    const YAML::Node p = root["points"];
    if (!p.IsSequence()) throw Error(where(source, p) + ": points: expected a list of maps");
    for (size_t i = 0; i < p.size(); ++i) {
      const std::string at = where(source, p[i]) + ": points[" + std::to_string(i) + "]";
      if (!p[i].IsMap()) throw Error(at + ": expected a map of parameter: value");
      std::vector<std::pair<std::string, std::string>> point;
      for (const auto& kv : p[i]) {
        const std::string key = kv.first.as<std::string>();
        check_param_key(key, at);
        const std::string value = scalar(kv.second, at + "." + key);
        check_param_value(key, value, where(source, kv.second) + ": points[" + std::to_string(i) + "]." + key);
        point.emplace_back(key, value);
      }
      c.points.push_back(point);
      c.point_at.push_back(at);
    }
    if (c.points.empty()) throw Error(where(source, p) + ": points: empty list");
  }

  if (!root["models"]) throw Error(source + ": missing key 'models' (zoo names or model files)");
  const YAML::Node m = root["models"];
  if (!m.IsSequence() || m.size() == 0) throw Error(where(source, m) + ": models: expected a non-empty list");
  for (size_t i = 0; i < m.size(); ++i) {
    const std::string at = where(source, m[i]) + ": models[" + std::to_string(i) + "]";
    SweepModel model;
    if (m[i].IsScalar()) model.spec = m[i].as<std::string>();
    else if (m[i].IsMap()) {
      for (const auto& kv : m[i]) {
        const std::string k = kv.first.as<std::string>();
        if (k == "model") model.spec = scalar(kv.second, at + ".model");
        else if (k == "dataset") model.dataset = scalar(kv.second, at + ".dataset");
        else throw Error(at + ": unknown key '" + k + "' (model, dataset)");
      }
      if (model.spec.empty()) throw Error(at + ": missing key 'model'");
    } else throw Error(at + ": expected a zoo name, a model file or {model, dataset}");
    if (!is_zoo_model(model.spec)) {
      model.spec = resolve(folder, model.spec);
      if (!std::filesystem::is_regular_file(model.spec))
        throw Error(at + ": '" + model.spec + "' is neither a zoo model (`cimvp models`) nor a file");
    }
    c.models.push_back(model);
    c.model_at.push_back(at);
  }

  if (!root["policies"]) throw Error(source + ": missing key 'policies' (e.g. [w8a8, w4a4] or policy files)");
  const YAML::Node p = root["policies"];
  if (!p.IsSequence() || p.size() == 0) throw Error(where(source, p) + ": policies: expected a non-empty list");
  for (size_t i = 0; i < p.size(); ++i) {
    const std::string at = where(source, p[i]) + ": policies[" + std::to_string(i) + "]";
    const std::string s = scalar(p[i], at);
    if (s == "search")
      throw Error(at + ": the 'search' policy kind is not supported yet: run `cimvp search` and list its "
                       "policy file here (docs/sweeps.md)");
    if (is_uniform_spec(s)) {
      try {
        parse_bits_spec(s, 1);
      } catch (const Error& e) {
        throw Error(at + ": " + e.what());
      }
      c.policies.push_back(s);
    } else {
      const std::string path = resolve(folder, s);
      if (!std::filesystem::is_regular_file(path))
        throw Error(at + ": '" + s + "' is neither a uniform policy (w8a8) nor a policy file");
      c.policies.push_back(path);
    }
    c.policy_at.push_back(at);
  }

  if (!root["metrics"]) throw Error(source + ": missing key 'metrics' (some of latency, energy, area, accuracy, edp, crossbars)");
  const YAML::Node mt = root["metrics"];
  if (!mt.IsSequence() || mt.size() == 0) throw Error(where(source, mt) + ": metrics: expected a non-empty list");
  for (size_t i = 0; i < mt.size(); ++i) {
    const std::string at = where(source, mt[i]) + ": metrics[" + std::to_string(i) + "]";
    const std::string s = scalar(mt[i], at);
    if (std::find(known_metrics().begin(), known_metrics().end(), s) == known_metrics().end()) {
      const std::string guess = closest(s, known_metrics());
      throw Error(at + ": no one measures a metric '" + s + "'" +
                  (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                  "; known: latency, energy, area, accuracy, edp, crossbars");
    }
    if (!c.wants(s)) c.metrics.push_back(s);
  }
  if (root["accuracy_images"]) {
    const YAML::Node n = root["accuracy_images"];
    try {
      c.accuracy_images = n.as<int>();
    } catch (const YAML::Exception&) {
      throw Error(where(source, n) + ": accuracy_images: expected a whole number");
    }
    if (c.accuracy_images < 1) throw Error(where(source, n) + ": accuracy_images: must be at least 1");
  }
  if (root["placement"]) {
    c.placement = scalar(root["placement"], where(source, root["placement"]) + ": placement");
    try {
      parse_placement(c.placement);  // the compiler's names
    } catch (const Error& e) {
      throw Error(where(source, root["placement"]) + ": placement: " + e.what());
    }
  }
  return c;
}

SweepConfig load_sweep_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the sweep file");
  std::stringstream s;
  s << in.rdbuf();
  return parse_sweep_config(s.str(), path,
                            std::filesystem::absolute(path).parent_path().lexically_normal().string());
}

}  // namespace cimvp
