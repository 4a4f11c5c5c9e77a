#include "models/device/read_noise.h"

#include <cmath>

namespace cimvp {

double ReadNoise::read_sigma(const DriveRef& drive) const {
  return sigma_ * std::sqrt(double(drive.squaredNorm()));
}

}  // namespace cimvp
