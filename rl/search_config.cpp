// Table-driven: every key has a kind, a range and a setter, so the parser,
// the "did you mean" suggestions and the fingerprint cannot disagree on the
// list of keys.
#include "rl/search_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/yaml_diagnostics.h"
#include "nn/dataset.h"
#include "nn/zoo.h"

namespace cimvp::rl {

const char* method_name(SearchMethod m) { return m == SearchMethod::Ddpg ? "ddpg" : "random"; }
std::optional<SearchMethod> method_from_name(const std::string& name) {
  for (SearchMethod m : {SearchMethod::Ddpg, SearchMethod::Random})
    if (name == method_name(m)) return m;
  return std::nullopt;
}
const char* latency_source_name(LatencySource l) { return l == LatencySource::Vp ? "vp" : "analytic"; }
const char* accuracy_source_name(AccuracySource a) {
  switch (a) {
    case AccuracySource::Reference: return "reference";
    case AccuracySource::Vp: return "vp";
    case AccuracySource::None: return "none";
  }
  return "?";
}
std::optional<AccuracySource> accuracy_source_from_name(const std::string& name) {
  for (AccuracySource a : {AccuracySource::Reference, AccuracySource::Vp, AccuracySource::None})
    if (name == accuracy_source_name(a)) return a;
  return std::nullopt;
}

std::optional<LatencySource> latency_source_from_name(const std::string& name) {
  for (LatencySource l : {LatencySource::Vp, LatencySource::Analytic})
    if (name == latency_source_name(l)) return l;
  return std::nullopt;
}

namespace {

namespace fs = std::filesystem;


enum class Kind { String, Path, Model, Int, Real, Bool, IntList, Choice };

struct KeyDef {
  std::string key;  // "episodes", "ddpg.tau"
  Kind kind;
  double min = 0, max = 0;                 // Int, Real, IntList entries: inclusive unless open_min
  bool open_min = false;                   // Real: min itself excluded
  std::vector<std::string> choices;        // Choice
  std::function<void(SearchConfig&, const std::string&)> set_text;  // String, Path, Model, Choice
  std::function<void(SearchConfig&, double)> set_number;            // Int, Real, Bool (0/1)
  std::function<void(SearchConfig&, const std::vector<int>&)> set_list;
  std::function<std::string(const SearchConfig&)> get;             // for the fingerprint
};

std::string num(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}
std::string list_str(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

#define TEXT(K, KIND, M) \
  KeyDef{K, KIND, 0, 0, false, {}, [](SearchConfig& c, const std::string& v) { c.M = v; }, {}, {}, [](const SearchConfig& c) { return c.M; }}
#define INT(K, LO, HI, M)                                                                       \
  KeyDef{K, Kind::Int, LO, HI, false, {}, {}, [](SearchConfig& c, double v) { c.M = decltype(c.M)(v); }, {}, \
         [](const SearchConfig& c) { return num(double(c.M)); }}
#define REAL(K, LO, HI, OPEN, M)                                                       \
  KeyDef{K, Kind::Real, LO, HI, OPEN, {}, {}, [](SearchConfig& c, double v) { c.M = v; }, {}, \
         [](const SearchConfig& c) { return num(c.M); }}
#define BOOL(K, M)                                                                     \
  KeyDef{K, Kind::Bool, 0, 1, false, {}, {}, [](SearchConfig& c, double v) { c.M = v != 0; }, {}, \
         [](const SearchConfig& c) { return std::string(c.M ? "true" : "false"); }}
#define LIST(K, LO, HI, M)                                                                        \
  KeyDef{K, Kind::IntList, LO, HI, false, {}, {}, {}, [](SearchConfig& c, const std::vector<int>& v) { c.M = v; }, \
         [](const SearchConfig& c) { return list_str(c.M); }}

const std::vector<KeyDef>& key_defs() {
  static const std::vector<KeyDef> defs = [] {
    const double big = 1e9;
    std::vector<KeyDef> d = {
        TEXT("model", Kind::Model, model),
        TEXT("dataset", Kind::String, dataset),
        TEXT("arch", Kind::Path, arch),
        TEXT("output", Kind::Path, output),
        KeyDef{"method", Kind::Choice, 0, 0, false, {"ddpg", "random"},
               [](SearchConfig& c, const std::string& v) { c.method = *method_from_name(v); },  // a listed choice
               {}, {}, [](const SearchConfig& c) { return std::string(method_name(c.method)); }},
        INT("episodes", 1, big, episodes),
        INT("warmup", 0, big, warmup),
        INT("seed", 0, 9007199254740992.0, seed),  // 2^53: exact in a double
        REAL("accuracy_budget", 0, 100, false, accuracy_budget),
        INT("min_bits", 1, 8, min_bits),
        INT("max_bits", 1, 8, max_bits),
        BOOL("nonnegative_input", nonnegative_input),
        BOOL("constraints.first_last_w8a8", first_last_w8a8),
        BOOL("constraints.weight_multiple_of_cell_bits", weight_multiple_of_cell_bits),
        KeyDef{"latency", Kind::Choice, 0, 0, false, {"vp", "analytic"},
               [](SearchConfig& c, const std::string& v) { c.latency = *latency_source_from_name(v); },  // a listed choice
               {}, {}, [](const SearchConfig& c) { return std::string(latency_source_name(c.latency)); }},
        KeyDef{"objective", Kind::Choice, 0, 0, false, {"latency", "energy", "mix"},
               [](SearchConfig& c, const std::string& v) { c.cost.objective = objective_from_name(v); },
               {}, {}, [](const SearchConfig& c) { return std::string(objective_name(c.cost.objective)); }},
        REAL("latency_weight", 0, 1, false, cost.latency_weight),
        REAL("reward.miss_penalty", 0, 1e6, false, miss_penalty),
        REAL("cost_target", 0, 1, false, cost_target),
        INT("finetune.batches", 0, big, finetune.batches),
        REAL("finetune.lr", 0, 10, true, finetune.lr),
        INT("validation.images", 1, big, validation_images),
        KeyDef{"accuracy", Kind::Choice, 0, 0, false, {"reference", "vp", "none"},
               [](SearchConfig& c, const std::string& v) { c.accuracy = *accuracy_source_from_name(v); },  // a listed choice
               {}, {}, [](const SearchConfig& c) { return std::string(accuracy_source_name(c.accuracy)); }},
        INT("accuracy_seeds", 1, 1000, accuracy_seeds),
        INT("final.epochs", 0, 1000, final_finetune.epochs),
        REAL("final.lr", 0, 10, true, final_finetune.lr),
        INT("final.train_images", 0, big, final_finetune.train_images),
        INT("final.candidates", 1, 100, final_finetune.candidates),
        REAL("final.distill_weight", 0, 1, false, final_finetune.distill_weight),
        REAL("final.distill_temperature", 0, 100, true, final_finetune.distill_temperature),
        INT("final.vp_images", 0, big, final_finetune.vp_images),
        INT("final.vp_seeds", 1, 1000, final_finetune.vp_seeds),
        BOOL("baselines", baselines),
        LIST("ddpg.actor_hidden", 1, 4096, ddpg.actor_hidden),
        LIST("ddpg.critic_hidden", 1, 4096, ddpg.critic_hidden),
        REAL("ddpg.actor_lr", 0, 1, true, ddpg.actor_lr),
        REAL("ddpg.critic_lr", 0, 1, true, ddpg.critic_lr),
        REAL("ddpg.tau", 0, 1, true, ddpg.tau),
        INT("ddpg.batch", 1, 65536, ddpg.batch),
        INT("ddpg.replay_per_layer", 1, 1e6, ddpg.replay_per_layer),
        REAL("ddpg.sigma", 0, 10, false, ddpg.sigma),
        REAL("ddpg.sigma_decay", 0, 1, true, ddpg.sigma_decay),
        REAL("ddpg.sigma_min", 0, 10, false, ddpg.sigma_min),
        REAL("ddpg.discount", 0, 1, false, ddpg.discount),
        REAL("ddpg.moving_average_alpha", 0, 1, true, ddpg.moving_average_alpha),
        INT("ddpg.updates_per_step", 1, 1000, ddpg.updates_per_step),
    };
    return d;
  }();
  return defs;
}

const KeyDef* find_key(const std::string& key) {
  for (const KeyDef& d : key_defs())
    if (d.key == key) return &d;
  return nullptr;
}

bool is_section(const std::string& name) {
  for (const KeyDef& d : key_defs())
    if (section_of(d.key) == name) return true;
  return false;
}

std::string suggestion(const std::string& key) {
  std::string best;
  size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
  std::set<std::string> candidates;
  for (const KeyDef& d : key_defs()) {
    candidates.insert(d.key);
    if (!section_of(d.key).empty()) candidates.insert(section_of(d.key));
  }
  for (const std::string& c : candidates) {
    const size_t dist = edit_distance(key, c);
    if (dist < best_d) best_d = dist, best = c;
  }
  if (best.empty())  // the right leaf in the wrong place: "ddpg.seed", "tau"
    for (const KeyDef& d : key_defs())
      if (leaf_of(d.key) == leaf_of(key)) {
        best = d.key;
        break;
      }
  if (best.empty()) return " (docs/search.md lists every key)";
  return " (did you mean '" + best + "'?)";
}

std::string range_text(const KeyDef& d) {
  if (d.kind == Kind::Real && d.open_min) return "(" + num(d.min) + ", " + num(d.max) + "]";
  return num(d.min) + ".." + num(d.max);
}

bool parse_int(const std::string& text, long long& out) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  const auto r = std::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e && b != e;
}

bool parse_real(const std::string& text, double& out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() && std::isfinite(out);
}

class Reader {
 public:
  Reader(SearchConfig& c, std::string source, std::string base) : c_(c), source_(std::move(source)), base_(std::move(base)) {}

  void read_map(const YAML::Node& map, const std::string& prefix) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      if (!k.IsScalar()) throw Error(yaml_position(source_, k.Mark()) + ": a key must be a plain name");
      const std::string key = prefix + k.Scalar();
      const auto [seen, fresh] = marks_.emplace(key, k.Mark());
      if (!fresh)
        throw Error(yaml_position(source_, k.Mark()) + ": '" + key + "' is given twice (first at line " +
                    std::to_string(seen->second.line + 1) + ")");
      if (const KeyDef* d = find_key(key)) {
        set(*d, v, k.Mark());
      } else if (prefix.empty() && is_section(key)) {
        if (v.IsMap()) read_map(v, key + ".");
        else if (!v.IsNull())
          throw Error(yaml_position(source_, v.Mark()) + ": '" + key + "' is a section, write e.g. '" + key +
                      ": {" + first_leaf(key) + ": ...}'");
      } else {
        throw Error(yaml_position(source_, k.Mark()) + ": unknown key '" + key + "'" + suggestion(key));
      }
    }
  }

  std::string where(const std::string& key) const {
    const auto it = marks_.find(key);
    return it == marks_.end() ? source_ : yaml_position(source_, it->second);
  }
  bool given(const std::string& key) const { return marks_.count(key) != 0; }

 private:
  static std::string first_leaf(const std::string& section) {
    for (const KeyDef& d : key_defs())
      if (section_of(d.key) == section) return leaf_of(d.key);
    return "";
  }

  std::string resolve(const std::string& path) const {
    if (path.empty() || base_.empty() || fs::path(path).is_absolute()) return path;
    return (fs::path(base_) / path).lexically_normal().string();
  }

  void set(const KeyDef& d, const YAML::Node& v, const YAML::Mark& key_mark) {
    const std::string at = yaml_position(source_, v.IsNull() ? key_mark : v.Mark());
    const std::string name = "'" + d.key + "'";
    if (d.kind == Kind::IntList) {
      if (!v.IsSequence() || v.size() == 0)
        throw Error(at + ": " + name + " must be a non-empty list of integers, e.g. [300, 300]");
      std::vector<int> out;
      for (size_t i = 0; i < v.size(); ++i) {
        const YAML::Node e = v[i];
        long long x;
        if (!e.IsScalar() || !parse_int(e.Scalar(), x))
          throw Error(yaml_position(source_, e.Mark()) + ": " + d.key + "[" + std::to_string(i) + "] must be an integer");
        if (x < d.min || x > d.max)
          throw Error(yaml_position(source_, e.Mark()) + ": " + d.key + "[" + std::to_string(i) + "] = " + e.Scalar() +
                      " is out of range " + range_text(d));
        out.push_back(int(x));
      }
      d.set_list(c_, out);
      return;
    }
    if (!v.IsScalar()) throw Error(at + ": " + name + " needs a single value");
    const std::string text = v.Scalar();
    switch (d.kind) {
      case Kind::String:
        d.set_text(c_, text);
        return;
      case Kind::Path:
        if (text.empty()) throw Error(at + ": " + name + " must not be empty");
        d.set_text(c_, resolve(text));
        return;
      case Kind::Model:  // a zoo name stays a name; anything else is a file
        if (text.empty()) throw Error(at + ": " + name + " must not be empty");
        d.set_text(c_, is_zoo_model(text) ? text : resolve(text));
        return;
      case Kind::Choice: {
        if (std::find(d.choices.begin(), d.choices.end(), text) == d.choices.end()) {
          std::string list;
          for (const auto& c : d.choices) list += (list.empty() ? "" : ", ") + c;
          throw Error(at + ": " + name + " must be one of " + list + ", got '" + text + "'");
        }
        d.set_text(c_, text);
        return;
      }
      case Kind::Bool: {
        bool b;
        if (!YAML::convert<bool>::decode(v, b)) throw Error(at + ": " + name + " must be true or false, got '" + text + "'");
        d.set_number(c_, b ? 1 : 0);
        return;
      }
      case Kind::Int: {
        long long x;
        if (!parse_int(text, x)) throw Error(at + ": " + name + " must be an integer, got '" + text + "'");
        if (double(x) < d.min || double(x) > d.max)
          throw Error(at + ": " + name + " = " + text + " is out of range " + range_text(d));
        d.set_number(c_, double(x));
        return;
      }
      case Kind::Real: {
        double x;
        if (!parse_real(text, x)) throw Error(at + ": " + name + " must be a number, got '" + text + "'");
        if (x < d.min || x > d.max || (d.open_min && x == d.min))
          throw Error(at + ": " + name + " = " + text + " is out of range " + range_text(d));
        d.set_number(c_, x);
        return;
      }
      case Kind::IntList: break;
    }
  }

  SearchConfig& c_;
  std::string source_, base_;
  std::map<std::string, YAML::Mark> marks_;
};

// accuracy: none is HAQ's resource-constrained search without an accuracy:
// the cost target is what every policy is held to, so it must be set, and a
// key that only says how to measure accuracy would silently do nothing.
void check_accuracy_free(const SearchConfig& c, const Reader& r) {
  if (!(c.cost_target > 0))
    throw Error(r.where("accuracy") + ": 'accuracy: none' needs 'cost_target' > 0: without an accuracy the search "
                "can only hold every policy to a cost target and keep the most precise one (HAQ's "
                "resource-constrained mode), e.g. 'cost_target: 0.5' for 2x fewer cycles than W8A8");
  for (const KeyDef& d : key_defs()) {
    const std::string& k = d.key;
    const bool measures_accuracy = k == "dataset" || k == "nonnegative_input" || k == "validation.images" ||
                                   k == "accuracy_seeds" || k.rfind("finetune.", 0) == 0 || k.rfind("final.", 0) == 0;
    if (measures_accuracy && r.given(k))
      throw Error(r.where(k) + ": '" + k + "' says how the accuracy is measured, and 'accuracy: none' measures "
                  "none: remove it, or measure the accuracy ('accuracy: reference')");
  }
}

}  // namespace

SearchConfig parse_search_config(const std::string& text, const std::string& source, const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(yaml_position(source, e.mark) + ": " + e.msg);
  }
  if (!root.IsMap()) throw Error(source + ": a search definition must be a mapping of keys (model: ..., episodes: ...)");
  SearchConfig c;
  c.source = source;
  Reader r(c, source, base_dir);
  r.read_map(root, "");
  if (c.model.empty()) throw Error(source + ": missing key 'model' (a zoo name or a model file)");
  if (c.min_bits > c.max_bits)
    throw Error(r.where(r.given("min_bits") ? "min_bits" : "max_bits") + ": min_bits (" + std::to_string(c.min_bits) +
                ") is greater than max_bits (" + std::to_string(c.max_bits) + ")");
  if (c.warmup > c.episodes)
    throw Error(r.where("warmup") + ": 'warmup' = " + std::to_string(c.warmup) + " exceeds 'episodes' = " +
                std::to_string(c.episodes));
  if (!c.dataset.empty()) {
    const auto names = dataset_names();
    if (std::find(names.begin(), names.end(), c.dataset) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw Error(r.where("dataset") + ": 'dataset' must be one of " + list + ", got '" + c.dataset + "'");
    }
  }
  if (r.given("latency_weight") && c.cost.objective != Objective::Mix)
    throw Error(r.where("latency_weight") + ": 'latency_weight' applies only to 'objective: mix'");
  if (c.accuracy == AccuracySource::None) check_accuracy_free(c, r);
  return c;
}

SearchConfig load_search_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the search definition");
  std::ostringstream text;
  text << in.rdbuf();
  const fs::path parent = fs::path(path).parent_path();
  return parse_search_config(text.str(), path, parent.empty() ? "." : parent.string());
}

std::string fingerprint(const SearchConfig& c) {
  std::string s;
  for (const KeyDef& d : key_defs())
    // Not what the episodes compute: the budget, the folder, and what runs after the search.
    if (d.key != "episodes" && d.key != "output" && d.key != "baselines" && d.key.rfind("final.", 0) != 0)
      s += d.key + "=" + d.get(c) + "\n";
  return s;
}

}  // namespace cimvp::rl
