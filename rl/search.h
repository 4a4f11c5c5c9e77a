// The search driver: N episodes of DDPG (or of random search, the same
// budget and constraints with uniform random actions every episode) over a
// graph's quantizable layers, one PolicyEvaluator::evaluate per episode plus
// one for the uniform W8A8 baseline. It writes into the output folder as it
// goes (docs/search.md):
//   episodes.csv      one row per finished episode
//   best-policy.yaml  the highest-reward policy that meets the accuracy target
//   checkpoint.bin    everything needed to continue (agent, replay, RNG,
//                     records, best), replaced atomically after every episode
// A search killed at any point and resumed ends with byte-identical files and
// state to one that ran straight through (given a deterministic evaluator).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "rl/episode_record.h"
#include "rl/policy_evaluator.h"
#include "rl/search_config.h"

namespace cimvp::rl {

constexpr const char* kEpisodesFile = "episodes.csv";
constexpr const char* kBestPolicyFile = "best-policy.yaml";
constexpr const char* kCheckpointFile = "checkpoint.bin";

// Reported after every episode, once its files are written.
struct SearchProgress {
  int episodes_done = 0;   // finished episodes, 1..episodes
  int episodes = 0;        // the budget
  const EpisodeRecord* last = nullptr;
  bool has_best = false;   // some policy met the accuracy target
  double best_reward = 0;
  double best_speedup = 0;
  double best_accuracy = 0;  // fraction
  // The accuracy is the precision proxy (accuracy: none; rl/precision_proxy.h):
  // best_accuracy is effective bits / 8, not a share of correct answers.
  bool precision_proxy = false;
  double eta_seconds = 0;    // from the mean wall time of the episodes run in this process
};

struct SearchOptions {
  SearchConfig config;
  std::string output;   // the output folder; "" uses config.output (one of them must be set)
  int cell_bits = 0;    // the architecture's bits per cell; needed by weight_multiple_of_cell_bits
  // What the episodes are computed from beyond the settings, as "key=value"
  // lines (the job's: the model's and dataset's contents, every architecture
  // parameter, the cimvp version). Part of the checkpoint's fingerprint: a
  // resume with any line changed is refused, naming it.
  std::string inputs;
  bool resume = false;  // continue from output/checkpoint.bin (start afresh when there is none)
  bool force = false;   // start afresh in a non-empty output folder (our files are replaced)
  // fsync the checkpoint before it replaces the old one, so that even a
  // power loss leaves a resumable search. false still survives a killed
  // process (tests, scratch runs on slow file systems).
  bool durable = true;
  // Threads of the agent's updates (1 or 2); no result depends on them.
  int threads = 2;
  // Called after every episode. It may throw to stop the search: everything
  // up to and including that episode is on disk and resumable.
  std::function<void(const SearchProgress&)> progress;
};

struct SearchOutcome {
  PolicyResult baseline;          // uniform W8A8
  double base_accuracy_percent = 0;
  double target_accuracy_percent = 0;  // base - accuracy_budget
  bool found = false;             // some policy met the target
  int best_episode = -1;
  Policy best_policy;
  PolicyResult best_result;
  double best_reward = 0;
  double best_speedup = 0;
  std::vector<EpisodeRecord> episodes;  // every episode of the search, resumed ones included
  int resumed_from = 0;           // episodes loaded from the checkpoint (0 for a fresh start)
};

// Whether an episode can be the search's answer: within the accuracy
// budget, or with a cost target, at or under it.
bool eligible(const EpisodeRecord& r, const SearchConfig& config);
// The `k` best distinct eligible policies of a search, best first: highest
// reward, the earlier episode on ties (so the first is the search's best).
std::vector<Policy> best_policies(const std::vector<EpisodeRecord>& episodes, const SearchConfig& config, size_t k);

// Runs (or resumes) the search. Throws cimvp::Error for an output folder that
// is not empty (without resume or force), a checkpoint made with different
// settings, a constraint that needs cell_bits without it, and whatever the
// evaluator throws (the search is then resumable from its last episode).
SearchOutcome run_search(const Graph& graph, PolicyEvaluator& evaluator, const SearchOptions& options);

}  // namespace cimvp::rl
