#include "rl/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "common/error.h"
#include "common/atomic_file.h"
#include "rl/ddpg.h"
#include "rl/quantization_env.h"
#include "rl/reward.h"

namespace cimvp::rl {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMagic = "cimvp rl search checkpoint\n";
constexpr uint64_t kVersion = 1;

// Everything the checkpoint holds besides the agent.
struct SearchState {
  int episodes_done = 0;
  PolicyResult baseline;
  std::vector<EpisodeRecord> records;
  int best = -1;  // index into records
};

class Search {
 public:
  Search(const Graph& graph, PolicyEvaluator& evaluator, const SearchOptions& options)
      : evaluator_(evaluator),
        graph_name_(graph.name),
        options_(options),
        config_(options.config),
        dir_(options.output.empty() ? options.config.output : options.output),
        env_(graph, environment_options(options)),
        agent_(kStateFeatures, size_t(config_.ddpg.replay_per_layer) * env_.layers(), config_.ddpg, config_.seed,
               options.threads),
        fingerprint_(make_fingerprint()) {
    if (dir_.empty()) throw Error(config_.source + ": no output folder: set 'output' or give one on the command line");
  }

  SearchOutcome run() {
    try {
      prepare_folder();
    } catch (const fs::filesystem_error& e) {
      throw Error(dir_ + ": " + e.code().message() + " (" + e.path1().string() + ")");
    }
    const int start = state_.episodes_done;
    const auto t0 = std::chrono::steady_clock::now();
    for (int e = start; e < config_.episodes; ++e) {
      run_episode(e);
      if (options_.progress) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        SearchProgress p;
        p.episodes_done = e + 1;
        p.episodes = config_.episodes;
        p.precision_proxy = config_.accuracy == AccuracySource::None;
        p.last = &state_.records.back();
        if (state_.best >= 0) {
          const EpisodeRecord& b = state_.records[size_t(state_.best)];
          p.has_best = true, p.best_reward = b.reward, p.best_speedup = b.speedup, p.best_accuracy = b.result.accuracy;
        }
        p.eta_seconds = elapsed / (e + 1 - start) * (config_.episodes - e - 1);
        options_.progress(p);
      }
    }
    return outcome(start);
  }

 private:
  static EnvironmentOptions environment_options(const SearchOptions& o) {
    EnvironmentOptions e;
    e.min_bits = o.config.min_bits;
    e.max_bits = o.config.max_bits;
    e.first_last_w8a8 = o.config.first_last_w8a8;
    if (o.config.weight_multiple_of_cell_bits) {
      if (o.cell_bits <= 0)
        throw Error(o.config.source + ": 'constraints.weight_multiple_of_cell_bits' needs the architecture's cell bits");
      e.weight_multiple_of = o.cell_bits;
    }
    return e;
  }

  std::string make_fingerprint() const {
    return fingerprint(config_) + "layers=" + std::to_string(env_.layers()) +
           "\ncell_bits=" + std::to_string(env_.options().weight_multiple_of) + "\n" + options_.inputs;
  }

  std::string path(const char* file) const { return (fs::path(dir_) / file).string(); }

  void prepare_folder() {
    const bool has_checkpoint = fs::exists(path(kCheckpointFile));
    if (options_.resume && has_checkpoint) {
      load_checkpoint();
      // The checkpoint is the truth: rows or a best policy written after it
      // (by an episode that did not finish) are replaced by what it holds.
      // Without fsync: these two are rebuilt from the checkpoint on every resume.
      std::string csv = csv_header();
      for (const EpisodeRecord& r : state_.records) csv += csv_row(r);
      write_file_atomically(path(kEpisodesFile), csv, false);
      write_best();
      return;
    }
    if (fs::exists(dir_) && !fs::is_directory(dir_)) throw Error(dir_ + ": the output path is not a folder");
    if (fs::exists(dir_) && !fs::is_empty(dir_) && !options_.resume && !options_.force)
      throw Error(dir_ + ": the output folder is not empty; resume the search in it or force a fresh start");
    fs::create_directories(dir_);
    for (const char* f : {kEpisodesFile, kBestPolicyFile, kCheckpointFile}) {
      fs::remove(path(f));
      fs::remove(path(f) + std::string(".tmp"));
    }
    Policy w8a8 = uniform_policy(env_.layers(), 8, 8);
    w8a8.model = graph_name_;
    state_.baseline = evaluate(w8a8);
    // Checked now, not at the first episode: a bad baseline fails at once.
    cost_ratio(state_.baseline, state_.baseline, config_.cost);
    if (constrained()) {
      const Policy lowest = env_.lowest_policy();
      const double ratio = cost_ratio(checked_cost(lowest), state_.baseline, config_.cost);
      if (ratio > config_.cost_target)
        throw Error(config_.source + ": 'cost_target' " + std::to_string(config_.cost_target) +
                    " is out of reach: the lowest bits the constraints allow (w[" + bits_text(lowest.weight_bits) +
                    "] a[" + bits_text(lowest.activation_bits) + "]) give a cost ratio of " + std::to_string(ratio));
    }
    write_file_atomically(path(kEpisodesFile), csv_header(), false);
    save_checkpoint();
  }

  // The evaluator's answer, checked: a percentage where a fraction belongs
  // or a zero latency would silently make every reward meaningless.
  PolicyResult evaluate(const Policy& p) {
    const PolicyResult r = evaluator_.evaluate(p);
    if (!(r.accuracy >= 0 && r.accuracy <= 1))
      throw Error(answer_name(p, "result") + " has accuracy " + std::to_string(r.accuracy) +
                  ", expected a fraction in 0..1");
    check_cost(r, p, "result");
    return r;
  }

  // The evaluator's cost of `p` alone (the cost-target walk), checked the same way.
  PolicyResult checked_cost(const Policy& p) {
    const PolicyResult r = evaluator_.cost(p);
    check_cost(r, p, "cost");
    return r;
  }

  static std::string answer_name(const Policy& p, const char* kind) {
    return std::string("the evaluator's ") + kind + " for policy w[" + bits_text(p.weight_bits) + "] a[" +
           bits_text(p.activation_bits) + "]";
  }

  static void check_cost(const PolicyResult& r, const Policy& p, const char* kind) {
    if (!(r.latency_seconds > 0) || !std::isfinite(r.latency_seconds))
      throw Error(answer_name(p, kind) + " has latency " + std::to_string(r.latency_seconds) +
                  " s, expected a positive time");
    if (!(r.energy_joules >= 0) || !std::isfinite(r.energy_joules))
      throw Error(answer_name(p, kind) + " has energy " + std::to_string(r.energy_joules) + " J, expected >= 0");
  }

  bool constrained() const { return config_.cost_target > 0; }

  double base_percent() const { return 100.0 * state_.baseline.accuracy; }
  double target_percent() const { return base_percent() - config_.accuracy_budget; }

  void run_episode(int e) {
    const bool random_search = config_.method == SearchMethod::Random;
    const bool warmup = !random_search && e < config_.warmup;
    const std::string kind = random_search ? "random" : warmup ? "warmup" : "explore";

    std::vector<Eigen::VectorXd> states;
    std::vector<double> actions;
    Eigen::VectorXd s = env_.reset();
    while (!env_.done()) {
      const double a = (random_search || warmup) ? agent_.random_action() : agent_.explore_action(s, e - config_.warmup);
      env_.step(a);
      states.push_back(s);
      actions.push_back(a);
      if (!env_.done()) s = env_.state();
    }

    EpisodeRecord r;
    r.episode = e;
    r.kind = kind;
    r.policy = env_.policy();
    if (constrained()) {  // HAQ: the agent's actions stay as they were; the policy is lowered to fit
      const auto fits = [&](const Policy& p) {
        return cost_ratio(checked_cost(p), state_.baseline, config_.cost) <= config_.cost_target;
      };
      r.policy = env_.restored_within(env_.lowered_until(r.policy, fits), r.policy, fits);
    }
    r.result = evaluate(r.policy);
    r.cost_ratio = cost_ratio(r.result, state_.baseline, config_.cost);
    r.speedup = speedup(r.result, state_.baseline);
    const double acc = 100.0 * r.result.accuracy;
    // Without an accuracy (accuracy: none) there is no budget to meet: the
    // target is the cost target.
    r.meets_target = config_.accuracy == AccuracySource::None ? r.cost_ratio <= config_.cost_target
                                                               : acc >= target_percent();
    r.reward = constrained() ? constrained_reward(acc, base_percent())
                             : reward(acc, target_percent(), r.cost_ratio, config_.miss_penalty);

    if (!random_search) {
      // HAQ: the episode's reward is given to every step; after warm-up each
      // stored transition is followed by an update (`updates_per_step` of them).
      for (size_t t = 0; t < states.size(); ++t) {
        const bool last = t + 1 == states.size();
        agent_.observe({states[t], actions[t], r.reward, last ? states[t] : states[t + 1], last});
        if (!warmup)
          for (int u = 0; u < config_.ddpg.updates_per_step; ++u) agent_.update();
      }
    }

    state_.records.push_back(r);
    state_.episodes_done = e + 1;
    bool improved = false;
    // The best: the highest reward among policies within the accuracy budget
    // (with a cost target: the most accurate policy, whatever the budget).
    if (eligible(r, config_) && (state_.best < 0 || r.reward > state_.records[size_t(state_.best)].reward)) {
      state_.best = int(state_.records.size()) - 1;
      improved = true;
    }

    append_row(csv_row(r));
    if (improved) write_best();
    save_checkpoint();
  }

  void append_row(const std::string& row) {
    std::ofstream out(path(kEpisodesFile), std::ios::binary | std::ios::app);
    out << row;
    out.flush();
    if (!out) throw Error(path(kEpisodesFile) + ": cannot append");
  }

  void write_best() {
    if (state_.best < 0) {
      fs::remove(path(kBestPolicyFile));
      return;
    }
    const EpisodeRecord& b = state_.records[size_t(state_.best)];
    char head[512];
    std::snprintf(head, sizeof head,
                  "# best policy of the search: episode %d, accuracy %.9g (W8A8 %.9g), speedup %.9g, cost ratio %.9g, "
                  "reward %.9g\n",
                  b.episode, b.result.accuracy, state_.baseline.accuracy, b.speedup, b.cost_ratio, b.reward);
    write_file_atomically(path(kBestPolicyFile), head + to_yaml(b.policy), false);
  }

  void save_checkpoint() {
    BinaryWriter w;
    w.string(kMagic);
    w.u64(kVersion);
    w.string(fingerprint_);
    w.i64(state_.episodes_done);
    save_result(w, state_.baseline);
    w.u64(state_.records.size());
    for (const EpisodeRecord& r : state_.records) save_record(w, r);
    w.i64(state_.best);
    agent_.save(w);
    write_file_atomically(path(kCheckpointFile), w.bytes(), options_.durable);
  }

  void load_checkpoint() {
    const std::string file = path(kCheckpointFile);
    BinaryReader r(read_file(file), file);
    if (r.string() != kMagic) r.fail("not a search checkpoint");
    if (r.u64() != kVersion) r.fail("checkpoint version differs from this program's");
    const std::string fp = r.string();
    if (fp != fingerprint_) throw Error(file + ": the checkpoint was made with other settings or inputs (" + first_difference(fp) +
                                        "); resume with the same settings or force a fresh start");
    state_.episodes_done = int(r.i64());
    state_.baseline = load_result(r);
    const uint64_t n = r.u64();
    if (n != uint64_t(state_.episodes_done)) r.fail("corrupt: episode count and records disagree");
    for (uint64_t i = 0; i < n; ++i) state_.records.push_back(load_record(r));
    state_.best = int(r.i64());
    if (state_.best < -1 || state_.best >= int(n)) r.fail("corrupt best episode index");
    agent_.load(r);
    if (!r.at_end()) r.fail("trailing bytes");
  }

  std::string first_difference(const std::string& saved) const {
    auto lines = [](const std::string& s) {
      std::vector<std::string> v;
      size_t p = 0;
      for (size_t q; (q = s.find('\n', p)) != std::string::npos; p = q + 1) v.push_back(s.substr(p, q - p));
      return v;
    };
    const auto a = lines(saved), b = lines(fingerprint_);
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      if (a[i] != b[i]) return "checkpoint " + a[i] + ", now " + b[i];
    return "the list of settings differs";
  }

  SearchOutcome outcome(int start) const {
    SearchOutcome o;
    o.baseline = state_.baseline;
    o.base_accuracy_percent = base_percent();
    o.target_accuracy_percent = target_percent();
    o.episodes = state_.records;
    o.resumed_from = start;
    if (state_.best >= 0) {
      const EpisodeRecord& b = state_.records[size_t(state_.best)];
      o.found = true;
      o.best_episode = b.episode;
      o.best_policy = b.policy;
      o.best_result = b.result;
      o.best_reward = b.reward;
      o.best_speedup = b.speedup;
    }
    return o;
  }

  PolicyEvaluator& evaluator_;
  std::string graph_name_;
  const SearchOptions& options_;
  const SearchConfig& config_;
  std::string dir_;
  QuantizationEnvironment env_;
  DdpgAgent agent_;
  std::string fingerprint_;
  SearchState state_;
};

}  // namespace

SearchOutcome run_search(const Graph& graph, PolicyEvaluator& evaluator, const SearchOptions& options) {
  return Search(graph, evaluator, options).run();
}

bool eligible(const EpisodeRecord& r, const SearchConfig& config) {
  return config.cost_target > 0 ? r.cost_ratio <= config.cost_target : r.meets_target;
}

std::vector<Policy> best_policies(const std::vector<EpisodeRecord>& episodes, const SearchConfig& config, size_t k) {
  std::vector<const EpisodeRecord*> ranked;
  for (const EpisodeRecord& r : episodes)
    if (eligible(r, config)) ranked.push_back(&r);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const EpisodeRecord* a, const EpisodeRecord* b) { return a->reward > b->reward; });
  std::vector<Policy> out;
  for (const EpisodeRecord* r : ranked) {
    if (out.size() == k) break;
    if (std::find(out.begin(), out.end(), r->policy) == out.end()) out.push_back(r->policy);
  }
  return out;
}

}  // namespace cimvp::rl
