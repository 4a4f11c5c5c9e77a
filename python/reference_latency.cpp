// The C++ search's latency evaluator (rl::VpLatency, what every policy of
// `cimvp search` costs), callable from Python only so that
// bench/python_bench.py can time the Python path against it in the same
// process: the reference of its ratio (docs/benchmarks.md). Not public API.
#include <chrono>

#include <pybind11/stl.h>

#include "rl/evaluation/latency.h"
#include "python/bindings.h"

namespace cimvp::python {

void bind_reference_latency(py::module_& m) {
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
