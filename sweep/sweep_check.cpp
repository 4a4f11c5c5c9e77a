#include "models/adc.h"
#include "sweep/sweep_check.h"

#include <algorithm>
#include <map>

#include "common/error.h"
#include "nn/model_source.h"
#include "nn/policy.h"
#include "sweep/run_point.h"
#include "sweep/sweep_point.h"

namespace cimvp {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string params_text(const Params& params) {
  std::string s;
  for (const auto& [key, value] : params) s += (s.empty() ? "" : ", ") + key + "=" + value;
  return s.empty() ? "the base architecture" : s;
}

// Where a parameter set was written: its entry under points, else the grid.
std::string where_written(const SweepConfig& c, const Params& params) {
  for (size_t i = 0; i < c.points.size(); ++i)
    if (c.points[i] == params) return c.point_at[i];
  return c.grid.empty() ? c.source + ": base" : c.grid_at + ": grid";
}

}  // namespace

SweepCheck check_sweep(const SweepConfig& c) {
  const std::vector<SweepPoint> points = expand_points(c);
  SweepCheck check;
  check.points = points.size();

  // Architectures: each distinct parameter set once.
  std::map<Params, bool> exact;  // parameter set -> its ADC is exact
  std::string first_error;
  size_t invalid = 0;
  int64_t worst_sum = 0, worst_code = 0;
  for (const SweepPoint& p : points) {
    if (exact.count(p.params)) continue;
    try {
      const ArchConfig arch = arch_with(c.base, p.params, where_written(c, p.params) + ": " + params_text(p.params));
      const AdcModel adc(arch);
      exact[p.params] = adc.exact();
      const int64_t sum = adc.largest_column_sum(), code = adc.top_code();
      if (!adc.exact() && (worst_code == 0 || double(sum) / double(code) > double(worst_sum) / double(worst_code)))
        worst_sum = sum, worst_code = code;
    } catch (const Error& e) {
      exact[p.params] = true;
      if (invalid++ == 0) first_error = e.what();
    }
  }
  check.architectures = exact.size();
  if (invalid > 0)
    throw Error(first_error + (invalid > 1 ? " (" + std::to_string(invalid) + " of the sweep's " +
                                                 std::to_string(exact.size()) + " architectures are invalid)"
                                           : std::string()) +
                "; no point was run: change the grid, or list the valid combinations under points");

  // Models and policy files.
  for (size_t m = 0; m < c.models.size(); ++m) {
    ModelFile model;
    try {
      model = load_model_structure(c.models[m].spec);
    } catch (const Error& e) {
      throw Error(c.model_at[m] + ": " + e.what());
    }
    const size_t layers = model.graph.quantizable_layers().size();
    for (size_t i = 0; i < c.policies.size(); ++i) {
      const std::string& policy = c.policies[i];
      if (policy.find('/') == std::string::npos) continue;  // a uniform spec, checked while reading
      try {
        load_policy(policy, int(layers));
      } catch (const Error& e) {
        throw Error(c.policy_at[i] + ": " + e.what() + " (model " + model_label(c.models[m].spec) + ")");
      }
    }
  }

  for (const SweepPoint& p : points) check.inexact_adc_points += exact.at(p.params) ? 0 : 1;
  if (check.inexact_adc_points > 0)
    check.warnings.push_back(
        std::to_string(check.inexact_adc_points) + " of the " + std::to_string(points.size()) +
        " points have an ADC that does not digitize every column sum exactly (adc_exact 0 in results.csv; worst: "
        "largest column sum " + std::to_string(worst_sum) + " against " + std::to_string(worst_code) +
        " codes): their latency, energy and area hold, but their accuracy would drop, possibly to chance; measure "
        "it with a trained model and the accuracy metric");
  return check;
}

}  // namespace cimvp
