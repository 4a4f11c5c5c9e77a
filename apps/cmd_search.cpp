// cimvp search: the bit-width search (docs/search.md). DDPG chooses weight
// and activation bits per layer; the latency in its reward is what the VP
// measures for the whole compiled network. The YAML names model, dataset,
// architecture, budget and constraints; flags override it.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "apps/command.h"
#include "common/error.h"
#include "rl/evaluation/search_job.h"
#include "rl/progress_line.h"

namespace cimvp::cli {
namespace {

// A flag that names one of a few choices (--method, --latency): its value
// through the rl name mapping the YAML key uses too, or one error naming the
// flag, the choices and the value.
template <class E>
void override_choice(const po::variables_map& vm, const char* flag, const char* choices,
                     std::optional<E> (*from_name)(const std::string&), E& setting) {
  if (!vm.count(flag)) return;
  const std::string name = vm[flag].as<std::string>();
  const std::optional<E> value = from_name(name);
  if (!value) throw Error(std::string("--") + flag + " must be " + choices + ", not '" + name + "'");
  setting = *value;
}

// "30.2 ms", "8.12 uJ": a positive value in the unit prefix that leaves 1..999.
std::string scaled(double value, const char* unit) {
  static const char* const prefixes[] = {"", "m", "u", "n", "p"};
  int k = 0;
  while (k < 4 && value > 0 && value < 1) value *= 1e3, ++k;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g %s%s", value, prefixes[k], unit);
  return buf;
}

// A latency-only search's result: the found policy and each baseline as the
// VP measures them, with the precision proxy in place of an accuracy.
void print_latency_only(const nlohmann::json& s, const rl::SearchConfig& config) {
  if (s.value("found", false))
    std::printf("policy: %.2fx fewer VP cycles than W8A8 per inference (cost ratio %.3f, target %.3f), %.2f "
                "effective bits (latency-only: no accuracy measured)\n",
                s.at("speedup").get<double>(), s.at("cost_ratio").get<double>(), config.cost_target,
                s.at("effective_bits").get<double>());
  else
    std::printf("no policy met the cost target %.3f\n", config.cost_target);
  std::printf("  %-9s %8s %12s %10s %10s %6s  %s\n", "", "speedup", "cycles", "latency", "energy", "bits",
              "placement");
  auto row = [](const std::string& name, const nlohmann::json& p) {
    std::printf("  %-9s %7.2fx %12llu %10s %10s %6.2f  %s\n", name.c_str(), p.at("speedup").get<double>(),
                static_cast<unsigned long long>(p.at("cycles").get<uint64_t>()),
                scaled(p.at("latency_seconds").get<double>(), "s").c_str(),
                scaled(p.at("energy_joules").get<double>(), "J").c_str(), p.at("effective_bits").get<double>(),
                p.at("placement").get<std::string>().c_str());
  };
  if (s.contains("policy")) row("policy", s.at("policy"));
  for (const auto& [name, b] : s.at("baselines").items()) row(name, b);
}

}  // namespace

int cmd_search(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("config", po::value<std::string>()->required(), "search YAML (configs/search/)")
      ("output,o", po::value<std::string>(), "output folder (default: the YAML's output)")
      ("model", po::value<std::string>(), "zoo name or model file (default: the YAML's model)")
      ("episodes", po::value<int>(), "episodes of each search (default: the YAML's)")
      ("seed", po::value<uint64_t>(), "seed (default: the YAML's)")
      ("method", po::value<std::string>(), "ddpg or random (default: the YAML's)")
      ("latency", po::value<std::string>(), "vp (the VP's measured cycles) or analytic (the paper's formula) (default: the YAML's)")
      ("search-only", "stop after the search's episodes: no final fine-tunes, no summary (--resume runs them later)")
      ("no-baselines", "only the search and W8A8: no random or analytic search, no W4A8 or W4A4")
      ("resume", "continue a killed search in its output folder")
      ("force", "start afresh in an output folder that holds an earlier search")
      ("threads", po::value<int>()->default_value(2), "threads for fine-tuning and accuracy");
  po::variables_map vm;
  if (!parse("search", "--config SEARCH.yaml [-o DIR] [--episodes N] [--resume | --force]", options, {}, args, vm))
    return 0;
  rl::SearchJobOptions job;
  job.config = rl::load_search_config(vm["config"].as<std::string>());
  if (vm.count("episodes")) {
    if (vm["episodes"].as<int>() < 1) throw Error("--episodes must be at least 1");
    job.config.episodes = vm["episodes"].as<int>();
  }
  if (vm.count("model")) job.config.model = vm["model"].as<std::string>();  // a file relative to here, as every flag
  if (vm.count("seed")) job.config.seed = vm["seed"].as<uint64_t>();
  override_choice(vm, "method", "ddpg or random", rl::method_from_name, job.config.method);
  override_choice(vm, "latency", "vp or analytic", rl::latency_source_from_name, job.config.latency);
  if (vm.count("no-baselines")) job.config.baselines = false;
  job.search_only = vm.count("search-only") > 0;
  if (vm.count("output")) job.output = vm["output"].as<std::string>();
  job.resume = vm.count("resume") > 0;
  job.force = vm.count("force") > 0;
  if (job.resume && job.force) throw Error("give --resume or --force, not both");
  job.threads = vm["threads"].as<int>();
  if (job.threads < 1 || job.threads > 64) throw Error("--threads must be in 1..64");
  job.message = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  job.progress = [](const std::string& phase, const rl::SearchProgress& p) {
    std::fprintf(stderr, "\r%-8s %s", phase.c_str(), rl::progress_line(p).c_str());
    if (p.episodes_done == p.episodes) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
  const nlohmann::json s = rl::run_search_job(job);
  const std::string out = job.output.empty() ? job.config.output : job.output;
  if (job.search_only) {
    if (s.value("found", false) && s.contains("best_effective_bits"))
      std::printf("search's best: episode %d, %.2fx fewer %s cycles than W8A8, %.2f effective bits, reward %.6g\n",
                  s.at("best_episode").get<int>(), s.at("best_speedup").get<double>(),
                  job.config.latency == rl::LatencySource::Vp ? "VP" : "formula",
                  s.at("best_effective_bits").get<double>(), s.at("best_reward").get<double>());
    else if (s.value("found", false))
      std::printf("search's best: episode %d, %.2fx fewer %s cycles than W8A8, validation accuracy %.2f %%, reward %.6g\n",
                  s.at("best_episode").get<int>(), s.at("best_speedup").get<double>(),
                  job.config.latency == rl::LatencySource::Vp ? "VP" : "formula",  // what the search's speedup is in
                  100 * s.at("best_validation_accuracy").get<double>(), s.at("best_reward").get<double>());
    else
      std::printf("no policy met the accuracy target (%.2f points below W8A8)\n", job.config.accuracy_budget);
    std::printf("episodes: %s/episodes.csv (--resume runs the final fine-tunes)\n", out.c_str());
    return 0;
  }
  if (job.config.accuracy == rl::AccuracySource::None) {
    print_latency_only(s, job.config);
  } else if (s.value("found", false) && s.contains("accuracy_policy_vp")) {  // accuracy: vp judges on the noisy VP
    std::printf("policy: %.2fx fewer VP cycles than W8A8 per inference, test accuracy on the VP under its "
                "non-idealities %.2f %% (this run's W8A8 %.2f %%: %.2f points lower, %s the %.2f-point budget); "
                "on ideal hardware %.2f %% (W8A8 %.2f %%)\n",
                s.at("speedup").get<double>(), 100 * s.at("accuracy_policy_vp").get<double>(),
                100 * s.at("accuracy_w8a8_vp").get<double>(), s.at("vp_accuracy_drop_points").get<double>(),
                s.at("within_accuracy_budget").get<bool>() ? "within" : "outside", job.config.accuracy_budget,
                100 * s.at("accuracy_policy").get<double>(), 100 * s.at("accuracy_w8a8").get<double>());
  } else if (s.value("found", false)) {
    std::printf("policy: %.2fx fewer VP cycles than W8A8 per inference, test accuracy %.2f %% (this run's W8A8 "
                "%.2f %%: %.2f points lower, %s the %.2f-point budget)\n",
                s.at("speedup").get<double>(), 100 * s.at("accuracy_policy").get<double>(),
                100 * s.at("accuracy_w8a8").get<double>(), s.at("accuracy_drop_points").get<double>(),
                s.at("within_accuracy_budget").get<bool>() ? "within" : "outside", job.config.accuracy_budget);
  } else {
    std::printf("no policy met the accuracy target (%.2f points below W8A8)\n", job.config.accuracy_budget);
  }
  if (s.contains("baselines") && job.config.accuracy != rl::AccuracySource::None)
    for (const auto& [name, b] : s.at("baselines").items())
      std::printf("  %-9s %.2fx, test accuracy %.2f %%\n", name.c_str(), b.at("speedup").get<double>(),
                  100 * b.at("test_accuracy").get<double>());
  std::printf("summary: %s/summary.json\n", out.c_str());
  return 0;
}

}  // namespace cimvp::cli
