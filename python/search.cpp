// cimvp.search: the bit-width search as `cimvp search` runs it (the same
// rl::run_search_job, the same output folder and summary.json), with the
// progress after every episode given to a Python callback instead of the
// terminal. The callback runs with the GIL held; an exception it raises
// stops the search (which resumes later from its checkpoint, as after a kill).
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "rl/evaluation/search_job.h"
#include "python/bindings.h"

namespace cimvp::python {

namespace {

py::dict progress_dict(const rl::SearchProgress& p) {
  py::dict d(py::arg("episodes_done") = p.episodes_done, py::arg("episodes") = p.episodes,
             py::arg("has_best") = p.has_best, py::arg("best_reward") = p.best_reward,
             py::arg("best_speedup") = p.best_speedup, py::arg("best_accuracy") = p.best_accuracy,
             py::arg("precision_proxy") = p.precision_proxy, py::arg("eta_seconds") = p.eta_seconds);
  if (p.last) {
    d["last"] = py::dict(py::arg("episode") = p.last->episode, py::arg("kind") = p.last->kind,
                         py::arg("weight_bits") = p.last->policy.weight_bits,
                         py::arg("activation_bits") = p.last->policy.activation_bits,
                         py::arg("speedup") = p.last->speedup, py::arg("reward") = p.last->reward,
                         py::arg("meets_target") = p.last->meets_target);
  }
  return d;
}

py::object search(const std::string& config, const std::string& output, const std::optional<int>& episodes,
                  const std::optional<std::string>& method, const std::optional<std::string>& latency,
                  const std::optional<bool>& baselines, bool search_only, bool resume, bool force, int threads,
                  const py::object& progress, const py::object& message) {
  rl::SearchJobOptions job;
  job.config = raising<ConfigError>([&] { return rl::load_search_config(config); });
  if (episodes) {
    if (*episodes < 1) throw InputError("episodes must be at least 1, got " + std::to_string(*episodes));
    job.config.episodes = *episodes;
  }
  if (method) {
    const auto m = rl::method_from_name(*method);
    if (!m) throw InputError("method must be ddpg or random, got '" + *method + "'");
    job.config.method = *m;
  }
  if (latency) {
    const auto l = rl::latency_source_from_name(*latency);
    if (!l) throw InputError("latency must be vp or analytic, got '" + *latency + "'");
    job.config.latency = *l;
  }
  if (baselines) job.config.baselines = *baselines;
  if (resume && force) throw InputError("give resume or force, not both");
  if (threads < 1 || threads > 64) throw InputError("threads must be in 1..64, got " + std::to_string(threads));
  job.output = output;
  job.search_only = search_only;
  job.resume = resume;
  job.force = force;
  job.threads = threads;
  job.progress = [progress](const std::string& phase, const rl::SearchProgress& p) {
    raise_pending_signals();  // Ctrl-C stops the search after an episode (resume continues it)
    if (progress.is_none()) return;
    py::gil_scoped_acquire gil;
    progress(phase, progress_dict(p));
  };
  if (!message.is_none())
    job.message = [message](const std::string& m) {
      py::gil_scoped_acquire gil;
      message(m);
    };
  nlohmann::json summary;
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(soc_mutex());
    summary = raising<Error>([&] { return rl::run_search_job(job); });
  }
  return py::module_::import("json").attr("loads")(summary.dump());
}

}  // namespace

void bind_search(py::module_& m) {
  m.def("search", &search, py::arg("config"), py::kw_only(), py::arg("output") = "", py::arg("episodes") = py::none(),
        py::arg("method") = py::none(), py::arg("latency") = py::none(), py::arg("baselines") = py::none(),
        py::arg("search_only") = false, py::arg("resume") = false, py::arg("force") = false, py::arg("threads") = 2,
        py::arg("progress") = py::none(), py::arg("message") = py::none(),
        "The bit-width search of a search YAML (docs/search.md), as `cimvp search`: its summary as a dict (with "
        "search_only, the search's best). progress(phase, dict) is called after every episode, message(text) "
        "with what the job is doing; both default to silence. The job elaborates the config's architecture: "
        "run it in a process that has simulated no other architecture.");
}

}  // namespace cimvp::python
