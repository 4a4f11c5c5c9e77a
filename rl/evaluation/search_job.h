// A whole bit-width search as `cimvp search` runs it, in one output folder:
//   1. the search itself (DDPG or random, VP or analytic latency):
//      episodes.csv, best-policy.yaml, checkpoint.bin;
//   2. with `baselines`, the same budget again as random search (random/)
//      and, when the search uses VP latency, with the analytic table as the
//      latency (analytic/), each a resumable search of its own;
//   3. the proper fine-tune of the found policy and of each baseline (the
//      best of random/ and analytic/, uniform W8A8, W4A8, W4A4): its model
//      file, test-set accuracy and VP latency in final/NAME.{cimvp,json};
//   4. summary.json, written last.
// A latency-only search (accuracy: none) has no accuracy to fine-tune or
// test: it skips step 3, and its summary times every policy on the VP
// (latency_only_summary.h).
// Every step leaves its results on disk as it finishes, so a killed job
// resumed with `resume` loses no finished episode or fine-tune.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "rl/search.h"
#include "rl/search_config.h"

namespace cimvp::rl {

struct SearchJobOptions {
  SearchConfig config;
  std::string output;        // "" uses config.output
  bool resume = false;
  bool force = false;
  int threads = 2;
  bool durable = true;       // fsync checkpoints (SearchOptions::durable)
  // Stop after the searches (steps 1 and 2): no finals, no summary.json. A
  // later run with `resume` finds the episodes done and goes on to step 3.
  bool search_only = false;
  // The phase ("search", "random", "analytic") and its progress, after every episode.
  std::function<void(const std::string& phase, const SearchProgress&)> progress;
  std::function<void(const std::string&)> message;  // what the job is doing, in words
};

// Runs (or resumes) the job and returns the summary it wrote; with
// `search_only`, the search's best instead: {"search_only", "found",
// "best_episode", "best_reward", "best_speedup", "best_validation_accuracy"}.
// Elaborates one SoC for the architecture: call it once per process, before
// any simulation.
nlohmann::json run_search_job(const SearchJobOptions& options);

// The best speedup among `episodes` whose accuracy is at most `drop_points`
// percentage points below `base_percent` (0 when none is).
double best_speedup_within(const std::vector<EpisodeRecord>& episodes, double base_percent, double drop_points);

}  // namespace cimvp::rl
