#include "common/random_lanes.h"

#include <algorithm>
#include <cstring>

#include "common/vector_clones.h"

namespace cimvp {

void RandomLanes::reseed(uint64_t seed) {
  for (int l = 0; l < kLanes; ++l) {
    uint64_t x = derive_seed({seed, uint64_t(l)});
    for (auto& word : s_) word[l] = x = mix64(x);
  }
  spare_used_ = kBlock;
  spare_words_used_ = kLanes;
}

namespace {

// GCC vector extensions: one value per lane; a clone maps them to zmm,
// ymm or xmm registers.
constexpr int kLanes = RandomLanes::kLanes;
typedef uint64_t U64 __attribute__((vector_size(kLanes * 8)));
typedef uint32_t U32 __attribute__((vector_size(kLanes * 4)));
typedef int32_t I32 __attribute__((vector_size(kLanes * 4)));
typedef float F32 __attribute__((vector_size(kLanes * 4)));

// ln x for x > 0 (normal floats): Cephes' logf, a polynomial on
// [sqrt(1/2), sqrt(2)) after taking the exponent apart; within a few ulps.
__attribute__((always_inline)) inline F32 log_lanes(F32 x) {
  const I32 bits = I32(x);
  I32 e = ((bits >> 23) & 0xff) - 126;
  F32 m = F32((bits & 0x807fffff) | 0x3f000000);  // [1/2, 1)
  const I32 small = m < 0.707106781186547524f;
  e += small;  // -1 where small
  m = (small ? m + m : m) - 1.0f;
  const F32 z = m * m;
  F32 y = F32{} + 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  const F32 ef = __builtin_convertvector(e, F32);
  y += -2.12194440e-4f * ef;
  y += -0.5f * z;
  return m + y + 0.693359375f * ef;
}

// Random::next, lane by lane.
__attribute__((always_inline)) inline U64 next_words(uint64_t (&state)[4][kLanes]) {
  U64 s[4];
  std::memcpy(s, state, sizeof s);
  const U64 a = s[1] * 5;
  const U64 word = ((a << 7) | (a >> 57)) * 9;
  const U64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  std::memcpy(state, s, sizeof s);
  return word;
}

}  // namespace

CIMVP_VECTOR_CLONES
void RandomLanes::step_words(uint64_t* words) {
  const U64 word = next_words(s_);
  std::memcpy(words, &word, sizeof word);
}

CIMVP_VECTOR_CLONES
void RandomLanes::step_normals(float* block) {
  const U64 word = next_words(s_);
  // Box-Muller: radius sqrt(-2 ln u), u = (h + 1/2) 2^-32 from the low
  // half (in two exact pieces: float holds 24 bits); the angle from the
  // high half's top 24 bits: 3 choose the octant, 21 the angle within it.
  const I32 low = I32(__builtin_convertvector(word, U32)), high = I32(__builtin_convertvector(word >> 32, U32));
  const F32 u = __builtin_convertvector((low >> 8) & 0xffffff, F32) * 0x1p-24f +
                __builtin_convertvector(low & 0xff, F32) * 0x1p-32f + 0x1p-33f;
  F32 r2 = -2.0f * log_lanes(u);
  r2 = r2 > 0.0f ? r2 : F32{};  // ln u <= 0 already; the square root never sees a negative
  F32 radius;
  for (int l = 0; l < kLanes; ++l) radius[l] = __builtin_sqrtf(r2[l]);
  const I32 octant = (high >> 29) & 7;
  // theta in (0, pi/4): the angle's place within its octant.
  const F32 theta = (__builtin_convertvector((high >> 8) & 0x1fffff, F32) + 0.5f) * (0.78539816339744831f * 0x1p-21f);
  const F32 z = theta * theta;
  // Cephes' sinf and cosf polynomials on [0, pi/4].
  const F32 sine = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * theta + theta;
  const F32 cosine = ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z -
                     0.5f * z + 1.0f;
  // The octant's symmetry of the square (swap, then signs) takes the angle
  // in (0, pi/4) to a uniform angle on the whole circle.
  const I32 swap = (octant & 1) != 0, flip_a = (octant & 2) != 0, flip_b = (octant & 4) != 0;
  const F32 a_ = swap ? sine : cosine, b_ = swap ? cosine : sine;
  const F32 x = radius * (flip_a ? -a_ : a_), y = radius * (flip_b ? -b_ : b_);
  std::memcpy(block, &x, sizeof x);
  std::memcpy(block + kLanes, &y, sizeof y);
}

template <typename T, typename Step>
void RandomLanes::fill(T* out, size_t n, T* spare, int& used, int per_step, Step step) {
  size_t i = std::min(n, size_t(per_step - used));
  std::memcpy(out, spare + used, i * sizeof(T));
  used += int(i);
  for (; i + size_t(per_step) <= n; i += size_t(per_step)) step(out + i);
  if (i < n) {
    step(spare);
    used = int(n - i);
    std::memcpy(out + i, spare, (n - i) * sizeof(T));
  }
}

void RandomLanes::fill_normal(float* out, size_t n) {
  fill(out, n, spare_, spare_used_, kBlock, [this](float* block) { step_normals(block); });
}

void RandomLanes::fill_words(uint64_t* out, size_t n) {
  fill(out, n, spare_words_, spare_words_used_, kLanes, [this](uint64_t* words) { step_words(words); });
}

}  // namespace cimvp
