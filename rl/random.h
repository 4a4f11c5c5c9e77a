// The search's only source of randomness: a seeded std::mt19937_64 with our
// own uniform and normal transforms. The standard distributions are not used
// because their algorithms differ between standard libraries and
// std::normal_distribution caches a value that the engine state does not
// include; with these, saving the engine state saves everything, so a resumed
// search draws exactly the numbers an uninterrupted one would.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace cimvp::rl {

class Rng {
 public:
  explicit Rng(uint64_t seed = 1) : engine_(seed) {}

  // Uniform in [0, 1), 53 random bits.
  double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), n > 0, without modulo bias.
  uint64_t index(uint64_t n);
  // Standard normal by Box-Muller; one value per call, nothing cached.
  double normal();
  // Normal(mu, sigma) truncated to [lo, hi] by rejection (as scipy's
  // truncnorm, which HAQ samples from); sigma <= 0 returns mu clamped.
  double truncated_normal(double mu, double sigma, double lo, double hi);

  // The engine state as text (the standard's operator<< format) and back.
  std::string state() const;
  void set_state(const std::string& text);

 private:
  std::mt19937_64 engine_;
};

}  // namespace cimvp::rl
