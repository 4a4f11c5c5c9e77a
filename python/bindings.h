// What the files of the cimvp._cimvp extension share: the objects Python
// holds (a model, a compiled image), the typed exceptions, and one bind_*
// function per file, called in order by module.cpp.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <pybind11/pybind11.h>

#include "common/error.h"
#include "config/arch_config.h"
#include "flow/build.h"
#include "nn/model_file.h"
#include "nn/policy.h"

namespace cimvp::python {

namespace py = pybind11;

// ---------------------------------------------------------------- errors
// Every cimvp::Error a call raises becomes the Python exception of the area
// the call belongs to (errors.cpp registers them under cimvp.Error), with
// the C++ message unchanged: the same file:line:key text as the CLI.
// An error already given its area (raising() passes it on unchanged).
struct TypedError : Error { using Error::Error; };
struct ConfigError : TypedError { using TypedError::TypedError; };      // architecture files and parameters
struct ModelError : TypedError { using TypedError::TypedError; };       // model files, zoo names, ONNX, quantization
struct PolicyError : TypedError { using TypedError::TypedError; };      // bit widths, policy files, lengths
struct CompileError : TypedError { using TypedError::TypedError; };     // a network that cannot be mapped
struct InputError : TypedError { using TypedError::TypedError; };       // arrays of the wrong shape or dtype, arguments
struct DatasetError : TypedError { using TypedError::TypedError; };     // datasets missing or not fitting the model
struct SimulationError : TypedError { using TypedError::TypedError; };  // the SoC: a second architecture, a failed run

// Runs `f`, turning a cimvp::Error into `Kind` with the same message.
template <typename Kind, typename F>
auto raising(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const TypedError&) {
    throw;  // classified where it was raised (an array checked inside a run)
  } catch (const Error& e) {
    throw Kind(e.what());
  }
}

// SystemC is single-threaded: every use of a SoC (and of the process-wide
// SoC cache, flow::soc_for) holds this lock, taken after the GIL is released
// so that other Python threads keep running meanwhile.
std::mutex& soc_mutex();

// Called with the GIL released in long C++ loops: runs Python's signal
// handlers (Ctrl-C's KeyboardInterrupt) and throws what they raise, so that
// a long batch or search stops like Python code would.
void raise_pending_signals();

// ---------------------------------------------------------------- objects
// A model as Python holds it: its source spec (zoo name or file) and its
// structure, read at once so that a bad file fails in Model.load; the
// weights are read when first needed (functional compiles, evaluate).
struct Model {
  std::string spec;
  uint64_t seed = 1;
  ModelFile structure;  // load_model_structure(spec): what timing-only compiles use, as `cimvp compile --timing-only`
  std::shared_ptr<const ModelFile> full;  // load_model_spec(spec, seed), on first use

  const ModelFile& weights();
};

// A compiled network: the build and the architecture it was compiled for.
struct Image {
  flow::Build build;
  ArchConfig arch;
  std::string source;  // "lenet5 at w8a8 for default", names it in messages
  bool timing_only = false;
};

// A cimvp.Policy, dict or list of (w, a) pairs as a checked Policy
// (policy.cpp); PolicyError otherwise.
Policy to_policy(py::handle spec);

// ---------------------------------------------------------------- areas
void bind_errors(py::module_& m);
void bind_arch(py::module_& m);
void bind_policy(py::module_& m);
void bind_model(py::module_& m);
void bind_image(py::module_& m);
void bind_run(py::module_& m);
void bind_evaluate(py::module_& m);
void bind_bench_references(py::module_& m);
void bind_search(py::module_& m);
void bind_sweep(py::module_& m);

}  // namespace cimvp::python
