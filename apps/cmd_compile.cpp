#include <iostream>
#include <optional>

#include "apps/command.h"
#include "nn/model_source.h"
#include "common/error.h"
#include "compiler/explain.h"
#include "config/arch_config.h"
#include "flow/build.h"

namespace cimvp::cli {

namespace {
std::optional<std::string> opt(const po::variables_map& vm, const char* key) {
  if (!vm.count(key)) return std::nullopt;
  return vm[key].as<std::string>();
}
}  // namespace

int cmd_compile(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "architecture YAML")
      ("model", po::value<std::string>()->required(), "zoo name (cimvp models), model file or ONNX file")
      ("policy", po::value<std::string>(), "policy YAML: weight_bits and activation_bits per layer")
      ("bits", po::value<std::string>(), "uniform policy, e.g. w8a8")
      ("output,o", po::value<std::string>()->required(), "firmware image to write")
      ("timing-only", "leave the weights out of the image (timing-mode runs only)")
      ("cores", po::value<int>()->default_value(0), "use at most this many cores (0: all)")
      ("placement", po::value<std::string>()->default_value("auto"),
       "where weights live: resident (programmed once, every layer on crossbars of its own), per-layer "
       "(every layer reprograms the whole chip), mixed (the layers whose programming costs most resident, "
       "the others per-layer on the crossbars left) or auto (resident when the weights fit, else mixed when "
       "estimated faster than per-layer)")
      ("seed", po::value<uint64_t>()->default_value(1), "seed of a zoo model's random weights")
      ("dataset", po::value<std::string>(),
       "calibrate a trained model on this dataset's training images when it carries no scales for the policy "
       "(default: the dataset the model file names)")
      ("explain", "print the mapping of every layer");
  po::variables_map vm;
  if (!parse("compile", "--arch ARCH.yaml --model MODEL (--policy P.yaml | --bits wXaY) -o IMAGE [--timing-only] [--placement P] [--explain]",
             options, {}, args, vm))
    return 0;
  const ArchConfig arch = load_arch_config(vm["arch"].as<std::string>());
  const bool timing_only = vm.count("timing-only") > 0;
  // A timing-only image needs no weights: they are stripped whatever the source.
  const std::string spec = vm["model"].as<std::string>();
  const ModelFile model = timing_only ? load_model_structure(spec) : load_model_spec(spec, vm["seed"].as<uint64_t>());
  const Policy policy = choose_policy(model, opt(vm, "policy"), opt(vm, "bits"));
  flow::BuildOptions build_options;
  build_options.compile.timing_only = timing_only;
  build_options.compile.max_cores = vm["cores"].as<int>();
  build_options.compile.placement = parse_placement(vm["placement"].as<std::string>());
  build_options.dataset = opt(vm, "dataset").value_or("");
  const flow::Build built = flow::build(model, policy, arch, build_options);
  const CompileResult& result = built.compiled;
  write_image_file(result.image, vm["output"].as<std::string>());
  if (vm.count("explain")) std::cout << explain(result, arch);
  std::cout << "wrote " << vm["output"].as<std::string>() << ": " << built.network.name << " at " << policy.str() << " for "
            << arch.name << ", " << placement_name(result.placement) << " placement"
            << (timing_only ? " (timing only)" : "") << "\n";
  return 0;
}

}  // namespace cimvp::cli
