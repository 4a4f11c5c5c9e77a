#include "models/device/drift.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

void Drift::program(Conductances& g, Random& rng) const {
  double before = 0, after = 0;
  float* v = g.data();
  for (Eigen::Index i = 0, n = g.size(); i < n; ++i) {
    const double nu = nu_sigma_ > 0 ? std::max(0.0, nu_ + nu_sigma_ * rng.normal()) : nu_;
    before += v[i];
    v[i] = float(double(v[i]) * std::exp(-nu * log_ratio_));
    after += v[i];
  }
  if (compensate_ && after > 0) g *= float(before / after);
}

}  // namespace cimvp
