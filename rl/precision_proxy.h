// The reward of a latency-only search (`accuracy: none`, docs/search.md):
// a network with random weights and no dataset has no accuracy to measure,
// so the search rewards the precision a policy keeps, from its bits alone.
//
// Uniform quantization to b bits adds noise whose power relative to the
// signal is proportional to 4^-b (6 dB per bit). A layer's output sums n
// products, and both the signal and the independent rounding errors of the
// n terms grow with n, so the relative noise a layer adds does not depend on
// its size: each layer's weights and each layer's input add 4^-bits, and the
// noise of successive layers adds up. The policy's noise is therefore
//   N = sum over layers of (4^-weight_bits + 4^-activation_bits),
// and its effective bits are the uniform width with the same total noise:
//   effective_bits = -log4(N / (2 x layers)),
// 8 for W8A8, 4 for W4A4. One layer's weights at 2 bits among 50 layers at
// W8A8 leave 5.3:
// as for a real network's accuracy, a single starved layer costs more than
// the same bits taken evenly (a parameter-weighted mean of the bits would
// give a small layer's bits away for nothing).
#pragma once

#include "nn/policy.h"

namespace cimvp::rl {

// The bits of the search's baseline (uniform W8A8): the proxy's 1.
constexpr int kBaselineBits = 8;

// -log4 of the mean relative quantization noise over the 2 x layers
// weight and activation quantizers (above). Throws cimvp::Error for an
// empty or malformed policy.
double effective_bits(const Policy& policy);

// effective_bits / 8: the search's "accuracy" with `accuracy: none`, a
// fraction in (0, 1] that is 1 at W8A8, so that HAQ's constrained reward
// 0.1 x (100 x proxy - 100) is 1.25 per effective bit below W8A8.
double precision_proxy(const Policy& policy);

}  // namespace cimvp::rl
