#include "sweep/sweep_runner.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "common/seconds_since.h"
#include "sweep/progress_bar.h"
#include "sweep/results_store.h"
#include "sweep/sweep_check.h"
#include "sweep/sweep_point.h"
#include "sweep/worker_pool.h"

namespace cimvp {

bool launched_under_mpi() {
  // mpirun sets OMPI_COMM_WORLD_SIZE; srun's direct launch sets PMIX_RANK
  // (--mpi=pmix) or PMI_RANK (pmi2) before MPI_Init runs.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

SweepSummary run_sweep(const SweepOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const SweepConfig config = load_sweep_config(o.config_path);
  const SweepCheck check = check_sweep(config);
  for (const std::string& w : check.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const std::vector<SweepPoint> points = expand_points(config);
  ResultsStore store(o.output, config, o.resume);
  std::vector<size_t> pending;
  for (const SweepPoint& p : points)
    if (!store.done().count(p.id)) pending.push_back(p.index);
  SweepSummary s;
  s.warnings = check.warnings;
  s.points = points.size();
  s.skipped = points.size() - pending.size();
  const bool tty = o.progress;
  auto draw = [&] {
    if (tty)
      std::fprintf(stderr, "\r%s", sweep_progress_line(s.skipped + s.ran, s.points, s.failed, seconds_since(start)).c_str());
  };
  draw();
  WorkerPoolOptions w;
  w.executable = o.executable;
  w.config_path = o.config_path;
  w.jobs = o.jobs;
  w.timeout_seconds = o.timeout_seconds;
  run_in_workers(w, config, points, pending, [&](const nlohmann::json& record) {
    store.append(record);
    ++s.ran;
    if (record["error"].is_string()) ++s.failed;
    draw();
    if (o.on_point) o.on_point(record, s.skipped + s.ran, s.points);
  });
  if (tty) std::fprintf(stderr, "\n");
  s.failed_in_folder = failed_records(store.records());
  s.seconds = seconds_since(start);
  return s;
}

}  // namespace cimvp
