#include "models/device/drift.h"

#include <algorithm>
#include <cmath>

namespace cimvp {

void Drift::program(Conductances& g, Random& rng) const {
  DriftExponents e;
  draw(g, rng, e);
  apply(e, t_s_, g);
}

void Drift::draw(const Conductances& g, Random& rng, DriftExponents& e) const {
  e.cells.clear();
  e.nu.clear();
  e.programmed_sum = 0;
  const float* v = g.data();
  for (Eigen::Index i = 0, n = g.size(); i < n; ++i) {
    e.programmed_sum += v[i];
    if (nu_sigma_ > 0) {
      const double nu = std::max(0.0, nu_ + nu_sigma_ * rng.normal());
      if (v[i] == 0) continue;  // stays 0 at every age (most cells of a sliced array)
      e.cells.push_back(uint32_t(i));
      e.nu.push_back(nu);
    }
  }
}

void Drift::apply(const DriftExponents& e, double t_s, Conductances& g) const {
  const double log_ratio = std::log(t_s / t0_s_);
  double after = 0;
  if (nu_sigma_ > 0) {
    float* v = g.data();
    for (size_t k = 0; k < e.cells.size(); ++k) {
      float& x = v[e.cells[k]];
      x = float(double(x) * std::exp(-e.nu[k] * log_ratio));
      after += x;
    }
  } else {  // one factor for every cell
    g = (g.cast<double>() * std::exp(-nu_ * log_ratio)).cast<float>();
    after = g.cast<double>().sum();
  }
  if (compensate_ && after > 0) g *= float(e.programmed_sum / after);
}

}  // namespace cimvp
