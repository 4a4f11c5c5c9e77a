#include <cstdio>
#include <iostream>

#include "apps/command.h"
#include "nn/model_source.h"
#include "nn/zoo.h"

namespace cimvp::cli {

int cmd_models(const std::vector<std::string>& args) {
  po::options_description options("options");
  po::variables_map vm;
  if (!parse("models", "", options, {}, args, vm)) return 0;
  std::printf("%-16s %-12s %-10s %8s %12s\n", "model", "input", "output", "layers", "parameters");
  for (const std::string& name : zoo_names()) {
    const Graph g = make_model(name, 1);
    std::printf("%-16s %-12s %-10s %8zu %12lld\n", name.c_str(), g.input_shape().str().c_str(),
                g.output_shape().str().c_str(), g.quantizable_layers().size(), (long long)g.parameter_count());
  }
  return 0;
}

int cmd_layers(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("model", po::value<std::string>()->required(), "zoo name or model file");
  po::variables_map vm;
  if (!parse("layers", "--model MODEL", options, {}, args, vm)) return 0;
  const ModelFile m = load_model_spec(vm["model"].as<std::string>());
  std::printf("%5s  %-24s %-7s %-12s %-12s %6s %6s %6s %6s %10s\n", "index", "layer", "kind", "input", "output",
              "kernel", "stride", "pad", "groups", "weights");
  const auto layers = m.graph.quantizable_layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const Node& n = m.graph.nodes[size_t(layers[i])];
    const Node& in = m.graph.nodes[size_t(n.inputs[0])];
    const std::string kernel = n.kw() == n.kernel ? std::to_string(n.kernel)
                                                  : std::to_string(n.kernel) + "x" + std::to_string(n.kw());
    const int64_t weights = weight_count(n, in.shape);  // a grouped convolution's own, not its dense matrix's
    std::printf("%5zu  %-24s %-7s %-12s %-12s %6s %6d %6d %6d %10lld\n", i, n.name.c_str(), op_name(n.kind),
                in.shape.str().c_str(), n.shape.str().c_str(), kernel.c_str(), n.stride, n.padding, n.groups,
                static_cast<long long>(weights));
  }
  return 0;
}

}  // namespace cimvp::cli
