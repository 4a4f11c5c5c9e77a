#include "rl/evaluation/latency_only_summary.h"

#include "common/provenance.h"
#include "rl/precision_proxy.h"
#include "rl/reward.h"

namespace cimvp::rl {

nlohmann::json latency_only_summary(const LatencyOnlyRun& run, NetworkEvaluator& vp) {
  const SearchConfig& config = run.config;
  const PolicyResult w8a8 = vp.evaluate(uniform_policy(run.layers, 8, 8));
  // One policy as the VP measures it, against this run's W8A8 on the same VP.
  auto measured = [&](const Policy& p) {
    const PolicyResult r = vp.evaluate(p);
    const double ratio = cost_ratio(r, w8a8, config.cost);
    return nlohmann::json{{"weight_bits", p.weight_bits},
                          {"activation_bits", p.activation_bits},
                          {"cycles", r.cycles},
                          {"latency_seconds", r.latency_seconds},
                          {"energy_joules", r.energy_joules},
                          {"placement", r.placement},
                          {"speedup", speedup(r, w8a8)},
                          {"cost_ratio", ratio},
                          {"meets_cost_target", ratio <= config.cost_target},
                          {"effective_bits", effective_bits(p)}};
  };

  nlohmann::json s;
  s["cimvp"] = provenance_json();
  s["warnings"] = run.warnings;
  s["model"] = config.model;
  s["arch"] = config.arch;
  s["method"] = method_name(config.method);
  s["latency"] = latency_source_name(config.latency);
  s["accuracy"] = accuracy_source_name(config.accuracy);
  s["reward"] = "precision proxy: 1.25 x (effective bits - 8), docs/search.md";
  s["episodes"] = config.episodes;
  s["objective"] = objective_name(config.cost.objective);
  s["cost_target"] = config.cost_target;
  s["constraints"] = {{"first_last_w8a8", config.first_last_w8a8},
                      {"weight_multiple_of_cell_bits", config.weight_multiple_of_cell_bits},
                      {"min_bits", config.min_bits},
                      {"max_bits", config.max_bits}};
  s["found"] = run.main.found;
  s["w8a8_latency_seconds"] = w8a8.latency_seconds;
  s["w8a8_cycles"] = w8a8.cycles;
  if (run.main.found) {
    nlohmann::json p = measured(run.main.best_policy);
    p["episode"] = run.main.best_episode;
    p["reward"] = run.main.best_reward;
    s["speedup"] = p.at("speedup");
    s["cost_ratio"] = p.at("cost_ratio");
    s["effective_bits"] = p.at("effective_bits");
    s["policy"] = p;
  }
  // The uniform baselines cost one latency step each (no fine-tune here),
  // so they are always reported; `baselines` adds the two searches'.
  nlohmann::json& baselines = s["baselines"];
  baselines["w8a8"] = measured(uniform_policy(run.layers, 8, 8));
  baselines["w4a8"] = measured(uniform_policy(run.layers, 4, 8));
  baselines["w4a4"] = measured(uniform_policy(run.layers, 4, 4));
  if (run.random && run.random->found) baselines["random"] = measured(run.random->best_policy);
  if (run.analytic && run.analytic->found) baselines["analytic"] = measured(run.analytic->best_policy);
  const EvaluatorTimes t = vp.times();
  s["seconds"] = {{"searches", run.search_seconds}, {"compile", t.compile}, {"vp", t.vp}};
  s["evaluations"] = {{"policies", t.evaluations}, {"cache_hits", t.cache_hits}};
  s["architecture"] = architecture_json(run.arch);
  return s;
}

}  // namespace cimvp::rl
