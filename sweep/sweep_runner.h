// `cimvp sweep`: expands the sweep file's points, skips those already in the
// output folder's results.jsonl (--resume), runs the rest in worker
// processes and appends each finished point at once (sweep/results_store.h).
// Under Open MPI (mpirun / srun) the pending points are spread over the
// ranks, each running its share in `jobs` workers; rank 0 alone writes.
// Before any point runs, the sweep is checked (sweep/sweep_check.h): a
// point that cannot be an architecture stops the sweep with its line.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cimvp {

struct SweepOptions {
  std::string config_path;  // sweep YAML
  std::string output;       // folder
  std::string executable;   // this cimvp binary, run as the workers
  int jobs = 1;
  double timeout_seconds = 0;  // per point; 0 = none
  bool resume = false;
  bool progress = true;     // the progress line on stderr
  // Called as each point finishes, with its record (results.jsonl's line),
  // points finished so far (skipped ones included) and the sweep's points:
  // the Python API's progress callback. It must not throw (the workers
  // would be left running).
  std::function<void(const nlohmann::json& record, size_t done, size_t points)> on_point;
};

struct SweepSummary {
  size_t points = 0;    // in the sweep
  size_t skipped = 0;   // already finished (resume)
  size_t ran = 0;       // finished in this run (by every rank)
  size_t failed = 0;    // of those, recorded with an error
  size_t failed_in_folder = 0;  // every point of results.jsonl recorded with an error (rank 0)
  std::vector<std::string> warnings;  // check_sweep's, also printed before the first point
  double seconds = 0;
};

// One process (no MPI).
SweepSummary run_sweep(const SweepOptions& options);
// True when this process was started as an MPI rank: by mpirun
// (OMPI_COMM_WORLD_SIZE) or by srun's direct launch (PMIX_RANK, PMI_RANK).
bool launched_under_mpi();
// Under MPI: every rank calls it; rank 0 returns the summary, the others
// return theirs (ran = their share). Calls MPI_Init and MPI_Finalize.
SweepSummary run_sweep_mpi(const SweepOptions& options, int* rank);

}  // namespace cimvp
