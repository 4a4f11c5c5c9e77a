// The list of subcommands. Each is implemented in its own cmd_<name>.cpp.
#include "apps/command.h"

namespace cimvp::cli {

int cmd_sweep(const std::vector<std::string>& args);
int cmd_sweep_worker(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);

int cmd_asm(const std::vector<std::string>& args);
int cmd_disasm(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_params(const std::vector<std::string>& args);
int cmd_compile(const std::vector<std::string>& args);
int cmd_infer(const std::vector<std::string>& args);
int cmd_models(const std::vector<std::string>& args);
int cmd_layers(const std::vector<std::string>& args);
int cmd_train(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_search(const std::vector<std::string>& args);

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"infer", "classify dataset images with a compiled model on the VP", cmd_infer},
      {"run", "run a firmware image on the virtual platform", cmd_run},
      {"compile", "compile a network for an architecture into a firmware image", cmd_compile},
      {"models", "list the model zoo", cmd_models},
      {"train", "train a model (float or quantization-aware) on a dataset", cmd_train},
      {"eval", "accuracy of a model: float, fake-quantized and integer reference", cmd_eval},
      {"export", "export a quantized model file as ONNX QDQ", cmd_export},
      {"search", "search per-layer bit widths (DDPG, VP cycles as the latency reward)", cmd_search},
      {"layers", "list a model's quantizable layers in policy order", cmd_layers},
      {"asm", "assemble a text program into a firmware image", cmd_asm},
      {"disasm", "print a firmware image as text assembly", cmd_disasm},
      {"params", "list every architecture parameter", cmd_params},
      {"sweep", "co-design sweep over architecture parameters, models and policies (also under mpirun)", cmd_sweep},
      {"report", "an HTML report with plots of a sweep's (or a search's) output folder", cmd_report},
      {"sweep-worker", "run one point of a sweep (started by `cimvp sweep`)", cmd_sweep_worker},
  };
  return all;
}

}  // namespace cimvp::cli
