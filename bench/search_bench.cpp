// Speed of the bit-width search (docs/benchmarks.md): a DDPG search of the
// shipped float vgg-small on default.yaml (or MODEL and ARCH given), as
// `cimvp search` runs its episodes: the VP-measured latency of every policy
// and its accuracy on the validation images (integer reference, optional
// fine-tune). Reports episodes per minute, the minutes a 600-episode search
// needs, and how the time splits between fine-tuning, accuracy, compilation,
// the VP and the agent (the rest).
//   search_bench [EPISODES] [VALIDATION-IMAGES] [FINETUNE-BATCHES] [MODEL] [ARCH]
//   (default 60 episodes, 2000 images, 30 batches as the shipped configs, vgg-small, default.yaml)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/sc_main_env.h"
#include "nn/model_source.h"
#include "rl/evaluation/network_evaluator.h"
#include "rl/search.h"

namespace cimvp {
namespace {

int bench(int argc, char** argv) {
  const int episodes = argc > 1 ? std::atoi(argv[1]) : 60;
  const int validation = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int batches = argc > 3 ? std::atoi(argv[3]) : 30;
  const std::string source(CIMVP_SOURCE_DIR);
  const std::string model_path = argc > 4 ? argv[4] : source + "/pretrained/vgg-small-fmnist-float.cimvp";
  const std::string arch_path = argc > 5 ? argv[5] : source + "/configs/arch/default.yaml";

  const ModelFile model = load_model_spec(model_path);
  const ArchConfig arch = load_arch_config(arch_path);
  rl::FinetuneSettings finetune;
  finetune.batches = batches;
  const auto t_setup = std::chrono::steady_clock::now();
  rl::AccuracyModel accuracy(model, "fashion-mnist", validation, finetune, 2);
  const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();
  rl::VpLatency vp(arch);
  rl::NetworkEvaluator evaluator(rl::LatencySource::Vp, &vp, model, arch, accuracy);

  rl::SearchOptions options;
  options.config.model = model_path;
  options.config.episodes = episodes;
  options.config.warmup = std::min(20, episodes / 3);
  options.config.weight_multiple_of_cell_bits = true;
  options.config.validation_images = validation;
  options.cell_bits = arch.cell_bits;
  options.output = (std::filesystem::temp_directory_path() / "cimvp-search-bench").string();
  options.force = true;
  options.durable = false;
  const auto t0 = std::chrono::steady_clock::now();
  const rl::SearchOutcome outcome = rl::run_search(model.graph, evaluator, options);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const rl::EvaluatorTimes t = evaluator.times();
  const double agent = total - t.finetune - t.accuracy - t.compile - t.vp;

  std::printf("%s on %s: %d episodes (+ W8A8), %d validation images, fine-tune %d batches\n", model.graph.name.c_str(),
              arch.name.c_str(), episodes, validation, batches);
  std::printf("  set-up (datasets, calibration activations): %.1f s, once per search\n", setup);
  std::printf("  %.1f episodes per minute; a 600-episode search: %.1f minutes (goal: 30 for vgg-small)\n",
              60.0 * episodes / total, 600 * total / episodes / 60);
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
  std::printf("  best speedup found within the default budget: %.2fx\n", outcome.best_speedup);
  return 0;
}

}  // namespace
}  // namespace cimvp

int sc_main(int argc, char** argv) { return cimvp::bench(argc, argv); }
int main(int argc, char** argv) { return cimvp::enter_systemc(argc, argv); }
