// Random numbers that do not depend on the compiler or standard library
// (std::normal_distribution is implementation-defined; its values differ
// between libraries): the device models of the VP draw from these, so a
// noisy run is reproducible from its architecture file alone. The integer
// streams are bit-identical everywhere; normal() uses libm's log, sin and
// cos, which glibc computes to within an ulp on every machine.
//
//   derive_seed(a, b, ...)  one 64-bit seed from several identities (the
//                           config seed, the core, the crossbar, the
//                           programming event), SplitMix64-mixed so nearby
//                           identities give unrelated streams;
//   Random                  xoshiro256** (Blackman and Vigna 2018), with
//                           uniform() in [0, 1) and normal() by Box-Muller.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace cimvp {

// SplitMix64's finalizer: a bijection of 64-bit words with good avalanche.
constexpr uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline uint64_t derive_seed(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x243f6a8885a308d3ull;  // pi's first fraction bits: any constant not 0
  for (uint64_t p : parts) h = mix64(h ^ mix64(p));
  return h;
}

class Random {
 public:
  explicit Random(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    for (uint64_t& s : s_) s = seed = mix64(seed);
    has_spare_ = false;
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

  // Standard normal (mean 0, variance 1), Box-Muller: two draws per pair
  // of uniforms, the second kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 6.283185307179586 * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace cimvp
