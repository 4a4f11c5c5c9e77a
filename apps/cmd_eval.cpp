// cimvp eval: accuracy of a model on a dataset split in float, fake-quantized
// (what QAT trains) and integer-reference (what the VP computes) arithmetic.
// The quantized modes need a policy: --policy/--bits or the model file's own.
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "apps/command.h"
#include "common/error.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/train/trainer.h"
#include "platform/report.h"

namespace cimvp::cli {

int cmd_eval(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("model", po::value<std::string>()->required(), "model file, ONNX file or zoo name")
      ("dataset", po::value<std::string>()->required(), "fashion-mnist | mnist")
      ("split", po::value<std::string>()->default_value("test"), "test | validation | train | train-full")
      ("count", po::value<size_t>()->default_value(0), "evaluate only the first N images (0: the whole split)")
      ("policy", po::value<std::string>(), "policy YAML (default: the model's own)")
      ("bits", po::value<std::string>(), "uniform policy, e.g. w8a8")
      ("threads", po::value<int>()->default_value(2), "threads")
      ("report", po::value<std::string>(), "write the accuracies as JSON here")
      ("predictions", po::value<std::string>(),
       "write the predicted class of every image here, one per line (integer reference when quantized, else float)");
  po::variables_map vm;
  if (!parse("eval", "--model MODEL-FILE --dataset D [--split test] [--policy P | --bits wXaY] [--report R.json]",
             options, {}, args, vm))
    return 0;
  const std::string spec = vm["model"].as<std::string>();
  const ModelFile model = load_model_spec(spec);
  std::optional<std::string> policy_file, bits;
  if (vm.count("policy")) policy_file = vm["policy"].as<std::string>();
  if (vm.count("bits")) bits = vm["bits"].as<std::string>();
  std::optional<Policy> policy;
  if (policy_file || bits || model.has_policy()) policy = choose_policy(model, policy_file, bits);
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 64) throw Error("--threads must be in 1..64");

  const std::string dataset = vm["dataset"].as<std::string>();
  Dataset data = load_dataset(dataset, split_from_name(vm["split"].as<std::string>()));
  if (vm["count"].as<size_t>() > 0) data = data.head(vm["count"].as<size_t>());
  // Calibration images, only when the model has no scales for the policy.
  std::optional<Dataset> calibration;
  if (policy) calibration = calibration_images(model, *policy, dataset);
  if (calibration)
    std::printf("calibrating %s on the first %zu training images\n", policy->str().c_str(), calibration->size());

  std::printf("%s on %zu %s images of %s%s\n", model.graph.name.c_str(), data.size(), split_name(data.split),
              data.name.c_str(), policy ? (" at " + policy->str()).c_str() : " (float; no policy)");
  nlohmann::json report;
  report["model"] = spec;
  report["dataset"] = data.name;
  report["split"] = split_name(data.split);
  report["images"] = data.size();
  std::vector<EvalMode> modes = {EvalMode::Float};
  if (policy) modes.insert(modes.end(), {EvalMode::FakeQuant, EvalMode::Integer});
  std::vector<EvalResult> results;
  for (EvalMode mode : modes) {
    const EvalResult r = evaluate(model, data, mode, threads, policy, calibration ? &*calibration : nullptr);
    std::printf("  %-11s %6.2f %%  (%zu of %zu)", eval_mode_name(mode), 100 * r.accuracy, r.correct, r.images);
    if (r.loss >= 0) std::printf("  loss %.4f", r.loss);
    std::printf("  %.1f s\n", r.seconds);
    std::fflush(stdout);
    report["accuracies"][eval_mode_name(mode)] = r.accuracy;
    results.push_back(r);
  }
  report["accuracy"] = results.back().accuracy;  // the integer reference when quantized, else float
  report["accuracy_mode"] = eval_mode_name(modes.back());
  if (policy) {
    size_t differ = 0;
    for (size_t i = 0; i < data.size(); ++i) differ += results[1].predictions[i] != results[2].predictions[i];
    std::printf("  fake-quant vs integer reference: %zu of %zu predictions differ\n", differ, data.size());
    report["fake_quant_integer_prediction_differences"] = differ;
    report["policy"] = {{"weight_bits", policy->weight_bits}, {"activation_bits", policy->activation_bits}};
  }
  if (vm.count("report")) write_json_file(report, vm["report"].as<std::string>());
  if (vm.count("predictions")) write_predictions(results.back().predictions, vm["predictions"].as<std::string>());
  return 0;
}

}  // namespace cimvp::cli
