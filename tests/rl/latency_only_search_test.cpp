// A latency-only search (accuracy: none): a model without trained weights
// or dataset (a zoo name, as a torchvision export would be), held to a cost
// target, rewarded by the precision proxy. It must read no dataset, and its
// summary must report what the VP measures: checked here against cycles
// measured independently, by compiling and running both policies again.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "flow/build.h"
#include "flow/pipeline.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "rl/evaluation/search_job.h"
#include "rl/precision_proxy.h"
#include "tests/support/paths.h"

namespace cimvp::rl {
namespace {

namespace fs = std::filesystem;

constexpr double kTarget = 0.6;

SearchJobOptions latency_only_job(const std::string& out, bool baselines) {
  SearchJobOptions job;
  job.config = parse_search_config(
      "model: lenet5\narch: " + test::source_path("configs/arch/default.yaml") +
          "\naccuracy: none\ncost_target: " + std::to_string(kTarget) +
          "\nepisodes: 4\nwarmup: 2\nseed: 3\nbaselines: " + (baselines ? "true" : "false") +
          "\nddpg: {actor_hidden: [16], critic_hidden: [16], batch: 4}\n",
      "latency.yaml", ".");
  job.output = out;
  job.durable = false;
  job.threads = 1;
  return job;
}

// Inference cycles of `policy` on the VP, compiled and run here.
uint64_t cycles_of(const Policy& policy, const ArchConfig& arch) {
  const ModelFile model = load_model_structure("lenet5");
  flow::BuildOptions options;
  options.compile.timing_only = true;
  flow::Pipeline pipeline(arch);
  pipeline.load(flow::build(model, policy, arch, options), "lenet5");
  return pipeline.time().inference_cycles;
}

Policy bits_of(const nlohmann::json& j) {
  Policy p;
  p.weight_bits = j.at("weight_bits").get<std::vector<int>>();
  p.activation_bits = j.at("activation_bits").get<std::vector<int>>();
  return p;
}

TEST(LatencyOnlySearch, ReadsNoDatasetAndReportsTheSpeedupTheVpMeasures) {
  const std::string out = test::temp_path("latency_only_", "out");
  fs::remove_all(out);
  std::vector<std::string> loads;
  set_dataset_load_observer([&](const std::string& name, Split s) { loads.push_back(name + " " + split_name(s)); });
  const nlohmann::json s = run_search_job(latency_only_job(out, true));
  set_dataset_load_observer({});
  EXPECT_TRUE(loads.empty()) << loads.front();

  ASSERT_TRUE(s.at("found").get<bool>());
  EXPECT_EQ(s.at("accuracy"), "none");
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  const Policy found = bits_of(s.at("policy"));
  const uint64_t w8a8 = cycles_of(uniform_policy(found.size(), 8, 8), arch);
  const uint64_t policy = cycles_of(found, arch);
  EXPECT_EQ(s.at("policy").at("cycles").get<uint64_t>(), policy);
  EXPECT_EQ(s.at("w8a8_cycles").get<uint64_t>(), w8a8);
  const double speedup = double(w8a8) / double(policy);
  EXPECT_GT(speedup, 1 / kTarget - 1e-6);  // the cost target: at most 0.6 of W8A8's cycles
  EXPECT_NEAR(s.at("speedup").get<double>(), speedup, 1e-6 * speedup);
  EXPECT_LE(s.at("cost_ratio").get<double>(), kTarget);
  EXPECT_TRUE(s.at("policy").at("meets_cost_target").get<bool>());
  EXPECT_DOUBLE_EQ(s.at("effective_bits").get<double>(), effective_bits(found));
  EXPECT_LT(s.at("effective_bits").get<double>(), 8.0);  // 1.67x fewer cycles costs bits somewhere

  // The cost-only baselines, timed on the same VP; W8A8 is the 1x.
  const nlohmann::json& b = s.at("baselines");
  for (const char* name : {"w8a8", "w4a8", "w4a4", "random", "analytic"}) EXPECT_TRUE(b.contains(name)) << name;
  EXPECT_DOUBLE_EQ(b.at("w8a8").at("speedup").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(b.at("w8a8").at("effective_bits").get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(b.at("w4a4").at("effective_bits").get<double>(), 4.0);
  const uint64_t w4a4 = cycles_of(uniform_policy(found.size(), 4, 4), arch);
  EXPECT_EQ(b.at("w4a4").at("cycles").get<uint64_t>(), w4a4);
  EXPECT_LE(b.at("random").at("cost_ratio").get<double>(), kTarget);
  // No fine-tune, no test accuracy, no model files: nothing to train.
  EXPECT_FALSE(s.contains("accuracy_policy"));
  EXPECT_FALSE(fs::exists(fs::path(out) / "final"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "summary.json"));
}

// A latency-only search stopped after an episode leaves it on disk, and the
// resumed job ends where an uninterrupted one does.
TEST(LatencyOnlySearch, AStoppedSearchResumes) {
  const std::string stopped = test::temp_path("latency_only_", "stopped");
  const std::string straight = test::temp_path("latency_only_", "straight");
  fs::remove_all(stopped);
  fs::remove_all(straight);
  SearchJobOptions job = latency_only_job(stopped, false);
  job.progress = [](const std::string&, const SearchProgress& p) {
    if (p.episodes_done == 2) throw Error("stopped");
  };
  EXPECT_THROW(run_search_job(job), Error);
  EXPECT_TRUE(fs::exists(fs::path(stopped) / "checkpoint.bin"));
  EXPECT_FALSE(fs::exists(fs::path(stopped) / "summary.json"));
  job.progress = {};
  job.resume = true;
  const nlohmann::json resumed = run_search_job(job);
  const nlohmann::json whole = run_search_job(latency_only_job(straight, false));
  EXPECT_EQ(resumed.at("policy"), whole.at("policy"));
  EXPECT_EQ(resumed.at("baselines"), whole.at("baselines"));
  // Without the searches' baselines the uniform ones are still there: one latency step each.
  for (const char* name : {"w8a8", "w4a8", "w4a4"}) EXPECT_TRUE(whole.at("baselines").contains(name)) << name;
  EXPECT_FALSE(whole.at("baselines").contains("random"));
}

TEST(LatencyOnlySearch, WithoutACostTargetTheJobIsRefusedBeforeAnything) {
  // parse_search_config refuses it; a config made in code is refused by the job too.
  SearchJobOptions job = latency_only_job(test::temp_path("latency_only_", "none"), false);
  job.config.cost_target = 0;
  EXPECT_THROW(run_search_job(job), Error);
}

}  // namespace
}  // namespace cimvp::rl
