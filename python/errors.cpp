// The exception hierarchy: cimvp.Error (any cimvp::Error) and one subclass
// per area; and Python's own exceptions (KeyboardInterrupt) out of C++ loops. Bad input (arrays, policies) is also a ValueError, so code that
// catches ValueError keeps working. The translators run in the reverse order
// of registration, so the base is registered first.
#include "python/bindings.h"

namespace cimvp::python {

void raise_pending_signals() {
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

void bind_errors(py::module_& m) {
  auto& base = py::register_exception<Error>(m, "Error", PyExc_Exception);
  base.doc() = "Base of every cimvp exception; the message names the file, key, node or layer at fault.";
  const py::tuple value_error = py::make_tuple(base, py::handle(PyExc_ValueError));
  py::register_exception<ConfigError>(m, "ConfigError", base).doc() =
      "An architecture file or parameter is wrong (the message names the file, line and key).";
  py::register_exception<ModelError>(m, "ModelError", base).doc() =
      "A model file, zoo name or ONNX graph cannot be read or quantized.";
  py::register_exception<PolicyError>(m, "PolicyError", value_error).doc() =
      "A policy has bits outside 1..8 or a length that does not match the model.";
  py::register_exception<CompileError>(m, "CompileError", base).doc() =
      "The network cannot be mapped onto the architecture (the message names the layer).";
  py::register_exception<InputError>(m, "InputError", value_error).doc() =
      "An argument is wrong: an array of the wrong shape or dtype, an unknown option value.";
  py::register_exception<DatasetError>(m, "DatasetError", base).doc() =
      "A dataset is missing, or its images do not fit the model.";
  py::register_exception<SimulationError>(m, "SimulationError", base).doc() =
      "The virtual platform cannot run: e.g. a second architecture after a simulation in this process.";
}

}  // namespace cimvp::python
