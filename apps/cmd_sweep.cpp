// cimvp sweep: a co-design sweep from one YAML file (docs/sweeps.md), in
// parallel worker processes, or over Open MPI ranks under mpirun / srun.
// Exits 1 when any point of the folder's results failed, naming how many.
#include <unistd.h>

#include <cstdio>

#include "apps/command.h"
#include "common/error.h"
#include "sweep/sweep_runner.h"

namespace cimvp::cli {

int cmd_sweep(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("config", po::value<std::string>()->required(), "sweep YAML (docs/sweeps.md)")
      ("output,o", po::value<std::string>()->required(), "output folder: results.jsonl, results.csv")
      ("jobs", po::value<int>()->default_value(1), "worker processes at a time (per MPI rank)")
      ("timeout", po::value<double>()->default_value(0), "seconds one point may take before its worker is killed and "
                                                         "the point recorded as timed out (0: no limit)")
      ("resume", "continue a sweep in the folder: skip points already in results.jsonl")
      ("no-progress", "do not draw the progress line (it is drawn only when standard error is a terminal)");
  po::variables_map vm;
  if (!parse("sweep", "--config SWEEP.yaml -o DIR [--jobs N] [--resume] [--timeout S]", options, {}, args, vm)) return 0;
  SweepOptions o;
  o.config_path = vm["config"].as<std::string>();
  o.output = vm["output"].as<std::string>();
  o.jobs = vm["jobs"].as<int>();
  if (o.jobs < 1) throw Error("--jobs must be at least 1");
  o.resume = vm.count("resume") > 0;
  o.timeout_seconds = vm["timeout"].as<double>();
  if (o.timeout_seconds < 0) throw Error("--timeout must not be negative");
  o.progress = !vm.count("no-progress") && isatty(STDERR_FILENO);  // no \r-redrawn lines in logs
  o.executable = "/proc/self/exe";
  int rank = 0;
  const SweepSummary s = launched_under_mpi() ? run_sweep_mpi(o, &rank) : run_sweep(o);
  if (rank != 0) return 0;
  std::printf("%zu points: %zu already done, %zu run now (%zu with errors) in %.1f s; results in %s/results.csv\n",
              s.points, s.skipped, s.ran, s.failed, s.seconds, o.output.c_str());
  for (const std::string& w : s.warnings) std::printf("warning: %s\n", w.c_str());
  if (s.failed_in_folder == 0) return 0;
  std::fprintf(stderr, "cimvp sweep: %zu of the %zu points failed (their errors are in the error column of %s/results.csv)\n",
               s.failed_in_folder, s.points, o.output.c_str());
  return 1;
}

}  // namespace cimvp::cli
