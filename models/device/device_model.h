// The cells of a crossbar as the device parameters say they behave: the
// CellEffects of the architecture's device section, in the order the
// physics happens. At programming (program()): on/off ratio (level 0
// conducts g_min), programming variation, stuck cells, drift until the read
// time (with its compensation). At every read (read()): the column currents
// of the programmed conductances, IR drop, read noise. With every effect
// off the model is ideal() and the crossbar keeps its exact integer paths.
//
// Draws. Each effect has its own stream, seeded from (device.seed, core,
// crossbar, effect, programming event) (common/random.h), so turning one
// effect on does not change another's draws, a run is reproducible from its
// architecture, and a weight reprogrammed every inference is drawn anew.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config/arch_config.h"
#include "models/device/cell_effect.h"
#include "models/device/drift.h"

namespace cimvp {

// Which crossbar of the SoC, for seeding.
struct CrossbarIdentity {
  uint64_t seed = 1;  // device.seed
  int core = 0;
  int index = 0;      // crossbar within the core
};

// The cells of one programming, kept to be read at any age (DeviceModel::age).
struct AgingCells {
  Conductances undrifted;  // after every programming-time effect before drift
  DriftExponents drift;
  CrossbarIdentity id;
  uint64_t event = 0;
};

class DeviceModel {
 public:
  DeviceModel(const DeviceParams& device, int cell_bits);

  bool ideal() const { return effects_.empty(); }
  const DeviceParams& params() const { return params_; }
  float g_min() const { return g_min_; }  // conductance of level 0
  float g_max() const { return g_max_; }  // of the top level
  // The effects in the order they apply, for documentation and tests.
  std::vector<const CellEffect*> effects() const;

  // The conductances that cells programmed to `levels` (physical cols x
  // rows) hold at the read time: programming event `event` of crossbar `id`.
  void program(const Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& levels, const CrossbarIdentity& id,
               uint64_t event, Conductances& g) const;
  // For cells read at more than one age (with a refresh interval each
  // inference reads at its own age, lifetime.h): program_aging() keeps the
  // cells of programming event `event` before drift and their drift
  // exponents; age() gives those cells `t_s` seconds after programming
  // (drift and the effects after it). program() is
  // age(program_aging(...), device.read_time_s).
  void program_aging(const Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& levels,
                     const CrossbarIdentity& id, uint64_t event, AgingCells& cells) const;
  void age(const AgingCells& cells, double t_s, Conductances& g) const;
  bool drifts() const { return drift_ != nullptr; }
  // The seed of the read stream of programming event `event` of `id`.
  static uint64_t read_seed(const CrossbarIdentity& id, uint64_t event);
  // column = the column currents of one read with `drive` on the rows;
  // returns the standard deviation of the normal noise every column gets on
  // top (read noise), which the ADC draws.
  double read(const Conductances& g, const Eigen::VectorXf& drive, Eigen::VectorXf& column) const;
  // The same in two parts, after the currents (read_kernels): `column`
  // holds the currents of the ideal wires and a noise-free read with
  // `drive`; read_currents() lets the effects that change them do so
  // (only when changes_currents()), read_sigma() gives the noise of a read
  // whose drives have that squared norm.
  bool changes_currents() const { return !current_changers_.empty(); }
  void read_currents(const Conductances& g, const DriveRef& drive, CurrentRef column) const;
  double read_sigma(double drive_squared_norm) const;

 private:
  // The seed of effect k's stream for programming event `event` of `id`.
  uint64_t effect_seed(const CrossbarIdentity& id, size_t k, uint64_t event) const;

  DeviceParams params_;
  float g_min_ = 0, g_max_ = 0;
  std::vector<std::unique_ptr<CellEffect>> effects_;
  const Drift* drift_ = nullptr;  // among effects_, at drift_index_ (the last effect acting at programming)
  size_t drift_index_ = 0;
  std::vector<const CellEffect*> current_changers_, noise_sources_;  // the effects acting at read time
};

}  // namespace cimvp
