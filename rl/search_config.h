// The settings of one bit-width search, read from YAML (docs/search.md lists
// every key with its default). Errors are cimvp::Error naming the file, the
// key and the line:column: unknown keys (with a suggestion), wrong types,
// values out of range. Relative paths (arch, output, and model when it is
// not a zoo name) resolve against the YAML file's folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rl/ddpg.h"
#include "rl/reward.h"

namespace cimvp::rl {

enum class SearchMethod { Ddpg, Random };
enum class LatencySource { Vp, Analytic };
// Where a policy's accuracy comes from: the integer reference (the ideal
// VP's bits, fast), or the VP itself under the architecture's device and
// converter non-idealities, over accuracy_seeds device draws; or nowhere
// (None: a latency-only search of a network without trained weights or
// dataset, cost_target only, rewarded by the precision proxy of
// rl/evaluation/precision_proxy.h).
enum class AccuracySource { Reference, Vp, None };
const char* method_name(SearchMethod m);
std::optional<SearchMethod> method_from_name(const std::string& name);  // none for an unknown name
const char* latency_source_name(LatencySource l);
std::optional<LatencySource> latency_source_from_name(const std::string& name);  // none for an unknown name
const char* accuracy_source_name(AccuracySource a);
std::optional<AccuracySource> accuracy_source_from_name(const std::string& name);  // none for an unknown name

struct FinetuneSettings {
  int batches = 0;     // QAT batches per evaluated policy before its accuracy is taken; 0: none
  double lr = 1e-3;    // learning rate of that fine-tune
};

// The proper fine-tune of the chosen policy (and of each baseline) after the
// search, before its test-set accuracy is taken.
struct FinalSettings {
  int epochs = 1;             // quantization-aware epochs over the training split
  double lr = 0.005;          // peak learning rate (cosine)
  int train_images = 0;       // 0: the whole training split
  // The search's best `candidates` policies are all fine-tuned, and the one
  // most accurate on the whole validation split afterwards is the answer
  // (1: the search's best alone).
  int candidates = 1;
  // Knowledge distillation from the search's model in float (0: none): the
  // weight of the teacher's term in the loss, and its temperature.
  double distill_weight = 0;
  double distill_temperature = 1;
  // With accuracy: vp, each final is also classified on the VP under the
  // architecture's non-idealities: the first vp_images test images (0: all)
  // under vp_seeds device draws.
  int vp_images = 0;
  int vp_seeds = 5;
};

struct SearchConfig {
  std::string source;   // the YAML file (or a name for text), for messages
  std::string model;    // zoo name or model file (required)
  std::string dataset;  // dataset name the accuracy is measured on ("" when not given)
  std::string arch;     // architecture YAML ("" when not given: the command line decides)
  std::string output;   // output folder ("" when not given: the command line decides)

  SearchMethod method = SearchMethod::Ddpg;
  int episodes = 600;
  int warmup = 20;             // episodes of uniform random actions before DDPG explores
  uint64_t seed = 1;
  double accuracy_budget = 1.0;  // allowed accuracy drop from W8A8, percent points, >= 0
  int min_bits = 2;
  int max_bits = 8;
  // Quantize the network input unsigned (its images are >= 0): one more
  // level per bit of the first layer's activations (nn/graph.h).
  bool nonnegative_input = false;
  bool first_last_w8a8 = false;
  bool weight_multiple_of_cell_bits = false;
  LatencySource latency = LatencySource::Vp;
  CostModel cost;              // objective (latency | energy | mix) and latency_weight
  double miss_penalty = 10.0;  // reward per accuracy point below the target (the paper's -10)
  // HAQ's resource-constrained mode when > 0: every episode's bits are
  // lowered until cost_ratio <= cost_target, and the reward is accuracy only.
  double cost_target = 0;
  FinetuneSettings finetune;
  int validation_images = 5000;  // validation images the accuracy is measured on
  AccuracySource accuracy = AccuracySource::Reference;
  int accuracy_seeds = 3;  // device draws per policy with accuracy: vp (the finals take 5)
  FinalSettings final_finetune;
  bool baselines = true;  // also run random search and the analytic-latency search, and fine-tune W4A8, W4A4
  DdpgSettings ddpg;
};

// Parses YAML text. `source` names it in errors; relative paths resolve
// against `base_dir` ("" leaves them as written).
SearchConfig parse_search_config(const std::string& text, const std::string& source, const std::string& base_dir);
// Reads a file; relative paths resolve against its folder.
SearchConfig load_search_config(const std::string& path);

// Every setting that changes what a search computes (not the episode count
// or the output folder), as text: a checkpoint refuses to resume a search
// whose fingerprint differs.
std::string fingerprint(const SearchConfig& c);

}  // namespace cimvp::rl
