// The seam for device models: one CellEffect per non-ideality of RRAM cells
// and their wires, each in its own file beside this one, composed by
// DeviceModel (device_model.h) in the order the physics happens.
//
// Units. Conductances are in level steps: a cell programmed to level l of
// L = 2^cell_bits conducts l (ideal device), so the range g_max - g_min is
// L - 1 and an ideal column current is the integer column sum the ADC
// digitizes. Drives are the DAC digits of the rows (negative on the
// negative rows of the differential-row mapping).
//
// Matrices are physical columns x physical rows, as the crossbar keeps its
// levels: g.col(r) is row r's cells across the columns.
#pragma once

#include <Eigen/Core>

#include "common/random.h"

namespace cimvp {

using Conductances = Eigen::MatrixXf;
// One read's row drives and column currents: a vector, or a column of the
// matrix of every input slice of an MVM (Crossbar reads them all at once).
using DriveRef = Eigen::Ref<const Eigen::VectorXf>;
using CurrentRef = Eigen::Ref<Eigen::VectorXf>;

class CellEffect {
 public:
  virtual ~CellEffect() = default;
  virtual const char* name() const = 0;
  // At programming: changes the target conductances into what the cells
  // hold when inference reads them. Draws from `rng` only: DeviceModel
  // gives every effect its own stream, seeded from the crossbar and, when
  // redrawn_per_programming(), the programming event.
  virtual void program(Conductances& g, Random& rng) const {
    (void)g;
    (void)rng;
  }
  // False for properties of the array that programming does not change
  // (which cells are stuck).
  virtual bool redrawn_per_programming() const { return true; }
  // True when read() changes currents (the crossbar then gives every read
  // its drives as a vector; otherwise it needs only their squared norm).
  virtual bool changes_currents() const { return false; }
  // At every read of one input slice: `column` holds the column currents
  // sum_r g(c, r) drive(r) of the ideal wires and a noise-free read; the
  // effect changes them (deterministically: random read noise is
  // read_sigma()).
  virtual void read(const Conductances& g, const DriveRef& drive, CurrentRef column) const {
    (void)g;
    (void)drive;
    (void)column;
  }
  // The standard deviation of the normal current noise this effect adds to
  // every column, independently, at a read whose drives have the squared
  // norm sum_r drive(r)^2 (column-sum units): noise of independent cells
  // of equal spread depends on the drives through that alone. The ADC
  // draws it together with its own input-referred noise: one draw per
  // conversion (adc.h).
  virtual double read_sigma(double drive_squared_norm) const {
    (void)drive_squared_norm;
    return 0;
  }
};

}  // namespace cimvp
