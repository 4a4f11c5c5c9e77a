// Conductance drift after programming, the power law of aihwkit's PCM model
// (Nandakumar et al., ICECS 2019; Le Gallo et al. 2018):
//   g(t) = g(t0) (t / t0)^-nu,   nu ~ max(0, N(nu_mean, nu_sigma)) per cell,
// read at t = device.read_time_s. Global drift compensation (aihwkit's
// GlobalDriftCompensation) reads the summed current of the whole array with
// every row driven at t0 and at t and scales the column currents by the
// ratio, alpha = sum g(t0) / sum g(t): one factor per crossbar, applied here
// to the conductances (equivalently, to the ADC's reference), so the ADC
// sees currents at their programmed scale.
#pragma once

#include <cmath>

#include "models/device/cell_effect.h"

namespace cimvp {

class Drift : public CellEffect {
 public:
  Drift(double nu, double nu_sigma, double t0_s, double t_s, bool compensate)
      : nu_(nu), nu_sigma_(nu_sigma), log_ratio_(std::log(t_s / t0_s)), compensate_(compensate) {}
  const char* name() const override { return "drift"; }
  void program(Conductances& g, Random& rng) const override;

 private:
  double nu_, nu_sigma_, log_ratio_;
  bool compensate_;
};

}  // namespace cimvp
