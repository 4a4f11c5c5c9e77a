// The whole search job in this process (run_search_job, as `cimvp search`
// runs it), watched from inside: which dataset splits it reads and when.
// The test split decides nothing before the finals, so it must not be read
// before every search's episodes are done.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/dataset.h"
#include "rl/evaluation/search_job.h"
#include "tests/support/paths.h"

namespace cimvp::rl {
namespace {

namespace fs = std::filesystem;

TEST(SearchJob, TheTestSplitIsReadOnceAndOnlyAfterEverySearch) {
  const std::string out = test::temp_path("search_job_", "out");
  fs::remove_all(out);
  SearchJobOptions job;
  job.config = parse_search_config(
      "model: " + test::source_path("pretrained/lenet5-fmnist-float.cimvp") +
          "\ndataset: fashion-mnist\narch: " + test::source_path("configs/arch/default.yaml") +
          "\nepisodes: 4\nwarmup: 2\nseed: 3\naccuracy_budget: 2.0\nvalidation: {images: 200}\n"
          "final: {epochs: 0, candidates: 2}\nddpg: {actor_hidden: [16], critic_hidden: [16], batch: 4}\n",
      "job.yaml", ".");
  job.output = out;
  job.durable = false;
  job.threads = 1;
  // The baselines add a random and an analytic search: the test split must wait for both.
  std::vector<std::string> events;
  set_dataset_load_observer([&](const std::string&, Split s) { events.push_back(std::string("load ") + split_name(s)); });
  job.progress = [&](const std::string& phase, const SearchProgress& p) {
    events.push_back(phase + " episode " + std::to_string(p.episodes_done));
  };
  job.message = [&](const std::string& m) { events.push_back("message " + m); };
  const nlohmann::json summary = run_search_job(job);
  set_dataset_load_observer({});

  std::vector<size_t> test_loads, validation_loads;
  size_t last_episode = 0, first_final = events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i] == "load test") test_loads.push_back(i);
    if (events[i] == "load validation") validation_loads.push_back(i);
    if (events[i].find(" episode ") != std::string::npos) last_episode = i;
    if (events[i].rfind("message fine-tuning", 0) == 0) first_final = std::min(first_final, i);
  }
  std::string all;
  for (const std::string& e : events) all += e + "\n";
  EXPECT_EQ(events[last_episode], "analytic episode 4") << all;  // the last of the three searches
  ASSERT_EQ(test_loads.size(), 1u) << all;
  EXPECT_GT(test_loads[0], last_episode) << all;
  EXPECT_LT(test_loads[0], first_final) << all;
  // Validation is what the search ranks on, before the test split, and what
  // chooses between the two candidates.
  ASSERT_FALSE(validation_loads.empty()) << all;
  EXPECT_LT(validation_loads.front(), test_loads[0]) << all;
  EXPECT_TRUE(summary.at("found").get<bool>());
  EXPECT_TRUE(summary.at("policy").contains("chosen_from"));
}

// With accuracy: vp the search optimizes the accuracy on the noisy VP, so
// the summary judges the budget on that accuracy of the finals. The budget
// (100 points) lets every policy count as found: whether two episodes
// under noise find one within a narrow budget is luck of the draws, and
// this test is about which accuracy the summary judges, not about finding.
TEST(SearchJob, AccuracyVpJudgesTheBudgetOnTheNoisyVp) {
  const std::string out = test::temp_path("search_job_", "vp");
  const std::string arch = test::temp_path("search_job_", "noisy.yaml");
  fs::remove_all(out);
  std::ofstream(arch) << "name: noisy\ndevice: {program_sigma: 0.02, read_sigma: 0.01}\n";
  SearchJobOptions job;
  job.config = parse_search_config(
      "model: " + test::source_path("pretrained/lenet5-fmnist-float.cimvp") + "\ndataset: fashion-mnist\narch: " +
          arch +
          "\nepisodes: 2\nwarmup: 2\nseed: 3\naccuracy_budget: 100\nvalidation: {images: 50}\naccuracy: vp\n"
          "accuracy_seeds: 1\nbaselines: false\nfinal: {epochs: 0, vp_images: 60, vp_seeds: 2}\n"
          "ddpg: {actor_hidden: [16], critic_hidden: [16], batch: 4}\n",
      "job.yaml", ".");
  job.output = out;
  job.durable = false;
  job.threads = 1;
  const nlohmann::json s = run_search_job(job);
  ASSERT_TRUE(s.at("found").get<bool>());
  EXPECT_EQ(s.at("budget_judged_on"), "test_accuracy_vp");
  const double drop = 100 * (s.at("accuracy_w8a8_vp").get<double>() - s.at("accuracy_policy_vp").get<double>());
  EXPECT_NEAR(s.at("vp_accuracy_drop_points").get<double>(), drop, 1e-9);
  EXPECT_EQ(s.at("within_accuracy_budget").get<bool>(), drop <= 100.0);
  EXPECT_NE(s.at("accuracy_policy_vp").get<double>(), s.at("accuracy_policy").get<double>())
      << "the VP's accuracy under noise, not the integer reference's";
  EXPECT_EQ(s.at("policy").at("test_accuracy_vp_per_seed").size(), 2u);
}

}  // namespace
}  // namespace cimvp::rl
