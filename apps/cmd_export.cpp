// cimvp export: a quantized model as an ONNX QDQ model (nn/onnx_export.h,
// docs/onnx.md) that the ONNX checker accepts and `cimvp infer/eval` import
// back to the same integer network. The model is a model file with its own
// policy and scales (from `cimvp train --bits w8a8`), or any model with
// --policy/--bits, quantized the way every other command quantizes it.
#include <cstdio>

#include "apps/command.h"
#include "common/error.h"
#include "nn/model_source.h"
#include "nn/onnx_export.h"

namespace cimvp::cli {

int cmd_export(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("model", po::value<std::string>()->required(), "model file, ONNX file or zoo name")
      ("policy", po::value<std::string>(), "policy YAML (default: the model's own)")
      ("bits", po::value<std::string>(), "uniform policy, e.g. w8a8")
      ("dataset", po::value<std::string>(),
       "calibrate on this dataset's training images when the model carries no scales for the policy "
       "(default: the dataset the model file names)")
      ("output,o", po::value<std::string>()->required(), "ONNX file to write");
  po::variables_map vm;
  if (!parse("export", "--model MODEL [--policy P | --bits wXaY] [--dataset D] -o FILE.onnx", options, {}, args, vm))
    return 0;
  const std::string spec = vm["model"].as<std::string>();
  const ModelFile loaded = load_model_spec(spec);
  std::optional<std::string> policy_file, bits;
  if (vm.count("policy")) policy_file = vm["policy"].as<std::string>();
  if (vm.count("bits")) bits = vm["bits"].as<std::string>();
  if (!policy_file && !bits && !loaded.has_policy())
    throw Error(spec + ": a float model has no bit widths to export as QDQ: give --bits or --policy");
  const Policy policy = choose_policy(loaded, policy_file, bits);
  const std::optional<Dataset> calibration =
      calibration_images(loaded, policy, vm.count("dataset") ? vm["dataset"].as<std::string>() : "");
  const ModelFile model = with_scales(loaded, policy, calibration ? &*calibration : nullptr);
  const std::string out = vm["output"].as<std::string>();
  export_onnx(model, out);
  std::printf("wrote %s (%s at %s, ONNX QDQ, opset 13)\n", out.c_str(), model.graph.name.c_str(),
              model.policy.str().c_str());
  return 0;
}

}  // namespace cimvp::cli
