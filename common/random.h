// Random numbers that do not depend on the compiler or standard library
// (std::normal_distribution is implementation-defined; its values differ
// between libraries): the device models of the VP draw from these, so a
// noisy run is reproducible from its architecture file alone. The integer
// streams are bit-identical everywhere; normal() uses libm's exp and log
// (its tables, and rarely at a call), which glibc computes to within an ulp.
//
//   derive_seed(a, b, ...)  one 64-bit seed from several identities (the
//                           config seed, the core, the crossbar, the
//                           programming event), SplitMix64-mixed so nearby
//                           identities give unrelated streams;
//   Random                  xoshiro256** (Blackman and Vigna 2018), with
//                           uniform() in [0, 1) and normal() by the ziggurat.
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

  // Standard normal (mean 0, variance 1): the ziggurat method of Marsaglia
  // and Tsang (J. Stat. Softw. 2000) with 128 layers; the layer index and
  // the 32-bit value come from different bits of one 64-bit draw. About
  // 99 % of the calls cost one draw and a multiply.
  double normal() {
    const Ziggurat& z = ziggurat();
    const uint64_t u = next();
    const int layer = int(u & 127);
    const int32_t hz = int32_t(uint32_t(u >> 32));
    if (uint32_t(hz < 0 ? -int64_t(hz) : hz) < z.k[layer]) return double(hz) * z.w[layer];
    return beyond_layer(layer, hz);
  }

  // n standard normals into out: two per 64-bit draw, each from one 32-bit
  // half (7 bits choose the layer, the other 25 the signed value, so
  // resolution within a layer is 2^-24 of its width). For the crossbar's
  // per-conversion noise, where draws are the cost.
  void fill_normal(float* out, size_t n) {
    const Ziggurat& z = ziggurat();
    size_t i = 0;
    auto one = [&](uint32_t h) {
      const int layer = int(h & 127);
      const int32_t v = int32_t(h) >> 7;  // arithmetic: -2^24 .. 2^24 - 1
      if (uint32_t(v < 0 ? -v : v) < z.k25[layer])
        out[i] = float(double(v) * z.w25[layer]);
      else  // the same point at 32-bit scale, with the low bits of the value zero
        out[i] = float(beyond_layer(layer, int32_t(uint32_t(v) << 7)));
      ++i;
    };
    while (i + 2 <= n) {
      const uint64_t u = next();
      one(uint32_t(u));
      one(uint32_t(u >> 32));
    }
    if (i < n) one(uint32_t(next()));
  }

 private:
  // The rest of the ziggurat for a point (layer, hz) outside the layer's
  // rectangle core: the tail beyond r (layer 0) or the wedge test; a
  // rejected point is replaced by a fresh normal() (rejection keeps the
  // accepted points exactly normal, whichever exact sampler redraws).
  double beyond_layer(int layer, int32_t hz) {
    const Ziggurat& z = ziggurat();
    const double x = double(hz) * z.w[layer];
    if (layer == 0) {  // the tail beyond r
      double t, y;
      do {
        t = -std::log(1.0 - uniform()) / Ziggurat::kR;
        y = -std::log(1.0 - uniform());
      } while (y + y < t * t);
      return hz > 0 ? Ziggurat::kR + t : -Ziggurat::kR - t;
    }
    if (z.f[layer] + uniform() * (z.f[layer - 1] - z.f[layer]) < std::exp(-0.5 * x * x)) return x;
    return normal();
  }

  struct Ziggurat {
    static constexpr double kR = 3.442619855899;       // start of the tail
    static constexpr double kV = 9.91256303526217e-3;  // area of each layer
    uint32_t k[128], k25[128];  // k25, w25: for 25-bit values (fill_normal)
    double w[128], f[128], w25[128];
    Ziggurat() {
      const double m = 2147483648.0;  // 2^31
      double d = kR, t = kR;
      const double q = kV / std::exp(-0.5 * d * d);
      k[0] = uint32_t((d / q) * m);
      k[1] = 0;
      w[0] = q / m;
      w[127] = d / m;
      f[0] = 1.0;
      f[127] = std::exp(-0.5 * d * d);
      for (int i = 126; i >= 1; --i) {
        d = std::sqrt(-2.0 * std::log(kV / d + std::exp(-0.5 * d * d)));
        k[i + 1] = uint32_t((d / t) * m);
        t = d;
        f[i] = std::exp(-0.5 * d * d);
        w[i] = d / m;
      }
      for (int i = 0; i < 128; ++i) {
        k25[i] = k[i] >> 7;
        w25[i] = w[i] * 128.0;
      }
    }
  };
  static const Ziggurat& ziggurat() {
    static const Ziggurat z;
    return z;
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace cimvp
