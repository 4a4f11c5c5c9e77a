#include "nn/softmax.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/softmax_unit.h"

namespace cimvp {

const char* softmax_axis_name(SoftmaxAxis a) { return a == SoftmaxAxis::Channels ? "channels" : "width"; }

SoftmaxAxis softmax_axis_from_name(const std::string& name) {
  if (name == "channels") return SoftmaxAxis::Channels;
  if (name == "width") return SoftmaxAxis::Width;
  throw Error("unknown softmax axis '" + name + "' (channels or width)");
}

void softmax_forward(const Shape& s, SoftmaxAxis axis, bool log, const float* x, float* y) {
  for_softmax_groups(s, axis, [&](int64_t first, int64_t stride, int64_t n) {
    float m = x[first];
    for (int64_t i = 1; i < n; ++i) m = std::max(m, x[first + i * stride]);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(double(x[first + i * stride] - m));
    const double ln = std::log(sum);
    for (int64_t i = 0; i < n; ++i) {
      const double v = double(x[first + i * stride] - m);
      y[first + i * stride] = float(log ? v - ln : std::exp(v - ln));
    }
  });
}

void softmax_backward(const Shape& s, SoftmaxAxis axis, bool log, const float* y, const float* g, float* dx) {
  for_softmax_groups(s, axis, [&](int64_t first, int64_t stride, int64_t n) {
    double dot = 0;  // softmax: sum g_j y_j; log-softmax: sum g_j
    for (int64_t i = 0; i < n; ++i) dot += double(g[first + i * stride]) * (log ? 1.0 : double(y[first + i * stride]));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = first + i * stride;
      dx[k] += float(log ? double(g[k]) - std::exp(double(y[k])) * dot : double(y[k]) * (double(g[k]) - dot));
    }
  });
}

std::vector<int32_t> softmax_constants(double s_in, double s_out, int32_t lo, int32_t hi, bool log,
                                       const std::string& node) {
  namespace w = softmax_word;
  std::vector<int32_t> k(size_t(w::kCount), 0);
  auto word = [&](double v, const char* what) {
    if (!(std::fabs(v) < 2147483647.0))
      throw Error("node '" + node + "' (softmax): its " + what + " does not fit 32 bits for the scales " +
                  std::to_string(s_in) + " (input) and " + std::to_string(s_out) + " (output)");
    return int32_t(std::llround(v));
  };
  const double u = 65536.0;
  k[w::kMult] = log ? word(u * s_in / s_out, "input-to-output multiplier") : word(u / s_out, "output multiplier");
  k[w::kLo] = lo;
  k[w::kHi] = hi;
  for (int d = 0; d < 256; ++d) k[size_t(w::kExp + d)] = int32_t(std::llround(32768.0 * std::exp(-s_in * d)));
  if (log) {
    k[w::kLn2] = word(u * std::log(2.0) / s_out, "ln 2 on the output grid");
    for (int j = 0; j < 256; ++j)
      k[size_t(w::kLn + j)] = word(u * std::log1p((j + 0.5) / 256.0) / s_out, "logarithm table");
  }
  return k;
}

}  // namespace cimvp
