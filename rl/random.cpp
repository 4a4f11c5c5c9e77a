#include "rl/random.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "common/error.h"

namespace cimvp::rl {

uint64_t Rng::index(uint64_t n) {
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = engine_();
  while (x >= limit);
  return x % n;
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double Rng::truncated_normal(double mu, double sigma, double lo, double hi) {
  if (!(sigma > 0)) return std::clamp(mu, lo, hi);
  // mu lies in [lo, hi] for every caller (the actor's sigmoid output), so at
  // least about a third of the draws are accepted; the cap only guards
  // against a mean far outside the interval.
  for (int tries = 0; tries < 10000; ++tries) {
    const double x = mu + sigma * normal();
    if (x >= lo && x <= hi) return x;
  }
  return std::clamp(mu, lo, hi);
}

std::string Rng::state() const {
  std::ostringstream s;
  s << engine_;
  return s.str();
}

void Rng::set_state(const std::string& text) {
  std::istringstream s(text);
  s >> engine_;
  if (s.fail()) throw Error("random generator state is malformed");
}

}  // namespace cimvp::rl
