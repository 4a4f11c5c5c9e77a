// The search's PolicyEvaluator for a real network on a real architecture:
// latency (and energy) from the VP or the analytic table, accuracy from
// AccuracyModel (or, in a latency-only search, the precision proxy of
// rl/precision_proxy.h), identical policies answered from a cache. It also keeps the
// wall time of each part, for the benchmark and the progress line.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "rl/evaluation/accuracy.h"
#include "rl/evaluation/latency.h"
#include "rl/policy_evaluator.h"

namespace cimvp::rl {

struct EvaluatorTimes {
  double finetune = 0, accuracy = 0, compile = 0, vp = 0;  // seconds
  int evaluations = 0, cache_hits = 0;
};

class NetworkEvaluator : public PolicyEvaluator {
 public:
  // `vp` is needed for LatencySource::Vp; all three must outlive the evaluator.
  NetworkEvaluator(LatencySource source, VpLatency* vp, const ModelFile& model, const ArchConfig& arch,
                   AccuracyModel& accuracy);
  // Latency only (`accuracy: none`): the accuracy is precision_proxy(policy).
  NetworkEvaluator(LatencySource source, VpLatency* vp, const ModelFile& model, const ArchConfig& arch);
  PolicyResult evaluate(const Policy& policy) override;
  PolicyResult cost(const Policy& policy) override;  // no accuracy
  EvaluatorTimes times() const;

 private:
  LatencySource source_;
  VpLatency* vp_;
  const ModelFile& model_;
  const ArchConfig& arch_;
  AccuracyModel* accuracy_;  // null: the precision proxy
  std::map<std::pair<std::vector<int>, std::vector<int>>, PolicyResult> cache_, cost_cache_;
  int evaluations_ = 0, cache_hits_ = 0;
};

}  // namespace cimvp::rl
