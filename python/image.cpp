// cimvp.Image: a network compiled for an architecture (Model.compile), with
// its integer network, so that functional outputs can be checked against
// the integer reference (nn/reference.h), the bits the VP must reproduce.
#include <pybind11/stl.h>

#include "compiler/compile.h"
#include "compiler/explain.h"
#include "firmware/image.h"
#include "nn/reference.h"
#include "python/arrays.h"

namespace cimvp::python {

namespace {

void require_weights(const Image& image, const std::string& call) {
  if (image.timing_only)
    throw InputError(call + ": " + image.source +
                     " was compiled with timing_only=True and has no weights; compile with timing_only=False to "
                     "compute outputs");
}

// The integer reference's outputs for a batch (the same quantized inputs as
// the VP's runs, nn/quant.h quantize_input).
py::array_t<int32_t> reference(const Image& image, const py::handle& batch) {
  require_weights(image, "Image.reference");
  const QuantizedNetwork& net = image.build.network;
  const Shape in = net.input_tensor().shape;
  const std::vector<std::vector<float>> xs = images_of(batch, in, "Image.reference(batch)");
  std::vector<std::vector<int32_t>> ys(xs.size());
  {
    py::gil_scoped_release release;
    ReferenceExecutor executor(net);
    for (size_t i = 0; i < xs.size(); ++i)
      ys[i] = raising<ModelError>([&] { return executor.run(quantize_input(net, xs[i])); });
  }
  return int32_rows(ys, size_t(net.output_tensor().shape.size()));
}

}  // namespace

void bind_image(py::module_& m) {
  py::class_<Image, std::shared_ptr<Image>>(m, "Image", "A network compiled for an architecture (Model.compile).")
      .def_property_readonly("arch", [](const Image& i) { return i.arch; }, "The architecture it was compiled for.")
      .def_property_readonly("policy", [](const Image& i) { return i.build.network.policy; })
      .def_property_readonly("timing_only", [](const Image& i) { return i.timing_only; })
      .def_property_readonly("placement", [](const Image& i) { return placement_name(i.build.compiled.placement); })
      .def_property_readonly("input_shape",
                             [](const Image& i) {
                               const Shape s = i.build.network.input_tensor().shape;
                               return py::make_tuple(s.c, s.h, s.w);
                             })
      .def_property_readonly("output_size", [](const Image& i) { return i.build.network.output_tensor().shape.size(); })
      .def_property_readonly("output_scale", [](const Image& i) { return i.build.network.output_scale(); },
                             "Real logits are output_scale x the integer outputs.")
      .def("explain", [](const Image& i) { return explain(i.build.compiled, i.arch); },
           "The mapping of every layer, as `cimvp compile --explain`.")
      .def("save", [](const Image& i, const std::string& path) { write_image_file(i.build.compiled.image, path); },
           py::arg("path"), "Writes the firmware image, as `cimvp compile -o` (for `cimvp run --firmware`).")
      .def("reference", &reference, py::arg("batch"),
           "The integer reference's outputs for a float batch (N, C, H, W): int32 (N, outputs), the values the VP "
           "must produce.")
      .def("__repr__", [](const Image& i) { return "<cimvp.Image " + i.source + (i.timing_only ? " (timing only)>" : ">"); });
}

}  // namespace cimvp::python
