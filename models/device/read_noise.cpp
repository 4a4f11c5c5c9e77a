#include "models/device/read_noise.h"

#include <cmath>

namespace cimvp {

double ReadNoise::read_sigma(double drive_squared_norm) const {
  return sigma_ * std::sqrt(drive_squared_norm);
}

}  // namespace cimvp
