#include "sweep/sweep_point.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "common/digest.h"
#include "common/error.h"

namespace cimvp {

namespace {

std::string point_id(const std::vector<std::pair<std::string, std::string>>& params, const std::string& model,
                     const std::string& policy) {
  auto sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string text = "model=" + model_label(model) + ";policy=" + policy_label(policy);
  for (const auto& [k, v] : sorted) text += ";" + k + "=" + v;
  return hex64(fnv1a(text));
}

}  // namespace

std::string policy_label(const std::string& policy) {
  if (policy.find('/') == std::string::npos && policy.find('.') == std::string::npos) return policy;
  return std::filesystem::path(policy).stem().string();
}

std::string model_label(const std::string& spec) {
  if (spec.find('/') == std::string::npos && spec.find('.') == std::string::npos) return spec;
  return std::filesystem::path(spec).stem().string();
}

std::vector<SweepPoint> expand_points(const SweepConfig& c) {
  std::vector<std::vector<std::pair<std::string, std::string>>> archs;
  if (!c.grid.empty()) {
    std::vector<size_t> at(c.grid.size(), 0);
    for (;;) {
      std::vector<std::pair<std::string, std::string>> p;
      for (size_t a = 0; a < c.grid.size(); ++a) p.emplace_back(c.grid[a].key, c.grid[a].values[at[a]]);
      archs.push_back(p);
      size_t a = c.grid.size();
      while (a > 0 && ++at[a - 1] == c.grid[a - 1].values.size()) at[--a] = 0;
      if (a == 0) break;
    }
  }
  for (const auto& p : c.points) archs.push_back(p);
  if (archs.empty()) archs.emplace_back();  // neither grid nor points: the base alone
  std::vector<SweepPoint> points;
  for (const auto& params : archs)
    for (size_t m = 0; m < c.models.size(); ++m)
      for (const std::string& policy : c.policies) {
        SweepPoint p;
        p.index = points.size();
        p.params = params;
        p.model = m;
        p.policy = policy;
        p.id = point_id(params, c.models[m].spec, policy);
        points.push_back(p);
      }
  // Models and policies enter the id by name (a file's stem), so that ids do
  // not depend on where the files are; two of one name would share ids.
  std::map<std::string, size_t> seen;
  for (const SweepPoint& p : points) {
    const auto [it, fresh] = seen.emplace(p.id, p.index);
    if (!fresh)
      throw Error(c.source + ": points " + std::to_string(it->second) + " and " + std::to_string(p.index) +
                  " are the same (" + model_label(c.models[p.model].spec) + ", " + policy_label(p.policy) +
                  ", same parameters): give models and policy files distinct names, and no point twice");
  }
  return points;
}

std::vector<std::string> swept_keys(const SweepConfig& c) {
  std::vector<std::string> keys;
  auto add = [&](const std::string& k) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  };
  for (const GridAxis& a : c.grid) add(a.key);
  for (const auto& p : c.points)
    for (const auto& kv : p) add(kv.first);
  return keys;
}

}  // namespace cimvp
