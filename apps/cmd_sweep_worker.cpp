// cimvp sweep-worker: runs one point of a sweep and prints its record as one
// JSON line. `cimvp sweep` starts it, one process per point (SystemC
// elaborates one SoC per process); it is not meant to be typed.
#include <iostream>

#include "apps/command.h"
#include "common/error.h"
#include "sweep/run_point.h"

namespace cimvp::cli {

int cmd_sweep_worker(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("config", po::value<std::string>()->required(), "sweep YAML")
      ("point", po::value<size_t>()->required(), "index of the point in the sweep's expansion");
  po::variables_map vm;
  if (!parse("sweep-worker", "--config SWEEP.yaml --point INDEX", options, {}, args, vm)) return 0;
  const SweepConfig config = load_sweep_config(vm["config"].as<std::string>());
  const std::vector<SweepPoint> points = expand_points(config);
  const size_t index = vm["point"].as<size_t>();
  if (index >= points.size())
    throw Error("--point " + std::to_string(index) + ": the sweep has " + std::to_string(points.size()) + " points");
  std::cout << run_point(config, points[index]).dump() << std::endl;
  return 0;
}

}  // namespace cimvp::cli
