#include "models/device/device_model.h"

#include <cmath>

#include "models/device/drift.h"
#include "models/device/read_kernels.h"
#include "models/device/ir_drop.h"
#include "models/device/on_off_ratio.h"
#include "models/device/programming_variation.h"
#include "models/device/read_noise.h"
#include "models/device/stuck_cells.h"

namespace cimvp {

namespace {
// Stream tags: which use of a crossbar's seed a stream is.
constexpr uint64_t kReadStream = ~uint64_t(0);
}  // namespace

DeviceModel::DeviceModel(const DeviceParams& d, int cell_bits) : params_(d) {
  const int levels = 1 << cell_bits;
  if (d.on_off_ratio > 0) {
    auto e = std::make_unique<OnOffRatio>(d.on_off_ratio, levels);
    g_min_ = e->g_min();
    effects_.push_back(std::move(e));
  }
  g_max_ = float(levels - 1) + g_min_;
  if (d.program_sigma > 0)
    effects_.push_back(std::make_unique<ProgrammingVariation>(d.program_sigma, d.program_distribution == "lognormal", levels));
  if (d.stuck_low_rate > 0 || d.stuck_high_rate > 0)
    effects_.push_back(std::make_unique<StuckCells>(d.stuck_low_rate, d.stuck_high_rate, g_min_, g_max_));
  if (d.drift_nu > 0 || d.drift_nu_sigma > 0) {
    auto e = std::make_unique<Drift>(d.drift_nu, d.drift_nu_sigma, d.drift_t0_s, d.read_time_s,
                                     d.drift_compensation == "global");
    drift_ = e.get();
    drift_index_ = effects_.size();
    effects_.push_back(std::move(e));
  }
  if (d.wire_ohm > 0) effects_.push_back(std::make_unique<IrDrop>(d.wire_ohm, d.lrs_ohm, g_max_));
  if (d.read_sigma > 0) effects_.push_back(std::make_unique<ReadNoise>(d.read_sigma, levels));
  for (const auto& e : effects_) {
    if (e->changes_currents()) current_changers_.push_back(e.get());
    if (e->read_sigma(1.0) > 0) noise_sources_.push_back(e.get());
  }
}

std::vector<const CellEffect*> DeviceModel::effects() const {
  std::vector<const CellEffect*> v;
  for (const auto& e : effects_) v.push_back(e.get());
  return v;
}

uint64_t DeviceModel::effect_seed(const CrossbarIdentity& id, size_t k, uint64_t event) const {
  return derive_seed({id.seed, uint64_t(id.core), uint64_t(id.index), k,
                      effects_[k]->redrawn_per_programming() ? event : 0});
}

void DeviceModel::program(const Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& levels,
                          const CrossbarIdentity& id, uint64_t event, Conductances& g) const {
  if (drift_) {
    AgingCells cells;
    program_aging(levels, id, event, cells);
    age(cells, params_.read_time_s, g);
    return;
  }
  g = levels.cast<float>();
  for (size_t k = 0; k < effects_.size(); ++k) {
    Random rng(effect_seed(id, k, event));
    effects_[k]->program(g, rng);
  }
}

void DeviceModel::program_aging(const Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>& levels,
                                const CrossbarIdentity& id, uint64_t event, AgingCells& cells) const {
  cells.id = id;
  cells.event = event;
  Conductances& g = cells.undrifted;
  g = levels.cast<float>();
  const size_t end = drift_ ? drift_index_ : effects_.size();
  for (size_t k = 0; k < end; ++k) {
    Random rng(effect_seed(id, k, event));
    effects_[k]->program(g, rng);
  }
  if (drift_) {
    Random rng(effect_seed(id, drift_index_, event));
    drift_->draw(g, rng, cells.drift);
  }
}

void DeviceModel::age(const AgingCells& cells, double t_s, Conductances& g) const {
  g = cells.undrifted;
  if (!drift_) return;
  drift_->apply(cells.drift, t_s, g);
  for (size_t k = drift_index_ + 1; k < effects_.size(); ++k) {
    Random rng(effect_seed(cells.id, k, cells.event));
    effects_[k]->program(g, rng);
  }
}

uint64_t DeviceModel::read_seed(const CrossbarIdentity& id, uint64_t event) {
  return derive_seed({id.seed, uint64_t(id.core), uint64_t(id.index), kReadStream, event});
}

double DeviceModel::read(const Conductances& g, const Eigen::VectorXf& drive, Eigen::VectorXf& column) const {
  column.resize(g.rows());
  read_kernels::driven_rows(g.data(), g.outerStride(), g.rows(), drive.data(), drive.size(), column.data());
  read_currents(g, drive, column);
  return read_sigma(double(drive.squaredNorm()));
}

void DeviceModel::read_currents(const Conductances& g, const DriveRef& drive, CurrentRef column) const {
  for (const CellEffect* e : current_changers_) e->read(g, drive, column);
}

double DeviceModel::read_sigma(double drive_squared_norm) const {
  double variance = 0;
  for (const CellEffect* e : noise_sources_) {
    const double s = e->read_sigma(drive_squared_norm);
    variance += s * s;
  }
  return std::sqrt(variance);
}

}  // namespace cimvp
