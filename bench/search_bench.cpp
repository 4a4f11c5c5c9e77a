// Speed of the bit-width search (docs/benchmarks.md): the episodes of a
// shipped search config (default: configs/search/vgg-small-default-weight.yaml,
// the 600-episode vgg-small search on default.yaml), run as `cimvp search`
// runs them, with every setting of the YAML (fine-tune, validation images,
// constraints, DDPG) but fewer episodes: the VP-measured latency of every
// policy and its accuracy on the validation images. Reports episodes per
// minute, the minutes the config's full search needs, and how the time splits
// between fine-tuning, accuracy, compilation, the VP and the agent (the rest).
//   search_bench [SEARCH.yaml] [EPISODES]   (default 60 episodes)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/sc_main_env.h"
#include "nn/model_source.h"
#include "rl/evaluation/network_evaluator.h"
#include "rl/search.h"
#include "rl/search_config.h"

namespace cimvp {
namespace {

int bench(int argc, char** argv) {
  const std::string config_path =
      argc > 1 ? argv[1] : std::string(CIMVP_SOURCE_DIR) + "/configs/search/vgg-small-default-weight.yaml";
  const int episodes = argc > 2 ? std::atoi(argv[2]) : 60;
  if (episodes < 1) {
    std::fprintf(stderr, "search_bench: EPISODES must be at least 1\n");
    return 2;
  }
  const rl::SearchConfig config = rl::load_search_config(config_path);
  const ModelFile model = load_model_spec(config.model);
  const ArchConfig arch = load_arch_config(config.arch);
  const auto t_setup = std::chrono::steady_clock::now();
  rl::AccuracyModel accuracy(model, config.dataset, config.validation_images, config.finetune, 2,
                             config.nonnegative_input);
  const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();
  rl::VpLatency vp(arch);
  rl::NetworkEvaluator evaluator(rl::LatencySource::Vp, &vp, model, arch, accuracy);

  rl::SearchOptions options;
  options.config = config;
  options.config.episodes = episodes;
  options.config.warmup = std::min(config.warmup, episodes / 3);  // DDPG's episodes are measured too
  options.cell_bits = arch.crossbar.cell_bits;
  options.output = (std::filesystem::temp_directory_path() / "cimvp-search-bench").string();
  options.force = true;
  options.durable = false;
  const auto t0 = std::chrono::steady_clock::now();
  const rl::SearchOutcome outcome = rl::run_search(model.graph, evaluator, options);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const rl::EvaluatorTimes t = evaluator.times();
  const double agent = total - t.finetune - t.accuracy - t.compile - t.vp;

  std::printf("%s: %s on %s, %d of its %d episodes (+ W8A8), %d validation images, fine-tune %d batches, "
              "%d DDPG update(s) per transition\n",
              std::filesystem::path(config_path).filename().c_str(), model.graph.name.c_str(), arch.name.c_str(),
              episodes, config.episodes, config.validation_images, config.finetune.batches,
              config.ddpg.updates_per_step);
  std::printf("  set-up (datasets, calibration activations): %.1f s, once per search\n", setup);
  std::printf("  %.1f episodes per minute; all %d episodes: %.1f minutes (goal for the 600-episode vgg-small search: 30)\n",
              60.0 * episodes / total, config.episodes, config.episodes * total / episodes / 60);
  std::printf("  %d policies measured, %d answered from the cache\n", t.evaluations, t.cache_hits);
  auto part = [&](const char* name, double s) {
    std::printf("  %-12s %7.2f s  %5.1f %%  %7.1f ms per measured policy\n", name, s, 100 * s / total,
                1e3 * s / std::max(1, t.evaluations));
  };
  part("fine-tune", t.finetune);
  part("accuracy", t.accuracy);
  part("compile", t.compile);
  part("VP", t.vp);
  part("agent+rest", agent);
  std::printf("  best speedup found in these episodes: %.2fx\n", outcome.best_speedup);
  return 0;
}

}  // namespace
}  // namespace cimvp

int sc_main(int argc, char** argv) {
  try {
    return cimvp::bench(argc, argv);
  } catch (const std::exception& e) {  // a bad config: its file and key, not an abort
    std::fprintf(stderr, "search_bench: %s\n", e.what());
    return 1;
  }
}
int main(int argc, char** argv) { return cimvp::enter_systemc(argc, argv); }
