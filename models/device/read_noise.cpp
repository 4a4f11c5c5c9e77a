#include "models/device/read_noise.h"

#include <cmath>

namespace cimvp {

void ReadNoise::read(const Conductances&, const Eigen::VectorXf& drive, Eigen::VectorXf& column, Random& rng) const {
  const double s = sigma_ * std::sqrt(double(drive.squaredNorm()));
  if (s == 0) return;
  for (Eigen::Index c = 0; c < column.size(); ++c) column[c] += float(s * rng.normal());
}

}  // namespace cimvp
