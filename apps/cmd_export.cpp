// cimvp export: a quantized model (model file with a policy and scales, e.g.
// from `cimvp train --bits w8a8`) as an ONNX QDQ model (nn/onnx_export.h,
// docs/onnx.md) that the ONNX checker accepts and `cimvp infer/eval` import
// back to the same integer network.
#include <cstdio>

#include "apps/command.h"
#include "common/error.h"
#include "nn/model_source.h"
#include "nn/onnx_export.h"

namespace cimvp::cli {

int cmd_export(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("model", po::value<std::string>()->required(), "quantized model file (with a policy and scales)")
      ("output,o", po::value<std::string>()->required(), "ONNX file to write");
  po::variables_map vm;
  if (!parse("export", "--model MODEL-FILE -o FILE.onnx", options, {}, args, vm)) return 0;
  const std::string spec = vm["model"].as<std::string>();
  const ModelFile model = load_model_spec(spec);
  if (!model.has_policy())
    throw Error(spec + ": a float model has no bit widths or scales to export as QDQ; train it with --bits or "
                "--policy first (cimvp train --from " + spec + " --bits w8a8 ...)");
  const std::string out = vm["output"].as<std::string>();
  export_onnx(model, out);
  std::printf("wrote %s (%s at %s, ONNX QDQ, opset 13)\n", out.c_str(), model.graph.name.c_str(),
              model.policy.str().c_str());
  return 0;
}

}  // namespace cimvp::cli
