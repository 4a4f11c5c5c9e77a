// cimvp.sweep (cimvp/sweep.py wraps _sweep): a co-design sweep as `cimvp
// sweep` runs it (sweep/sweep_runner.h: the same folder, results.jsonl and
// results.csv), its points in `cimvp sweep-worker` processes, since every
// point is an architecture of its own and SystemC elaborates once per
// process. Each finished point's record goes to a Python callback.
#include <optional>

#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "python/bindings.h"
#include "sweep/sweep_runner.h"

namespace cimvp::python {

namespace {

py::object from_json(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

py::dict sweep(const std::string& config, const std::string& output, const std::string& cli, int jobs,
               double timeout, bool resume, const py::object& progress) {
  if (jobs < 1) throw InputError("jobs must be at least 1, got " + std::to_string(jobs));
  if (timeout < 0) throw InputError("timeout must not be negative, got " + std::to_string(timeout));
  SweepOptions o;
  o.config_path = config;
  o.output = output;
  o.executable = cli;
  o.jobs = jobs;
  o.timeout_seconds = timeout;
  o.resume = resume;
  o.progress = false;  // the terminal line; Python gets the callback
  // An exception of the callback cannot stop the workers midway (run_sweep
  // would leave them running): the first one is raised when the sweep ends.
  std::optional<py::error_already_set> failure;
  if (!progress.is_none())
    o.on_point = [&](const nlohmann::json& record, size_t done, size_t points) {
      py::gil_scoped_acquire gil;
      if (failure) return;
      try {
        progress(from_json(record), done, points);
      } catch (py::error_already_set& e) {
        failure = std::move(e);
      }
    };
  SweepSummary s;
  {
    py::gil_scoped_release release;
    s = raising<ConfigError>([&] { return run_sweep(o); });
  }
  if (failure) throw std::move(*failure);
  return py::dict(py::arg("points") = s.points, py::arg("skipped") = s.skipped, py::arg("ran") = s.ran,
                  py::arg("failed") = s.failed, py::arg("failed_in_folder") = s.failed_in_folder,
                  py::arg("warnings") = s.warnings, py::arg("seconds") = s.seconds);
}

}  // namespace

void bind_sweep(py::module_& m) {
  m.def("_sweep", &sweep, py::arg("config"), py::arg("output"), py::arg("cli"), py::arg("jobs"), py::arg("timeout"),
        py::arg("resume"), py::arg("progress"));
  // Where a `cimvp` binary is when none is given: installed, or this build tree's.
  m.attr("_installed_cli") = CIMVP_INSTALLED_CLI;
  m.attr("_build_tree_cli") = CIMVP_BUILD_TREE_CLI;
}

}  // namespace cimvp::python
