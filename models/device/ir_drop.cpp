#include "models/device/ir_drop.h"

namespace cimvp {

void IrDrop::read(const Conductances& g, const DriveRef& drive, CurrentRef column) const {
  const Eigen::Index cols = g.rows(), rows = g.cols();
  current_.noalias() = g * drive.asDiagonal();  // i(c, r) = g(c, r) v(r)
  // Word lines: the segment before column k carries the currents of the
  // columns >= k; the drop at column c adds up the segments 0..c.
  for (Eigen::Index r = 0; r < rows; ++r) {
    if (drive[r] == 0) continue;
    const float* i = current_.col(r).data();
    float through = 0;
    for (Eigen::Index c = 0; c < cols; ++c) through += i[c];
    float drop = 0;
    for (Eigen::Index c = 0; c < cols; ++c) {
      drop += r_ * through;
      through -= i[c];
      column[c] -= g(c, r) * drop;
    }
  }
  // Bit lines: the segment below row k carries the currents of the rows
  // <= k; the voltage at row r adds up the segments r..P-1.
  prefix_.resize(rows);
  for (Eigen::Index c = 0; c < cols; ++c) {
    float s = 0;
    for (Eigen::Index r = 0; r < rows; ++r) prefix_[r] = s += current_(c, r);
    float v = 0;
    for (Eigen::Index r = rows - 1; r >= 0; --r) {
      v += r_ * prefix_[r];
      column[c] -= g(c, r) * v;
    }
  }
}

}  // namespace cimvp
