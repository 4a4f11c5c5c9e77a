#include "rl/evaluation/network_evaluator.h"

#include "common/error.h"
#include "rl/precision_proxy.h"

namespace cimvp::rl {

NetworkEvaluator::NetworkEvaluator(LatencySource source, VpLatency* vp, const ModelFile& model,
                                   const ArchConfig& arch, AccuracyModel& accuracy)
    : NetworkEvaluator(source, vp, model, arch) {
  accuracy_ = &accuracy;
}

NetworkEvaluator::NetworkEvaluator(LatencySource source, VpLatency* vp, const ModelFile& model,
                                   const ArchConfig& arch)
    : source_(source), vp_(vp), model_(model), arch_(arch), accuracy_(nullptr) {
  if (source == LatencySource::Vp && !vp) throw Error("a VP latency evaluator needs an elaborated SoC");
}

PolicyResult NetworkEvaluator::evaluate(const Policy& policy) {
  const auto key = std::make_pair(policy.weight_bits, policy.activation_bits);
  if (const auto it = cache_.find(key); it != cache_.end()) {
    ++cache_hits_;
    return it->second;
  }
  ++evaluations_;
  PolicyResult r = cost(policy);
  r.accuracy = accuracy_ ? accuracy_->accuracy(policy) : precision_proxy(policy);
  cache_.emplace(key, r);
  return r;
}

PolicyResult NetworkEvaluator::cost(const Policy& policy) {
  const auto key = std::make_pair(policy.weight_bits, policy.activation_bits);
  if (const auto it = cost_cache_.find(key); it != cost_cache_.end()) return it->second;
  const LatencyResult latency =
      source_ == LatencySource::Vp ? vp_->measure(model_, policy) : analytic_latency(model_, arch_, policy);
  PolicyResult r;
  r.latency_seconds = latency.seconds;
  r.cycles = latency.cycles;
  r.energy_joules = latency.energy_joules;
  r.placement = latency.placement;
  cost_cache_.emplace(key, r);
  return r;
}

EvaluatorTimes NetworkEvaluator::times() const {
  EvaluatorTimes t;
  if (accuracy_) t.finetune = accuracy_->finetune_seconds(), t.accuracy = accuracy_->evaluate_seconds();
  if (vp_) t.compile = vp_->compile_seconds(), t.vp = vp_->run_seconds();
  t.evaluations = evaluations_;
  t.cache_hits = cache_hits_;
  return t;
}

}  // namespace cimvp::rl
