#include <iostream>

#include "apps/command.h"
#include "apps/tensor_io.h"
#include "common/error.h"
#include "platform/chrome_trace.h"
#include "config/arch_config.h"
#include "flow/pipeline.h"

namespace cimvp::cli {

int cmd_run(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("arch", po::value<std::string>()->required(), "architecture YAML, or a report JSON whose architecture to use")
      ("firmware", po::value<std::string>()->required(), "firmware image")
      ("mode", po::value<std::string>()->default_value("functional"), "functional | timing")
      ("input", po::value<std::string>(), "input tensors: raw bytes, or integers if the name ends in .txt")
      ("output", po::value<std::string>(), "write the output tensors here (raw, or .txt)")
      ("report", po::value<std::string>(), "write the report as JSON here")
      ("trace", po::value<std::string>(), "write a Chrome trace-event JSON (open in ui.perfetto.dev)")
      ("trace-detail", po::value<std::string>()->default_value("instructions"),
       "layers | instructions | crossbars: what the trace keeps besides layers, messages, NoC and memory")
      ("repeat", po::value<int>()->default_value(1), "run the image this many times (reports the last)")
      ("bit-accurate", "compute every crossbar through cells, DAC digits, ADC and shift-and-add, even where the "
                       "ideal-ADC fast path gives the same bits (slower)");
  po::variables_map vm;
  if (!parse("run", "--arch ARCH.yaml --firmware IMAGE [--mode functional|timing] [--input FILE] [--output FILE] "
             "[--report REPORT.json] [--trace TRACE.json [--trace-detail layers|instructions|crossbars]]", options, {}, args, vm))
    return 0;

  const std::string mode_name = vm["mode"].as<std::string>();
  if (mode_name != "functional" && mode_name != "timing")
    throw Error("--mode must be 'functional' or 'timing', got '" + mode_name + "'");
  const RunMode mode = mode_name == "functional" ? RunMode::Functional : RunMode::Timing;
  const int repeat = vm["repeat"].as<int>();
  if (repeat < 1) throw Error("--repeat must be at least 1");

  const ArchConfig arch = load_arch_config(vm["arch"].as<std::string>());
  const std::string image_path = vm["firmware"].as<std::string>();
  FirmwareImage image = read_image_file(image_path);
  std::vector<TensorBytes> inputs;
  if (vm.count("input")) {
    inputs = read_tensors(vm["input"].as<std::string>(), image.inputs);
  } else if (mode == RunMode::Functional) {
    for (const TensorLayout& t : image.inputs) inputs.emplace_back(t.bytes(), 0);  // zeros
    if (!image.inputs.empty()) std::cerr << "note: no --input given, the inputs are zeros\n";
  }

  flow::Pipeline pipeline(arch);
  pipeline.load(std::move(image), image_path);
  pipeline.soc().set_bit_accurate_crossbars(vm.count("bit-accurate") > 0);
  ChromeTrace trace(parse_trace_detail(vm["trace-detail"].as<std::string>()));
  if (!vm["trace-detail"].defaulted() && !vm.count("trace")) throw Error("--trace-detail needs --trace");
  RunResult result;
  for (int i = 0; i < repeat; ++i) {
    const bool last = i + 1 == repeat;
    result = pipeline.run(mode, inputs, last && vm.count("trace") ? &trace : nullptr);
  }
  std::cout << format_summary(result.report);

  const FirmwareImage& loaded = pipeline.image();
  if (mode == RunMode::Functional) {
    for (size_t k = 0; k < loaded.outputs.size(); ++k) {
      const TensorLayout& t = loaded.outputs[k];
      std::cout << "\noutput '" << t.name << "' (" << t.elements() << " x " << dtype_name(t.dtype) << "):";
      const size_t shown = std::min<size_t>(t.elements(), 32);
      for (size_t i = 0; i < shown; ++i) std::cout << " " << element(t, result.outputs[k], i);
      if (shown < t.elements()) std::cout << " ...";
      std::cout << "\n";
    }
    if (vm.count("output")) write_tensors(vm["output"].as<std::string>(), loaded.outputs, result.outputs);
  } else if (vm.count("output")) {
    throw Error("--output needs --mode functional (a timing-only run computes no data)");
  }
  if (vm.count("report")) write_json_file(to_json(result.report), vm["report"].as<std::string>());
  if (vm.count("trace")) trace.write(vm["trace"].as<std::string>());
  return 0;
}

}  // namespace cimvp::cli
