#include "models/device/stuck_cells.h"

namespace cimvp {

void StuckCells::program(Conductances& g, Random& rng) const {
  const uint64_t crossbar = rng.next();
  for (Eigen::Index r = 0; r < g.cols(); ++r)
    for (Eigen::Index c = 0; c < g.rows(); ++c) {
      const double u = double(mix64(crossbar ^ (uint64_t(r) << 32 | uint64_t(c))) >> 11) * 0x1.0p-53;
      if (u < low_) g(c, r) = g_min_;
      else if (u < low_ + high_) g(c, r) = g_max_;
    }
}

}  // namespace cimvp
