// Runs on the virtual platform: Arch.run (one run, a Report as `cimvp run
// --report` writes it) and Arch.infer (a float batch in, the VP's integer
// outputs out). Both go through flow::Pipeline, so the SoC of an
// architecture is elaborated once per process and reused by every later
// image; a second architecture after the first run is refused by
// flow::soc_for, raised here as SimulationError.
#include <optional>

#include <pybind11/stl.h>

#include "compiler/io_layout.h"
#include "nn/dataset.h"
#include "flow/pipeline.h"
#include "python/arrays.h"

namespace cimvp::python {

namespace {

// The report as cimvp.Report (cimvp/report.py) over the JSON `cimvp run
// --report` writes, so that the two cannot differ.
py::object report_object(const Report& r, py::object outputs) {
  const py::object dict = py::module_::import("json").attr("loads")(to_json(r).dump());
  return py::module_::import("cimvp.report").attr("Report")(dict, outputs);
}

// The pipeline of `arch` with `image` loaded (a copy: the Image stays usable).
flow::Pipeline loaded(const ArchConfig& arch, const Image& image) {
  flow::Pipeline pipeline = raising<SimulationError>([&] { return flow::Pipeline(arch); });
  raising<SimulationError>([&] { pipeline.load(image.build, image.source); });
  return pipeline;
}

py::object run(const ArchConfig& arch, const Image& image, const py::object& input, const py::object& mode_name) {
  const std::string mode_text = mode_name.is_none() ? (input.is_none() ? "timing" : "functional")
                                                    : mode_name.cast<std::string>();
  if (mode_text != "timing" && mode_text != "functional")
    throw InputError("mode must be 'timing' or 'functional', got '" + mode_text + "'");
  const RunMode mode = mode_text == "timing" ? RunMode::Timing : RunMode::Functional;
  const QuantizedNetwork& net = image.build.network;
  std::vector<TensorBytes> inputs;
  if (!input.is_none()) {
    if (mode == RunMode::Timing) throw InputError("Arch.run: a timing run takes no inputs (mode='functional' does)");
    if (image.timing_only)
      throw InputError("Arch.run: " + image.source + " was compiled with timing_only=True; compile with "
                       "timing_only=False for a functional run");
    inputs.push_back(input_bytes(net, quantize_input(net, image_of(input, net.input_tensor().shape, "Arch.run(inputs)"))));
  } else if (mode == RunMode::Functional) {
    for (const TensorLayout& t : image.build.compiled.image.inputs) inputs.emplace_back(t.bytes(), 0);  // zeros, as the CLI
  }
  RunResult result;
  std::vector<int32_t> outputs;
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(soc_mutex());
    flow::Pipeline pipeline = loaded(arch, image);
    result = raising<SimulationError>([&] { return pipeline.run(mode, inputs); });
    if (mode == RunMode::Functional) outputs = output_values(pipeline.image(), result.outputs.at(0));
  }
  if (mode == RunMode::Timing) return report_object(result.report, py::none());
  return report_object(result.report, int32_rows({outputs}, outputs.size())[py::int_(0)]);
}

py::array_t<int32_t> infer(const ArchConfig& arch, const Image& image, const py::handle& batch,
                           const std::optional<std::string>& calibration) {
  if (image.timing_only)
    throw InputError("Arch.infer: " + image.source + " was compiled with timing_only=True and has no weights; "
                     "compile with timing_only=False");
  // What an ADC range calibration observes: the dataset's training images,
  // as `cimvp infer --dataset` calibrates (flow/adc_calibration.h).
  std::optional<Dataset> adc_images;
  if (flow::calibrates_adc(arch)) {
    if (!calibration)
      throw InputError("Arch.infer: architecture '" + arch.name + "' calibrates its ADC ranges on training images "
                       "(adc.calibration = " + arch.adc.calibration + "): give calibration='fashion-mnist' (the "
                       "dataset whose training split to observe), or set adc.calibration to none");
    adc_images = raising<DatasetError>([&] { return load_dataset(*calibration, Split::Train); });
  }
  const QuantizedNetwork& net = image.build.network;
  const std::vector<std::vector<float>> xs = images_of(batch, net.input_tensor().shape, "Arch.infer(batch)");
  std::vector<std::vector<int32_t>> ys(xs.size());
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(soc_mutex());
    flow::Pipeline pipeline = raising<SimulationError>([&] { return flow::Pipeline(arch); });
    raising<SimulationError>([&] { pipeline.load(image.build, image.source, adc_images ? &*adc_images : nullptr); });
    for (size_t i = 0; i < xs.size(); ++i) {
      const RunResult r = raising<SimulationError>(
          [&] { return pipeline.run(RunMode::Functional, {input_bytes(net, quantize_input(net, xs[i]))}); });
      ys[i] = output_values(pipeline.image(), r.outputs.at(0));
      if (i % 64 == 63) raise_pending_signals();  // Ctrl-C stops a long batch
    }
  }
  return int32_rows(ys, size_t(net.output_tensor().shape.size()));
}

}  // namespace

void bind_run(py::module_& m) {
  auto arch = py::reinterpret_borrow<py::class_<ArchConfig>>(m.attr("Arch"));
  arch.def("run", &run, py::arg("image"), py::arg("inputs") = py::none(), py::arg("mode") = py::none(),
           "One run of `image` on this architecture's VP: a Report, as `cimvp run --report`. Timing without "
           "`input`; functional with `inputs`, one float image (C, H, W), whose integer outputs are Report.outputs.");
  arch.def(
      "prepare",
      [](const ArchConfig& a) {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(soc_mutex());
        raising<SimulationError>([&] { flow::soc_for(a); });
      },
      "Elaborates this architecture's VP now. SystemC elaborates before the first run only: a process that runs "
      "several architectures prepares each before running any.");
  arch.def("infer", &infer, py::arg("image"), py::arg("batch"), py::arg("calibration") = py::none(),
           "Functional runs of a float batch (N, C, H, W): the VP's int32 outputs (N, outputs); real logits are "
           "image.output_scale times them. Image k of the batch is the k-th inference since the image was loaded "
           "(device draws, as `cimvp infer`). An architecture with adc.calibration needs `calibration`, the dataset "
           "whose training images its ADC ranges are calibrated on, at every call.");
}

}  // namespace cimvp::python
