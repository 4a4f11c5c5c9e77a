// Standard normals in blocks, for draws that are the cost of a loop (the
// noise of every ADC conversion of a noisy crossbar, models/adc.h):
// sixteen xoshiro256** streams side by side, one per lane, and the
// Box-Muller transform on each 64-bit word, all in vector registers with
// no table and no branch (where Random's ziggurat takes a slow path for
// one candidate in 36, which costs more than the rest).
//
// Each word gives two independent normals: radius sqrt(-2 ln u) with u
// from 32 bits (so |x| <= 6.77: the tails beyond, 1.3e-11 of the mass, are
// cut) and an angle from 24 bits (2^-24 of a turn). ln, sin and cos are
// Cephes' float polynomials, within a few ulps.
//
// The stream is a function of the seed alone, the same on every CPU:
// integer work and single IEEE float operations, never fused, in the same
// order in every clone (common/vector_clones.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/random.h"

namespace cimvp {

class RandomLanes {
 public:
  static constexpr int kLanes = 16;
  static constexpr int kBlock = 2 * kLanes;  // normals per step

  explicit RandomLanes(uint64_t seed = 0) { reseed(seed); }
  // Every lane from derive_seed({seed, lane}).
  void reseed(uint64_t seed);

  // n standard normals into out: the stream in order, whatever the block
  // sizes (a step's normals that one call leaves are the next call's first).
  void fill_normal(float* out, size_t n);

  // n uniform 64-bit words into out, from the same lanes (the words of a
  // step that one call leaves are the next call's first).
  void fill_words(uint64_t* out, size_t n);

 private:
  // One step of every lane: its kLanes words.
  void step_words(uint64_t* words);
  // One step of every lane as kBlock normals, the first kLanes from the
  // words' cosines, the others from their sines.
  void step_normals(float* block);

  // n values into out from steps of `per_step` (step(block)), the last
  // step's values that a call leaves, spare[used..], first.
  template <typename T, typename Step>
  void fill(T* out, size_t n, T* spare, int& used, int per_step, Step step);

  uint64_t s_[4][kLanes];  // lane l's state: s_[0][l] .. s_[3][l]
  float spare_[kBlock];  // the last normals step, of which spare_used_ are taken
  int spare_used_ = kBlock;
  uint64_t spare_words_[kLanes];  // the last words step, of which spare_words_used_ are taken
  int spare_words_used_ = kLanes;
};

}  // namespace cimvp
