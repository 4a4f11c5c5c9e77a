#include "models/device/programming_variation.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

void ProgrammingVariation::program(Conductances& g, Random& rng) const {
  float* v = g.data();
  const Eigen::Index n = g.size();
  if (lognormal_) {
    for (Eigen::Index i = 0; i < n; ++i) v[i] = float(double(v[i]) * std::exp(sigma_ * rng.normal()));
  } else {
    const double s = sigma_ * range_;
    for (Eigen::Index i = 0; i < n; ++i) v[i] = float(std::max(0.0, double(v[i]) + s * rng.normal()));
  }
}

}  // namespace cimvp
