// The C++ paths bench/python_bench.py times the Python API against, in the
// same process (docs/benchmarks.md), callable from Python for that alone
// (not public API): the C++ search's latency evaluator (rl::VpLatency, what
// every policy of `cimvp search` costs) and `cimvp infer`'s classification
// (flow::Pipeline::classify).
#include <chrono>

#include <pybind11/stl.h>

#include "flow/pipeline.h"
#include "python/arrays.h"
#include "rl/evaluation/latency.h"

namespace cimvp::python {

namespace {

// (seconds, predictions) of Pipeline::classify on `batch`, as `cimvp infer
// --no-check` classifies a dataset.
std::pair<double, std::vector<int>> reference_classify(const Image& image, const ArchConfig& arch,
                                                       const py::handle& batch) {
  const QuantizedNetwork& net = image.build.network;
  Dataset d;
  d.shape = net.input_tensor().shape;
  for (const std::vector<float>& x : images_of(batch, d.shape, "_reference_classify(batch)"))
    d.images.insert(d.images.end(), x.begin(), x.end());
  d.labels.assign(d.images.size() / size_t(d.shape.size()), 0);
  py::gil_scoped_release release;
  std::lock_guard<std::mutex> lock(soc_mutex());
  return raising<SimulationError>([&] {
    flow::Pipeline pipeline(arch);
    pipeline.load(image.build, image.source);
    flow::ClassifyOptions options;
    options.check_reference = false;
    const auto t0 = std::chrono::steady_clock::now();
    flow::Classification c = pipeline.classify(d, d.size(), options);
    return std::make_pair(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                          std::move(c.predictions));
  });
}

}  // namespace

void bind_bench_references(py::module_& m) {
  m.def("_reference_classify", &reference_classify, py::arg("image"), py::arg("arch"), py::arg("batch"),
        "(seconds, predictions) of flow::Pipeline::classify on `batch`: the bench's reference.");
  m.def(
      "_reference_latency",
      [](Model& model, const ArchConfig& arch, const std::vector<Policy>& policies) {
        std::vector<uint64_t> cycles;
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(soc_mutex());
        const auto t0 = std::chrono::steady_clock::now();
        raising<SimulationError>([&] {
          rl::VpLatency vp(arch);
          for (const Policy& p : policies) cycles.push_back(vp.measure(model.structure, p).cycles);
        });
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return std::make_pair(seconds, cycles);
      },
      py::arg("model"), py::arg("arch"), py::arg("policies"),
      "(seconds, cycles per policy) of rl::VpLatency over `policies`: the bench's reference.");
}

}  // namespace cimvp::python
