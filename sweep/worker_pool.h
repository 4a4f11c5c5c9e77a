// Runs sweep points in child processes, `jobs` at a time: each child is
// `cimvp sweep-worker --config FILE --point INDEX` (a new architecture needs
// a new process: SystemC elaborates once per process) and prints its point's
// record as one JSON line. A child that dies without a record (a crash, a
// kill) gives a record with its exit status as the error; one that runs
// past the timeout is killed and recorded as timed out.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/sweep_config.h"
#include "sweep/sweep_point.h"

namespace cimvp {

struct WorkerPoolOptions {
  std::string executable;   // the cimvp binary (/proc/self/exe)
  std::string config_path;  // the sweep YAML, as the workers read it
  int jobs = 1;
  double timeout_seconds = 0;  // > 0: a worker running longer is killed and its point recorded as timed out
};

// Runs `indices` (into `points`), calling `on_record` in the order points
// finish, and `on_idle` about every 50 ms while waiting (MPI polling).
void run_in_workers(const WorkerPoolOptions& options, const SweepConfig& config,
                    const std::vector<SweepPoint>& points, const std::vector<size_t>& indices,
                    const std::function<void(const nlohmann::json&)>& on_record,
                    const std::function<void()>& on_idle = {});

}  // namespace cimvp
