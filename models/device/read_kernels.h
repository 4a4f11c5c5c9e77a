// The two inner loops of a noisy crossbar read, where the analog path
// spends its time: the column currents of the driven rows, and the
// conversion of a column block by the ADC. Each function is compiled three
// times (GCC target_clones: AVX-512, AVX2 and baseline x86-64) and the
// loader picks the one the CPU runs. All clones compute the same bits: the loops vectorize
// across columns, so every column's sum keeps its order, and neither clone
// may fuse multiply-adds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimvp::read_kernels {

// column[c] = sum over rows r with drive[r] != 0 of drive[r] g[r * ld + c],
// for c < cols: g is column-major (physical columns x rows, leading
// dimension ld).
void driven_rows(const float* g, ptrdiff_t ld, ptrdiff_t cols, const float* drive, ptrdiff_t rows, float* column);
// driven_rows over a list of the rows whose drive is not 0: the n rows
// rows[i] (in increasing order) with drives drive[i]. The same sums in the
// same order as driven_rows, so the same bits, with no branch on which
// digits are 0 and each column block's sums kept in registers.
void listed_rows(const float* g, ptrdiff_t ld, ptrdiff_t cols, const int32_t* rows, const float* drive, ptrdiff_t n,
                 float* column);

// The ADC of adc.h on n values: x = v + sigma noise (noise may be null
// when sigma is 0); bipolar: out = sign(x) table[clamp(trunc(|x| gain +
// offset), 0, top)], unipolar: table[clamp(trunc(x gain + offset), 0, top)].
// table holds top + 1 reconstructed values.
// The code index of reading x: clamp(round_half_up(m), 0, top) with
// m = |x| gain + offset - 1/2 (bipolar) or x gain + offset - 1/2; offset
// carries the 1/2. For m >= 0 truncation is floor, so clamping first and
// truncating is that rounding, without a branch.
inline double clamped_code(double x, bool bipolar, double gain, double offset, double top) {
  const double m = (bipolar ? (x < 0 ? -x : x) : x) * gain + offset;
  return m < 0 ? 0.0 : m > top ? top : m;
}

void convert(const float* v, const float* noise, float sigma, size_t n, bool bipolar, double gain, double offset,
             int32_t top, const int64_t* table, int64_t* out);

}  // namespace cimvp::read_kernels
