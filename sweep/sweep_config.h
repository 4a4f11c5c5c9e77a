// A co-design sweep, read from YAML (docs/sweeps.md lists every key): a base
// architecture, a grid over architecture parameters by their dotted names
// (and optional explicit points), models, policies and the metrics to record.
// Errors are cimvp::Error naming the file, line and key: unknown parameter
// names (with a suggestion), values a parameter cannot take (each grid and
// point value is checked as the architecture reader would), uniform
// policies outside 1..8 bits, empty grids, a base file that does not exist,
// a metric nobody measures, the `search` policy kind (not supported yet).
// What needs the models or several values at once is check_sweep's
// (sweep/sweep_check.h).
// Relative paths resolve against the YAML file's folder.
#pragma once

#include <string>
#include <vector>

namespace cimvp {

// One architecture parameter and the values it takes, as YAML scalars
// ("256", "differential-row").
struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

// A model entry: a zoo name (random weights: timing, energy, area) or a
// trained model file, which also gives accuracy on `dataset`.
struct SweepModel {
  std::string spec;     // zoo name, or a path resolved against the sweep file
  std::string dataset;  // for accuracy and calibration; "" = the model file's own
};

struct SweepConfig {
  std::string source;      // the YAML file
  std::string base;        // base architecture YAML (resolved path)
  std::vector<GridAxis> grid;
  std::vector<std::vector<std::pair<std::string, std::string>>> points;  // explicit points, each key -> value
  std::vector<SweepModel> models;
  std::vector<std::string> policies;  // "w8a8"-style specs or policy files (resolved paths)
  std::vector<std::string> metrics;   // subset of known_metrics(), in the order given
  int accuracy_images = 100;          // test images per point for accuracy
  std::string placement = "auto";
  // Where each part was written ("file:line:col"), for check_sweep's errors.
  std::string grid_at;
  std::vector<std::string> point_at, model_at, policy_at;

  bool wants(const std::string& metric) const;
};

// latency, energy, area, accuracy, edp, crossbars.
const std::vector<std::string>& known_metrics();

SweepConfig load_sweep_config(const std::string& path);
SweepConfig parse_sweep_config(const std::string& yaml_text, const std::string& source, const std::string& folder);

}  // namespace cimvp
