// Speed of a latency-only search (docs/benchmarks.md; issue 22: the latency
// step on mobilenet_v2 under 100 ms). Two figures:
//  1. the latency step: one policy of the model's structure quantized,
//     compiled timing-only and run on the architecture's SoC
//     (VpLatency::measure, what every cost question of the search's action
//     wall costs), for uniform W8A8 and for random mixed policies (bits 2..8
//     per layer, as the search draws them), against the same step of the
//     zoo's lenet5 on the same SoC in the same run (the reference);
//  2. a few episodes of the search as `cimvp search` runs them (the action
//     wall lowers every policy to the cost target, then gives bits back):
//     VP questions and seconds per episode, and the config's whole search.
//   latency_search_bench [SEARCH.yaml] [MODEL] [POLICIES] [EPISODES]
// Defaults: configs/search/mobilenet_v2-large-latency.yaml with its model
// (build/release/torchvision/mobilenet_v2.onnx: scripts/export_torchvision.sh),
// 20 policies, 3 episodes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/sc_main_env.h"
#include "nn/model_source.h"
#include "rl/evaluation/network_evaluator.h"
#include "rl/search.h"
#include "rl/search_config.h"

namespace cimvp {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Policy random_policy(std::mt19937& rng, size_t layers) {
  std::uniform_int_distribution<int> bits(2, 8);
  Policy p;
  for (size_t l = 0; l < layers; ++l) p.weight_bits.push_back(bits(rng)), p.activation_bits.push_back(bits(rng));
  return p;
}

struct Step {
  double compile_ms = 0, vp_ms = 0;
  double total_ms() const { return compile_ms + vp_ms; }
};

// One latency step of `policy`, split into compile and VP.
Step step(rl::VpLatency& vp, const ModelFile& model, const Policy& policy) {
  const double c0 = vp.compile_seconds(), r0 = vp.run_seconds();
  vp.measure(model, policy);
  return {1e3 * (vp.compile_seconds() - c0), 1e3 * (vp.run_seconds() - r0)};
}

// Counts the search's questions to the evaluator (cost: the action wall's).
class CountingEvaluator : public rl::PolicyEvaluator {
 public:
  explicit CountingEvaluator(rl::PolicyEvaluator& inner) : inner_(inner) {}
  rl::PolicyResult evaluate(const Policy& p) override { return ++questions, inner_.evaluate(p); }
  rl::PolicyResult cost(const Policy& p) override { return ++questions, inner_.cost(p); }
  int questions = 0;

 private:
  rl::PolicyEvaluator& inner_;
};

int bench(int argc, char** argv) {
  const std::string config_path =
      argc > 1 ? argv[1] : std::string(CIMVP_SOURCE_DIR) + "/configs/search/mobilenet_v2-large-latency.yaml";
  rl::SearchConfig config = rl::load_search_config(config_path);
  if (argc > 2) config.model = argv[2];
  const int policies = argc > 3 ? std::atoi(argv[3]) : 20;
  const int episodes = argc > 4 ? std::atoi(argv[4]) : 3;
  if (policies < 1 || episodes < 0) {
    std::fprintf(stderr, "latency_search_bench: POLICIES must be at least 1 and EPISODES at least 0\n");
    return 2;
  }
  const ArchConfig arch = load_arch_config(config.arch);
  auto t0 = std::chrono::steady_clock::now();
  const ModelFile model = load_model_structure(config.model);
  const double load_s = seconds_since(t0);
  const ModelFile reference = load_model_structure("lenet5");
  const size_t layers = model.graph.quantizable_layers().size();
  t0 = std::chrono::steady_clock::now();
  rl::VpLatency vp(arch);
  const double elaborate_s = seconds_since(t0);

  // The reference and the model alternate, so that the machine's load
  // falls on both alike; the first step of each is reported apart (it
  // allocates what later steps reuse).
  const Step first = step(vp, model, uniform_policy(layers, 8, 8));
  step(vp, reference, uniform_policy(reference.graph.quantizable_layers().size(), 8, 8));
  std::mt19937 rng(1);
  std::vector<Step> steps, reference_steps;
  for (int i = 0; i < policies; ++i) {
    steps.push_back(step(vp, model, i == 0 ? uniform_policy(layers, 8, 8) : random_policy(rng, layers)));
    reference_steps.push_back(
        step(vp, reference, random_policy(rng, reference.graph.quantizable_layers().size())));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<double> total, compile, run, ref;
  for (const Step& s : steps) total.push_back(s.total_ms()), compile.push_back(s.compile_ms), run.push_back(s.vp_ms);
  for (const Step& s : reference_steps) ref.push_back(s.total_ms());
  std::printf("%s (%zu quantizable layers) on %s: structure loaded in %.0f ms, SoC elaborated in %.0f ms\n",
              model.graph.name.c_str(), layers, arch.name.c_str(), 1e3 * load_s, 1e3 * elaborate_s);
  std::printf("  latency step, first W8A8: %.1f ms (compile %.1f + VP %.1f)\n", first.total_ms(), first.compile_ms,
              first.vp_ms);
  std::printf("  latency step, median of %d policies (W8A8 and random): %.1f ms (compile %.1f + VP %.1f), "
              "max %.1f ms; goal < 100 ms: %.2fx of it\n",
              policies, median(total), median(compile), median(run), *std::max_element(total.begin(), total.end()),
              median(total) / 100);
  std::printf("  reference: lenet5's step %.2f ms in the same run; ratio %.1f\n", median(ref),
              median(total) / median(ref));
  if (episodes == 0) return 0;

  // The search itself, with every setting of the config but fewer episodes.
  rl::NetworkEvaluator evaluator(config.latency, &vp, model, arch);
  CountingEvaluator counting(evaluator);
  rl::SearchOptions options;
  options.config = config;
  options.config.episodes = episodes;
  options.config.warmup = std::min(config.warmup, episodes);
  options.cell_bits = arch.crossbar.cell_bits;
  options.output = (std::filesystem::temp_directory_path() / "cimvp-latency-search-bench").string();
  options.force = true;
  options.durable = false;
  options.threads = 1;
  t0 = std::chrono::steady_clock::now();
  const double c0 = vp.compile_seconds(), r0 = vp.run_seconds();
  const rl::SearchOutcome outcome = rl::run_search(model.graph, counting, options);
  const double search_s = seconds_since(t0);
  const double vp_s = vp.compile_seconds() - c0 + vp.run_seconds() - r0;
  std::printf("  %d episodes (+ W8A8 and the reachability check) at cost target %.2f: %.1f s, %.1f s per episode, "
              "%.0f questions per episode, %.0f %% of the time in latency steps\n",
              episodes, config.cost_target, search_s, search_s / episodes, double(counting.questions) / episodes,
              100 * vp_s / search_s);
  std::printf("  the config's %d episodes: about %.0f minutes; best so far %.2fx, %.2f effective bits\n",
              config.episodes, config.episodes * search_s / episodes / 60, outcome.best_speedup,
              8 * outcome.best_result.accuracy);
  return 0;
}

}  // namespace
}  // namespace cimvp

int sc_main(int argc, char** argv) {
  try {
    return cimvp::bench(argc, argv);
  } catch (const std::exception& e) {  // a bad config or a missing model: its file, not an abort
    std::fprintf(stderr, "latency_search_bench: %s\n", e.what());
    return 1;
  }
}
int main(int argc, char** argv) { return cimvp::enter_systemc(argc, argv); }
