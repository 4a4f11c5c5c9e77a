// Bias and requantization of a row of float accumulators: what the integer
// reference executor does to every output of a convolution or dense layer
// (a search's accuracy measures 2,000 images per policy, some 130 million
// values for vgg-small), so it has a vector path.
#pragma once

#include <cstdint>

#include "nn/quant.h"

namespace cimvp {

// dst[j] = requantize(int64(acc[j]) + bias, rq...) for j < n. Every acc[j]
// must be an integer below 2^24 in magnitude (the executor's float GEMMs are
// exact only then). Bit for bit requantize(), on every path.
void requantize_row(const float* acc, int64_t n, int64_t bias, const Requant& rq, int32_t* dst);

}  // namespace cimvp
