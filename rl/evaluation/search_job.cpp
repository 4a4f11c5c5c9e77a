#include "rl/evaluation/search_job.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include "common/digest.h"
#include "common/error.h"
#include "common/provenance.h"
#include "common/seconds_since.h"
#include "common/version.h"
#include "flow/pipeline.h"
#include "models/crossbar.h"
#include "nn/model_source.h"
#include "nn/zoo.h"
#include "nn/train/trainer.h"
#include "common/atomic_file.h"
#include "rl/evaluation/latency_only_summary.h"
#include "rl/evaluation/network_evaluator.h"
#include "rl/precision_proxy.h"

namespace cimvp::rl {

namespace {

namespace fs = std::filesystem;

nlohmann::json bits_json(const Policy& p) {
  return {{"weight_bits", p.weight_bits}, {"activation_bits", p.activation_bits}};
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  try {
    return nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    throw Error(path + ": not a result this job wrote (" + e.what() + "); delete it to redo that step");
  }
}

// The finals' name of the search's k-th best policy (1-based) when several
// are fine-tuned, and whether a final is one of them.
std::string candidate_name(size_t k) { return "candidate-" + std::to_string(k); }
bool is_candidate(const std::string& name) { return name.rfind("candidate-", 0) == 0; }

// What the job needs from its settings, checked before anything runs.
void check_settings(const SearchConfig& c) {
  if (c.arch.empty()) throw Error(c.source + ": arch: the search needs an architecture file");
  if (c.accuracy == AccuracySource::None && !(c.cost_target > 0))  // parse_search_config says where
    throw Error(c.source + ": accuracy: none needs a cost_target > 0 (a latency-only search holds every policy to it)");
  if (c.dataset.empty() && c.accuracy != AccuracySource::None)
    throw Error(c.source + ": dataset: the search needs a dataset to measure accuracy on (or, for a latency-only "
                "search of a network without one, 'accuracy: none' with a 'cost_target')");
}

// Settings that make a search other than it looks, said before it starts and
// kept in the summary.
std::vector<std::string> warnings_for(const SearchConfig& c) {
  std::vector<std::string> w;
  if (c.method == SearchMethod::Ddpg && c.episodes <= c.warmup)
    w.push_back("the " + std::to_string(c.episodes) + " episodes do not exceed the " + std::to_string(c.warmup) +
                " warm-up episodes: every action is random and DDPG never chooses one (raise episodes or lower "
                "warmup)");
  return w;
}

// "prefix.key=value" lines of a nested JSON object, keys in order.
void flatten(const nlohmann::json& j, const std::string& prefix, std::string& out) {
  for (const auto& [key, value] : j.items()) {
    if (value.is_object())
      flatten(value, prefix + key + ".", out);
    else
      out += prefix + key + "=" + value.dump() + "\n";
  }
}

// What the episodes are computed from beyond the settings
// (SearchOptions::inputs): the model file's and the training files'
// contents, every architecture parameter, the cimvp version. The test split
// is not among them: the search never reads it.
std::string search_inputs(const SearchConfig& c, const ArchConfig& arch) {
  std::string s = "cimvp.version=" + std::string(version()) + "\n";
  s += is_zoo_model(c.model) ? "model.zoo=" + c.model + "\n" : "model.contents=" + file_digest(c.model) + "\n";
  if (!c.dataset.empty()) {  // none with accuracy: none
    const DatasetFiles train = dataset_files(c.dataset, Split::Train);
    for (const std::string& file : {train.images, train.labels})
      s += "dataset." + fs::path(file).filename().string() + "=" + file_digest(file) + "\n";
  }
  flatten(architecture_json(arch), "arch.", s);
  return s;
}

nlohmann::json final_settings_json(const FinalSettings& fin) {
  return {{"epochs", fin.epochs},
          {"lr", fin.lr},
          {"train_images", fin.train_images},
          {"candidates", fin.candidates},
          {"distill_weight", fin.distill_weight},
          {"distill_temperature", fin.distill_temperature},
          {"vp_images", fin.vp_images},
          {"vp_seeds", fin.vp_seeds}};
}

// Why a final on disk cannot be reused for `settings` ("" when it can).
std::string why_redo(const nlohmann::json& stored, const nlohmann::json& settings) {
  if (!stored.contains("settings")) return "it records no settings";
  const nlohmann::json& old = stored.at("settings");
  for (const auto& [key, value] : settings.items())
    if (!old.contains(key) || old.at(key) != value)
      return "its " + key + " changed (was " + (old.contains(key) ? old.at(key).dump() : "none") + ", now " +
             value.dump() + ")";
  return "";
}

}  // namespace

double best_speedup_within(const std::vector<EpisodeRecord>& episodes, double base_percent, double drop_points) {
  double best = 0;
  for (const EpisodeRecord& e : episodes)
    if (100 * e.result.accuracy >= base_percent - drop_points - 1e-9) best = std::max(best, e.speedup);
  return best;
}

nlohmann::json run_search_job(const SearchJobOptions& options) {
  const SearchConfig& config = options.config;
  check_settings(config);
  const std::string out = options.output.empty() ? config.output : options.output;
  if (out.empty()) throw Error(config.source + ": output: give an output folder (-o DIR)");
  const auto message = [&](const std::string& m) { if (options.message) options.message(m); };
  if (!options.resume && !options.force && fs::is_directory(out) && !fs::is_empty(out))
    throw Error(out + ": the output folder holds files: give --resume to continue the search in it, or --force "
                "to start afresh (its search files are replaced)");

  const ArchConfig arch = load_arch_config(config.arch);
  const std::vector<std::string> warnings = warnings_for(config);
  for (const std::string& w : warnings) message("warning: " + w);
  const std::string inputs = search_inputs(config, arch);
  // A latency-only search (accuracy: none) needs the model's structure alone:
  // no weights are decoded, no dataset is read, and the precision proxy
  // stands in for the accuracy.
  const bool latency_only = config.accuracy == AccuracySource::None;
  std::unique_ptr<AccuracyModel> accuracy_model;  // none in a latency-only search
  ModelFile structure;
  if (latency_only) {
    structure = load_model_structure(config.model);
  } else {
    accuracy_model = std::make_unique<AccuracyModel>(load_model_spec(config.model), config.dataset,
                                                     config.validation_images, config.finetune, options.threads,
                                                     config.nonnegative_input);
  }
  if (config.accuracy == AccuracySource::Vp) {
    accuracy_model->measure_on_vp(arch, config.accuracy_seeds);
    if (crossbars_are_exact(arch))
      message("warning: accuracy: vp on " + config.arch + ", whose crossbars are exact: the VP computes what the "
              "integer reference does, only slower (accuracy: reference)");
  }
  // What every evaluator and fine-tune starts from.
  const ModelFile& model = latency_only ? structure : accuracy_model->model();
  VpLatency vp(arch);  // the one SoC of this process
  auto evaluator = [&](LatencySource s, VpLatency* v) {
    return latency_only ? NetworkEvaluator(s, v, model, arch) : NetworkEvaluator(s, v, model, arch, *accuracy_model);
  };
  NetworkEvaluator vp_evaluator = evaluator(LatencySource::Vp, &vp);
  NetworkEvaluator analytic_evaluator = evaluator(LatencySource::Analytic, nullptr);
  auto evaluator_for = [&](LatencySource s) -> NetworkEvaluator& {
    return s == LatencySource::Vp ? vp_evaluator : analytic_evaluator;
  };

  if (options.force)
    for (const char* sub : {"random", "analytic", "final", "summary.json"}) fs::remove_all(fs::path(out) / sub);

  auto search = [&](const std::string& phase, SearchConfig c, const std::string& folder) {
    SearchOptions so;
    so.config = c;
    so.output = folder;
    so.cell_bits = arch.crossbar.cell_bits;
    so.inputs = inputs;
    so.resume = options.resume;
    so.force = options.force;
    so.durable = options.durable;
    so.threads = options.threads;
    so.progress = [&](const SearchProgress& p) { if (options.progress) options.progress(phase, p); };
    message(phase + " search: " + std::to_string(c.episodes) + " episodes (" + method_name(c.method) + ", " +
            latency_source_name(c.latency) + " latency) into " + folder);
    return run_search(model.graph, evaluator_for(c.latency), so);
  };

  const auto t0 = std::chrono::steady_clock::now();
  const SearchOutcome main = search("search", config, out);
  std::optional<SearchOutcome> random, analytic;
  if (config.baselines) {
    if (config.method == SearchMethod::Ddpg) {
      SearchConfig c = config;
      c.method = SearchMethod::Random;
      random = search("random", c, (fs::path(out) / "random").string());
    }
    if (config.latency == LatencySource::Vp) {
      SearchConfig c = config;
      c.latency = LatencySource::Analytic;
      analytic = search("analytic", c, (fs::path(out) / "analytic").string());
    }
  }
  const double search_seconds = seconds_since(t0);
  if (options.search_only) {
    nlohmann::json j{{"search_only", true}, {"found", main.found}, {"warnings", warnings}};
    if (main.found) {
      j.update({{"best_episode", main.best_episode},
                {"best_reward", main.best_reward},
                {"best_speedup", main.best_speedup},
                {"best_validation_accuracy", main.best_result.accuracy}});
      if (latency_only) j["best_effective_bits"] = effective_bits(main.best_policy);
    }
    return j;
  }
  if (latency_only) {  // no fine-tunes and no test set: every policy's VP cost and precision proxy
    LatencyOnlyRun run{config, arch, model.graph.quantizable_layers().size(), main, random, analytic, warnings,
                       search_seconds};
    nlohmann::json s = latency_only_summary(run, vp_evaluator);
    write_file_atomically((fs::path(out) / "summary.json").string(), s.dump(2) + "\n", options.durable);
    return s;
  }

  // The proper fine-tune and test-set accuracy of each policy worth reporting.
  const size_t layers = model.graph.quantizable_layers().size();
  const FinalSettings& fin = config.final_finetune;
  std::vector<std::pair<std::string, Policy>> finals;
  // With several candidates, each is fine-tuned as "candidate-K" and the
  // most accurate on the whole validation split becomes "policy" (the
  // search ranked them on 2,000 images after a short fine-tune, within its
  // noise).
  const std::vector<Policy> candidates =
      main.found ? best_policies(main.episodes, config, size_t(fin.candidates)) : std::vector<Policy>{};
  if (candidates.size() == 1) finals.emplace_back("policy", candidates[0]);
  if (candidates.size() > 1)
    for (size_t k = 0; k < candidates.size(); ++k)
      finals.emplace_back(candidate_name(k + 1), candidates[k]);
  finals.emplace_back("w8a8", uniform_policy(layers, 8, 8));  // the accuracy the policy is judged against
  if (config.baselines) {
    finals.emplace_back("w4a8", uniform_policy(layers, 4, 8));
    finals.emplace_back("w4a4", uniform_policy(layers, 4, 4));
    if (random && random->found) finals.emplace_back("random", random->best_policy);
    if (analytic && analytic->found) finals.emplace_back("analytic", analytic->best_policy);
  }
  // The test split is read here, once, after every search has finished.
  AccuracyModel& accuracy = *accuracy_model;
  const Dataset test = load_dataset(config.dataset, Split::Test);
  const DatasetFiles test_paths = dataset_files(config.dataset, Split::Test);
  nlohmann::json test_files;
  for (const std::string& file : {test_paths.images, test_paths.labels})
    test_files[fs::path(file).filename().string()] = file_digest(file);
  const Dataset validation = candidates.size() > 1 ? load_dataset(config.dataset, Split::Validation) : Dataset{};
  FinetuneRun run;
  run.images = size_t(fin.train_images);
  run.epochs = fin.epochs;
  run.lr = fin.lr;
  if (fin.distill_weight > 0) {
    run.teacher = std::make_shared<const ModelFile>(model);
    run.distill_weight = fin.distill_weight;
    run.distill_temperature = fin.distill_temperature;
  }
  fs::create_directories(fs::path(out) / "final");
  std::map<std::string, nlohmann::json> results;
  for (const auto& [name, policy] : finals) {
    const std::string stem = (fs::path(out) / "final" / name).string();
    // What the final's numbers depend on beyond the search: a resumed job
    // redoes a final whose policy, fine-tune settings or test data differ.
    const nlohmann::json settings{
        {"policy", bits_json(policy)},
        {"final_finetune", final_settings_json(fin)},
        {"accuracy", accuracy_source_name(config.accuracy)},
        {"test_data", test_files}};
    if (options.resume && fs::exists(stem + ".json")) {
      nlohmann::json stored = read_json(stem + ".json");
      const std::string why = why_redo(stored, settings);
      if (why.empty()) {
        results[name] = std::move(stored);
        continue;
      }
      message("redoing final " + name + ": " + why);
    }
    message("fine-tuning " + name + " (" + std::to_string(fin.epochs) + " epoch(s)" +
            (run.teacher ? ", distilled from the float model" : "") + ") and testing it");
    const auto f0 = std::chrono::steady_clock::now();
    ModelFile tuned = fin.epochs > 0 ? finetune(model, accuracy.training_images(), config.dataset, policy, run,
                                                options.threads, &accuracy.activations())
                                     : with_scales(model, policy, &accuracy.training_images());
    tuned.metadata["search.final"] = name;
    const double test_accuracy = evaluate(tuned, test, EvalMode::Integer, options.threads).accuracy;
    nlohmann::json j = bits_json(policy);
    if (config.accuracy == AccuracySource::Vp) {  // the same test images on the noisy VP
      const size_t count = fin.vp_images > 0 ? std::min(size_t(fin.vp_images), test.size()) : test.size();
      const std::vector<double> a = accuracy.vp_accuracies(tuned, policy, test, count, fin.vp_seeds);
      const flow::AccuracySpread spread = flow::accuracy_spread(a);
      j["test_accuracy_vp"] = spread.mean;
      j["test_accuracy_vp_std_dev"] = spread.std_dev;
      j["test_accuracy_vp_per_seed"] = a;
      j["test_images_vp"] = count;
    }
    const PolicyResult measured = vp_evaluator.evaluate(policy);  // cached when a search met this policy
    save_model_file(tuned, stem + ".cimvp");
    j["test_accuracy"] = test_accuracy;
    j["validation_accuracy_in_search"] = measured.accuracy;
    j["latency_seconds"] = measured.latency_seconds;
    j["cycles"] = measured.cycles;
    j["energy_joules"] = measured.energy_joules;
    j["placement"] = measured.placement;
    if (is_candidate(name))
      j["validation_accuracy"] = evaluate(tuned, validation, EvalMode::Integer, options.threads).accuracy;
    j["model_file"] = name + ".cimvp";
    j["settings"] = settings;
    j["seconds"] = seconds_since(f0);
    write_file_atomically(stem + ".json", j.dump(2) + "\n", options.durable);
    results[name] = j;
  }
  if (candidates.size() > 1) {  // the most accurate on validation; the earlier candidate on ties
    std::string chosen = candidate_name(1);
    for (size_t k = 2; k <= candidates.size(); ++k) {
      const std::string name = candidate_name(k);
      if (results[name].at("validation_accuracy").get<double>() >
          results[chosen].at("validation_accuracy").get<double>())
        chosen = name;
    }
    nlohmann::json j = results[chosen];
    j["chosen_from"] = chosen;
    j["model_file"] = "policy.cimvp";
    const fs::path dir = fs::path(out) / "final";
    fs::copy_file(dir / (chosen + ".cimvp"), dir / "policy.cimvp", fs::copy_options::overwrite_existing);
    write_file_atomically((dir / "policy.json").string(), j.dump(2) + "\n", options.durable);
    results["policy"] = j;
  }

  // The summary: speedups in VP latency and accuracy drops, both against
  // this run's uniform W8A8 final (fine-tuned and tested the same way).
  const double w8a8_seconds = results.at("w8a8").at("latency_seconds").get<double>();
  const double w8a8_accuracy = results.at("w8a8").at("test_accuracy").get<double>();
  auto with_speedup = [&](nlohmann::json j) {
    j["speedup"] = w8a8_seconds / j.at("latency_seconds").get<double>();
    j["accuracy_drop_points"] = 100 * (w8a8_accuracy - j.at("test_accuracy").get<double>());
    if (j.contains("test_accuracy_vp"))
      j["vp_accuracy_drop_points"] =
          100 * (results.at("w8a8").at("test_accuracy_vp").get<double>() - j.at("test_accuracy_vp").get<double>());
    return j;
  };
  nlohmann::json s;
  s["cimvp"] = provenance_json();
  s["warnings"] = warnings;
  s["model"] = config.model;
  s["dataset"] = config.dataset;
  s["arch"] = config.arch;
  s["method"] = method_name(config.method);
  s["latency"] = latency_source_name(config.latency);
  s["accuracy"] = accuracy_source_name(config.accuracy);
  s["episodes"] = config.episodes;
  s["accuracy_budget_points"] = config.accuracy_budget;
  s["cost_target"] = config.cost_target;  // 0: reward mode; else the cost ratio every policy was lowered to
  s["nonnegative_input"] = config.nonnegative_input;
  s["constraints"] = {{"first_last_w8a8", config.first_last_w8a8},
                      {"weight_multiple_of_cell_bits", config.weight_multiple_of_cell_bits}};
  s["final_finetune"] = final_settings_json(fin);
  s["found"] = main.found;
  s["w8a8_latency_seconds"] = w8a8_seconds;
  s["accuracy_w8a8"] = w8a8_accuracy;
  if (main.found) {
    const nlohmann::json p = with_speedup(results["policy"]);
    s["speedup"] = p.at("speedup");
    s["accuracy_policy"] = p.at("test_accuracy");
    s["accuracy_drop_points"] = p.at("accuracy_drop_points");
    // The goal: the budget against this run's W8A8 final (the search itself
    // judged its episodes against W8A8 on the validation proxy), in the
    // accuracy the search optimized: on the noisy VP with accuracy: vp.
    const bool on_vp = config.accuracy == AccuracySource::Vp && p.contains("vp_accuracy_drop_points");
    if (on_vp) {
      s["accuracy_policy_vp"] = p.at("test_accuracy_vp");
      s["accuracy_w8a8_vp"] = results.at("w8a8").at("test_accuracy_vp");
      s["vp_accuracy_drop_points"] = p.at("vp_accuracy_drop_points");
    }
    s["budget_judged_on"] = on_vp ? "test_accuracy_vp" : "test_accuracy";
    s["within_accuracy_budget"] =
        p.at(on_vp ? "vp_accuracy_drop_points" : "accuracy_drop_points").get<double>() <= config.accuracy_budget + 1e-9;
    s["policy"] = p;
  }
  // What the search saw (validation accuracy, before the final fine-tune).
  nlohmann::json during;
  during["base_validation_accuracy"] = main.base_accuracy_percent / 100;
  during["best_episode"] = main.best_episode;
  during["best_speedup"] = main.best_speedup;
  for (const double d : {0.1, 0.5, 1.0}) {
    char key[16];
    std::snprintf(key, sizeof key, "%.1f", d);
    during["best_speedup_within_points"][key] = best_speedup_within(main.episodes, main.base_accuracy_percent, d);
  }
  s["search"] = during;
  for (const auto& [name, j] : results)
    if (name != "policy" && !is_candidate(name)) s["baselines"][name] = with_speedup(j);
  if (candidates.size() > 1)
    for (size_t k = 1; k <= candidates.size(); ++k)
      s["candidates"].push_back(with_speedup(results.at(candidate_name(k))));
  const EvaluatorTimes t = vp_evaluator.times();
  s["seconds"] = {{"searches", search_seconds}, {"finetune_during_search", t.finetune},
                  {"accuracy_during_search", t.accuracy}, {"compile", t.compile}, {"vp", t.vp}};
  s["evaluations"] = {{"policies", t.evaluations}, {"cache_hits", t.cache_hits}};
  s["architecture"] = architecture_json(arch);
  write_file_atomically((fs::path(out) / "summary.json").string(), s.dump(2) + "\n", options.durable);
  return s;
}

}  // namespace cimvp::rl
