// Conductance drift after programming, the power law of aihwkit's PCM model
// (Nandakumar et al., ICECS 2019; Le Gallo et al. 2018):
//   g(t) = g(t0) (t / t0)^-nu,   nu ~ max(0, N(nu_mean, nu_sigma)) per cell,
// read at t = device.read_time_s, or with a refresh interval at the age of
// each inference's reads (lifetime.h). Global drift compensation (aihwkit's
// GlobalDriftCompensation) reads the summed current of the whole array with
// every row driven at t0 and at t and scales the column currents by the
// ratio, alpha = sum g(t0) / sum g(t): one factor per crossbar, applied here
// to the conductances (equivalently, to the ADC's reference), so the ADC
// sees currents at their programmed scale.
//
// A cell's exponent belongs to its programming: draw() keeps the exponents
// of the cells that conduct, and apply() moves the cells to any age with
// them, so an array read at many ages (a refresh interval) draws once.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "models/device/cell_effect.h"

namespace cimvp {

// The drift exponents of one programmed array.
struct DriftExponents {
  std::vector<uint32_t> cells;  // the cells that conduct (index into the conductances); empty when nu does not vary
  std::vector<double> nu;       // their exponents; empty when nu does not vary (every cell has nu_mean)
  double programmed_sum = 0;    // sum of the conductances as programmed (the compensation's reference)
};

class Drift : public CellEffect {
 public:
  Drift(double nu, double nu_sigma, double t0_s, double t_s, bool compensate)
      : nu_(nu), nu_sigma_(nu_sigma), t0_s_(t0_s), t_s_(t_s), compensate_(compensate) {}
  const char* name() const override { return "drift"; }
  // To the read time t_s given at construction.
  void program(Conductances& g, Random& rng) const override;
  // The exponents of the cells of `g` (as programmed), one normal per cell
  // from `rng` in the order of the cells whatever it conducts.
  void draw(const Conductances& g, Random& rng, DriftExponents& e) const;
  // `g`, the cells as programmed, to `t_s` seconds after programming.
  void apply(const DriftExponents& e, double t_s, Conductances& g) const;

 private:
  double nu_, nu_sigma_, t0_s_, t_s_;
  bool compensate_;
};

}  // namespace cimvp
