// IR drop, first order: the word lines are driven at column 0 and the bit
// lines sensed (at virtual ground) below the last row; every cell pitch of
// wire has resistance R (device.wire_ohm). The ideal cell currents
// i(c, r) = g(c, r) v(r) flow through the wires and lower the voltage each
// cell sees:
//   word line r at column c:  v(r) - R sum_{k=0..c} sum_{c'>=k} i(c', r)
//   bit line c at row r:      R sum_{k=r..P-1} sum_{r'<=k} i(c, r')
// and the cell passes g(c, r) times their difference. One step of the
// fixed-point iteration of the exact network (CrossSim and NeuroSim iterate
// further): accurate while R g_max x (rows + columns) is small, which is the
// regime real arrays are designed for. Conductances are in level steps;
// R g in the formula is R / R_lrs x g / g_top, g_top the conductance of the
// top level (g_max).
#pragma once

#include "models/device/cell_effect.h"

namespace cimvp {

class IrDrop : public CellEffect {
 public:
  IrDrop(double wire_ohm, double lrs_ohm, float g_max) : r_(float(wire_ohm / lrs_ohm / double(g_max))) {}
  const char* name() const override { return "IR drop"; }
  bool changes_currents() const override { return true; }
  void read(const Conductances& g, const DriveRef& drive, CurrentRef column) const override;

 private:
  float r_;  // wire resistance per pitch, in 1 / (level step)
  mutable Conductances current_;  // scratch: i(c, r)
  mutable Eigen::VectorXf prefix_;  // scratch: a bit line's running current
};

}  // namespace cimvp
