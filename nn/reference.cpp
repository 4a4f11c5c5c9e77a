#include "nn/reference.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/error.h"
#include "common/softmax_unit.h"
#include "nn/gemm.h"
#include "nn/requant_row.h"
#include "nn/softmax.h"

namespace cimvp {

namespace {

using DMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A convolution's window: kernel height and width, stride, padding of the
// height and of the width.
struct Window {
  int kh, kw, s, ph, pw;
  int d = 1;  // dilation
};
Window window_of(const QOp& op) { return {op.kernel, op.kernel_w, op.stride, op.padding, op.padding_w, op.dilation}; }

// im2col of a CHW tensor: rows (c, ky, kx), columns output positions (oy, ox);
// padded positions hold `pad` (the input's zero point).
template <typename T, typename M>
void im2col(const T* x, const Shape& is, const Window& win, int ho, int wo, M& col, T pad = T(0)) {
  const int kh = win.kh, kw = win.kw, s = win.s;
  col.setConstant(int64_t(is.c) * kh * kw, int64_t(ho) * wo, typename M::Scalar(pad));
  for (int c = 0; c < is.c; ++c)
    for (int ky = 0; ky < kh; ++ky)
      for (int kx = 0; kx < kw; ++kx) {
        auto* row = col.data() + ((int64_t(c) * kh + ky) * kw + kx) * ho * wo;
        for (int oy = 0; oy < ho; ++oy) {
          const int iy = oy * s - win.ph + ky * win.d;
          if (iy < 0 || iy >= is.h) continue;
          const T* xr = x + (int64_t(c) * is.h + iy) * is.w;
          for (int ox = 0; ox < wo; ++ox) {
            const int ix = ox * s - win.pw + kx * win.d;
            if (ix >= 0 && ix < is.w) row[oy * wo + ox] = xr[ix];
          }
        }
      }
}

// Window reduction shared by the integer and fake-quantized pools: calls
// f(out_index, list of in-bounds input indices) through a small buffer.
template <typename F>
void for_windows(const Shape& is, const Shape& os, const Window& win, F f) {
  std::vector<int64_t> idx;
  idx.reserve(size_t(win.kh * win.kw));
  for (int c = 0; c < is.c; ++c)
    for (int oy = 0; oy < os.h; ++oy)
      for (int ox = 0; ox < os.w; ++ox) {
        idx.clear();
        for (int ky = 0; ky < win.kh; ++ky)
          for (int kx = 0; kx < win.kw; ++kx) {
            const int iy = oy * win.s - win.ph + ky * win.d, ix = ox * win.s - win.pw + kx * win.d;
            if (iy >= 0 && iy < is.h && ix >= 0 && ix < is.w) idx.push_back((int64_t(c) * is.h + iy) * is.w + ix);
          }
        f((int64_t(c) * os.h + oy) * os.w + ox, idx);
      }
}

}  // namespace

using FMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The products are computed by a float or double GEMM, which is exact here:
// every product and every partial sum (in any order) is an integer no larger
// than the layer's bound sum_j |w_j| * max|x|, and such integers are exactly
// representable below 2^24 (float) or 2^53 (double, always true for int32
// accumulators). So the result is the integer matrix product, only faster
// than an int32 GEMM on machines without vector integer multiplies.
struct ReferenceExecutor::Impl {
  std::vector<FMatrix> wf;  // per op: float weights when the layer's bound is < 2^24
  std::vector<DMatrix> wd;  // otherwise double weights
  FMatrix colf, accf;
  DMatrix cold, accd;
  std::vector<int32_t> acci;                // Add/Rescale accumulators
  std::vector<std::vector<int32_t>> batch;  // run_batch(): every tensor of the batch, image after image
};

ReferenceExecutor::ReferenceExecutor(const QuantizedNetwork& q) : q_(q), impl_(std::make_unique<Impl>()) {
  impl_->wf.resize(q.ops.size());
  impl_->wd.resize(q.ops.size());
  for (size_t i = 0; i < q.ops.size(); ++i) {
    const QOp& op = q.ops[i];
    if (op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) continue;
    const int64_t cols = int64_t(op.weight.size()) / op.out_channels;
    const QTensor& in = q.tensors[size_t(op.inputs[0])];
    const int64_t in_abs = std::max<int64_t>(-int64_t(in.lo()), in.hi());
    int64_t bound = 0;
    for (int o = 0; o < op.out_channels; ++o) {
      int64_t s = 0;
      for (int64_t j = 0; j < cols; ++j) s += std::abs(int64_t(op.weight[size_t(o * cols + j)]));
      bound = std::max(bound, s * in_abs);
    }
    if (bound < (int64_t(1) << 24)) {
      FMatrix& w = impl_->wf[i];
      w.resize(op.out_channels, cols);
      for (int64_t j = 0; j < int64_t(op.weight.size()); ++j) w.data()[j] = op.weight[size_t(j)];
    } else {
      DMatrix& w = impl_->wd[i];
      w.resize(op.out_channels, cols);
      for (int64_t j = 0; j < int64_t(op.weight.size()); ++j) w.data()[j] = op.weight[size_t(j)];
    }
  }
}

namespace {

template <typename M>
void layer_product(const QOp& op, const M& w, const int32_t* x, int64_t x_size, const Shape& is, const Shape& os,
                   int32_t pad, M& col, M& acc) {
  if (op.kind == QOpKind::Conv2d) {
    im2col(x, is, window_of(op), os.h, os.w, col, pad);
    acc.noalias() = w * col;
  } else {
    col.resize(x_size, 1);
    for (int64_t j = 0; j < x_size; ++j) col.data()[j] = typename M::Scalar(x[j]);
    acc.noalias() = w * col;
  }
}

// im2col of one image into columns [col0, col0 + ho*wo) of a float matrix
// whose rows are ld long (a batch's images side by side).
void im2col_float(const int32_t* x, const Shape& is, const Window& win, int ho, int wo, float pad, float* col,
                  size_t ld) {
  const int kh = win.kh, kw = win.kw, s = win.s, p = win.pw, d = win.d;
  for (int c = 0; c < is.c; ++c)
    for (int ky = 0; ky < kh; ++ky)
      for (int kx = 0; kx < kw; ++kx) {
        float* row = col + size_t((int64_t(c) * kh + ky) * kw + kx) * ld;
        for (int oy = 0; oy < ho; ++oy) {
          float* r = row + size_t(oy) * wo;
          const int iy = oy * s - win.ph + ky * d;
          if (iy < 0 || iy >= is.h) {
            std::fill(r, r + wo, pad);
            continue;
          }
          const int32_t* xr = x + (int64_t(c) * is.h + iy) * is.w;
          // in-bounds outputs: 0 <= ox*s - p + kx*d < w
          const int lo = std::min(wo, std::max(0, (p - kx * d + s - 1) / s));
          const int hi = std::max(lo, std::min(wo, (is.w + p - kx * d + s - 1) / s));
          std::fill(r, r + lo, pad);
          if (s == 1) {
            const int32_t* src = xr - p + kx * d;
            for (int ox = lo; ox < hi; ++ox) r[ox] = float(src[ox]);
          } else {
            for (int ox = lo; ox < hi; ++ox) r[ox] = float(xr[ox * s - p + kx * d]);
          }
          std::fill(r + hi, r + wo, pad);
        }
      }
}

// Images per im2col block of a batched convolution: enough columns for an
// efficient GEMM, few enough that the block stays in cache.
int conv_block_images(int64_t hw) { return int(std::max<int64_t>(1, (256 + hw - 1) / hw)); }

}  // namespace

ReferenceExecutor::~ReferenceExecutor() = default;

// One op on one image: `in` holds the op's inputs' values, y gets the output.
void ReferenceExecutor::op_image(size_t op_index, const std::vector<const int32_t*>& in, int32_t* y) {
  const QOp& op = q_.ops[op_index];
  const QTensor& out_t = q_.tensors[size_t(op.output)];
  const Shape os = out_t.shape;
  const int32_t* x = in[0];
  const Shape is = q_.tensors[size_t(op.inputs[0])].shape;
  const size_t y_size = size_t(os.size());
  switch (op.kind) {
    case QOpKind::Conv2d:
    case QOpKind::Dense: {
      const bool use_float = impl_->wf[op_index].size() > 0;
      const int32_t pad = q_.tensors[size_t(op.inputs[0])].zero_point;
      if (use_float)
        layer_product(op, impl_->wf[op_index], x, is.size(), is, os, pad, impl_->colf, impl_->accf);
      else
        layer_product(op, impl_->wd[op_index], x, is.size(), is, os, pad, impl_->cold, impl_->accd);
      const int64_t hw = int64_t(os.h) * os.w;
      for (int o = 0; o < op.out_channels; ++o) {
        const int64_t b = op.bias[size_t(o)];
        int32_t* yo = y + o * hw;
        for (int64_t j = 0; j < hw; ++j) {
          const int64_t a = use_float ? int64_t(impl_->accf.data()[o * hw + j]) : int64_t(impl_->accd.data()[o * hw + j]);
          yo[j] = op.requantize ? requantize_value(a + b, op.requant) : int32_t(a + b);  // int32 output: bounded in quantize()
        }
      }
      break;
    }
    case QOpKind::MaxPool:
      if (op.kernel == 2 && op.kernel_w == 2 && op.stride == 2 && op.padding == 0 && op.padding_w == 0 &&
          op.dilation == 1 && is.h == 2 * os.h && is.w == 2 * os.w) {
        // every window in bounds (a ceil-mode pool of an odd size has windows that overhang)
        for (int c = 0; c < os.c; ++c)
          for (int oy = 0; oy < os.h; ++oy) {
            const int32_t* r0 = x + (int64_t(c) * is.h + 2 * oy) * is.w;
            const int32_t* r1 = r0 + is.w;
            int32_t* yo = y + (int64_t(c) * os.h + oy) * os.w;
            for (int ox = 0; ox < os.w; ++ox)
              yo[ox] = std::max(std::max(r0[2 * ox], r0[2 * ox + 1]), std::max(r1[2 * ox], r1[2 * ox + 1]));
          }
        break;
      }
      for_windows(is, os, window_of(op), [&](int64_t o, const std::vector<int64_t>& idx) {
        int32_t m = INT32_MIN;
        for (int64_t j : idx) m = std::max(m, x[size_t(j)]);
        y[size_t(o)] = m;
      });
      break;
    case QOpKind::AvgPool:
      for_windows(is, os, window_of(op), [&](int64_t o, const std::vector<int64_t>& idx) {
        int64_t s = 0;
        for (int64_t j : idx) s += x[size_t(j)];
        y[size_t(o)] = requantize_value(s, op.requant);
      });
      break;
    case QOpKind::GlobalAvgPool: {
      const int64_t hw = int64_t(is.h) * is.w;
      for (int c = 0; c < is.c; ++c) {
        int64_t s = 0;
        for (int64_t j = 0; j < hw; ++j) s += x[size_t(c * hw + j)];
        y[size_t(c)] = requantize_value(s, op.requant);
      }
      break;
    }
    case QOpKind::Add:
    case QOpKind::Rescale: {
      std::vector<int32_t>& acc = impl_->acci;
      acc.assign(y_size, 0);
      for (size_t k = 0; k < op.inputs.size(); ++k) {
        const int32_t* xin = in[k];
        const uint32_t m = uint32_t(op.input_multipliers[k]);
        for (size_t j = 0; j < y_size; ++j)  // Vmac: wraps modulo 2^32 (bounded in quantize())
          acc[j] = int32_t(uint32_t(acc[j]) + uint32_t(xin[j]) * m);
      }
      for (size_t j = 0; j < y_size; ++j) y[j] = requantize_value(acc[j], op.requant);
      break;
    }
    case QOpKind::Channels: {
      const size_t hw = size_t(is.h) * size_t(is.w);
      for (size_t j = 0; j < op.channels.size(); ++j) std::copy_n(x + size_t(op.channels[j]) * hw, hw, y + j * hw);
      break;
    }
    case QOpKind::Pad:
      for_pad_positions(is.c, is.h, is.w, op.pad,
                        [&](long long o, long long i) { y[size_t(o)] = i < 0 ? op.pad_integer : x[size_t(i)]; });
      break;
    case QOpKind::Softmax:
      for_softmax_groups(is, op.softmax_axis, [&](int64_t first, int64_t stride, int64_t n) {
        softmax_unit(x + first, y + first, n, stride, op.log, op.table.data());
      });
      break;
    case QOpKind::Lut: {
      const int32_t lo = q_.tensors[size_t(op.inputs[0])].lo();
      for (size_t j = 0; j < y_size; ++j) y[j] = op.table[size_t(x[j] - lo)];
      break;
    }
    case QOpKind::Mul: {  // a C x 1 x 1 factor scales each channel
      const int32_t* b = in[1];
      const size_t per = size_t(q_.tensors[size_t(op.inputs[1])].shape.size()) == y_size ? 1 : size_t(is.h) * size_t(is.w);
      for (size_t j = 0; j < y_size; ++j) y[j] = requantize_value(int64_t(x[j]) * b[j / per], op.requant);
      break;
    }
    case QOpKind::Concat: {  // CHW: input k's channels are one contiguous block of the output
      size_t at = 0;
      for (size_t k = 0; k < op.inputs.size(); ++k) {
        const size_t part = size_t(q_.tensors[size_t(op.inputs[k])].shape.size());
        const uint32_t m = uint32_t(op.input_multipliers[k]);
        for (size_t j = 0; j < part; ++j)  // Vmac into a zeroed accumulator: bounded in quantize()
          y[at + j] = requantize_value(int32_t(uint32_t(in[k][j]) * m), op.requant);
        at += part;
      }
      break;
    }
  }
}

std::vector<int32_t> ReferenceExecutor::run_op(size_t op_index, const std::vector<std::vector<int32_t>>& t) {
  const QOp& op = q_.ops.at(op_index);
  std::vector<const int32_t*> in;
  for (int i : op.inputs) {
    const std::vector<int32_t>& x = t.at(size_t(i));
    if (int64_t(x.size()) != q_.tensors[size_t(i)].shape.size())
      throw Error("op '" + op.name + "': input tensor is missing");
    in.push_back(x.data());
  }
  std::vector<int32_t> y(size_t(q_.tensors[size_t(op.output)].shape.size()));
  op_image(op_index, in, y.data());
  return y;
}

void ReferenceExecutor::load_input(const int8_t* input, int32_t* t) const {
  const QTensor& it = q_.input_tensor();
  const int64_t size = it.shape.size();
  for (int64_t i = 0; i < size; ++i) {
    // One byte per value, as in the VP's memory: int8 when signed, uint8 when not.
    const int32_t v = it.is_signed ? int32_t(input[i]) : int32_t(uint8_t(input[i]));
    if (v < it.lo() || v > it.hi())
      throw Error("input value " + std::to_string(v) + " at index " + std::to_string(i) + " is outside the " +
                  std::to_string(it.bits) + "-bit " + (it.is_signed ? "signed" : "unsigned") + " range of model '" +
                  q_.name + "'");
    t[i] = v;
  }
}

std::vector<std::vector<int32_t>> ReferenceExecutor::run_all(const std::vector<int8_t>& input) {
  const QTensor& it = q_.input_tensor();
  if (int64_t(input.size()) != it.shape.size())
    throw Error("input has " + std::to_string(input.size()) + " values, model '" + q_.name + "' expects " +
                std::to_string(it.shape.size()) + " (" + it.shape.str() + ")");
  std::vector<std::vector<int32_t>> t(q_.tensors.size());
  t[size_t(q_.input)].resize(input.size());
  load_input(input.data(), t[size_t(q_.input)].data());
  for (size_t i = 0; i < q_.ops.size(); ++i) t[size_t(q_.ops[i].output)] = run_op(i, t);
  return t;
}

std::vector<int32_t> ReferenceExecutor::run(const std::vector<int8_t>& input) {
  auto all = run_all(input);
  return std::move(all[size_t(q_.output)]);
}

// The same ops as run(), on n images at once: a convolution or dense layer
// whose products are exact in float multiplies all images' columns in one
// GEMM (a few images per block for convolutions) instead of one small
// product per image; every other op runs image by image. The integers are
// those of run() (the float products are exact in any order).
void ReferenceExecutor::run_batch(const int8_t* inputs, int n, std::vector<int32_t>& outputs) {
  if (n < 1) {
    outputs.clear();
    return;
  }
  Impl& m = *impl_;
  m.batch.resize(q_.tensors.size());
  auto size_of = [&](int t) { return size_t(q_.tensors[size_t(t)].shape.size()); };
  const size_t in_size = size_of(q_.input);
  m.batch[size_t(q_.input)].resize(size_t(n) * in_size);
  for (int i = 0; i < n; ++i) load_input(inputs + size_t(i) * in_size, m.batch[size_t(q_.input)].data() + size_t(i) * in_size);
  std::vector<const int32_t*> in;
  for (size_t k = 0; k < q_.ops.size(); ++k) {
    const QOp& op = q_.ops[k];
    const size_t ys = size_of(op.output);
    std::vector<int32_t>& y = m.batch[size_t(op.output)];
    y.resize(size_t(n) * ys);
    const bool batched = (op.kind == QOpKind::Conv2d || op.kind == QOpKind::Dense) && m.wf[k].size() > 0;
    if (!batched) {
      for (int i = 0; i < n; ++i) {
        in.clear();
        for (int t : op.inputs) in.push_back(m.batch[size_t(t)].data() + size_t(i) * size_of(t));
        op_image(k, in, y.data() + size_t(i) * ys);
      }
      continue;
    }
    const int32_t* x = m.batch[size_t(op.inputs[0])].data();
    const QTensor& it = q_.tensors[size_t(op.inputs[0])];
    const size_t xs = size_of(op.inputs[0]);
    const FMatrix& w = m.wf[k];
    const int64_t K = w.cols(), co = op.out_channels;
    // Bias and requantization of one output channel's n accumulators.
    auto finish = [&](int64_t o, const float* a, int64_t n_acc, int32_t* dst) {
      const int64_t b = op.bias[size_t(o)];
      if (!op.requantize) {
        for (int64_t j = 0; j < n_acc; ++j) dst[j] = int32_t(int64_t(a[j]) + b);
        return;
      }
      requantize_row(a, n_acc, b, op.requant, dst);
    };
    if (op.kind == QOpKind::Dense) {  // acc[n x co] = X[n x K] * Wᵀ
      m.colf.resize(n, K);
      for (size_t j = 0; j < size_t(n) * xs; ++j) m.colf.data()[j] = float(x[j]);
      m.accf.resize(n, co);
      gemm(false, true, n, co, K, m.colf.data(), K, w.data(), K, m.accf.data(), co);
      for (int i = 0; i < n; ++i)
        for (int64_t o = 0; o < co; ++o) finish(o, &m.accf(i, o), 1, y.data() + size_t(i) * ys + size_t(o));
      continue;
    }
    const Shape os = q_.tensors[size_t(op.output)].shape;
    const int64_t hw = int64_t(os.h) * os.w;
    const int block = conv_block_images(hw);
    for (int i0 = 0; i0 < n; i0 += block) {
      const int bi = std::min(block, n - i0);
      const size_t ld = size_t(bi) * size_t(hw);
      m.colf.resize(K, int64_t(ld));
      for (int i = 0; i < bi; ++i)
        im2col_float(x + size_t(i0 + i) * xs, it.shape, window_of(op), os.h, os.w,
                     float(it.zero_point), m.colf.data() + size_t(i) * hw, ld);
      m.accf.resize(co, int64_t(ld));
      gemm(false, false, co, ptrdiff_t(ld), K, w.data(), K, m.colf.data(), ptrdiff_t(ld), m.accf.data(), ptrdiff_t(ld));
      for (int i = 0; i < bi; ++i)
        for (int64_t o = 0; o < co; ++o) {
          const float* a = m.accf.data() + size_t(o) * ld + size_t(i) * hw;
          int32_t* dst = y.data() + size_t(i0 + i) * ys + size_t(o * hw);
          finish(o, a, hw, dst);
        }
    }
  }
  const std::vector<int32_t>& out = m.batch[size_t(q_.output)];
  outputs.assign(out.begin(), out.begin() + ptrdiff_t(size_t(n) * size_of(q_.output)));
}

std::vector<int32_t> run_reference(const QuantizedNetwork& q, const std::vector<int8_t>& input) {
  ReferenceExecutor e(q);
  return e.run(input);
}

int argmax(const std::vector<int32_t>& v) {
  return v.empty() ? -1 : int(std::max_element(v.begin(), v.end()) - v.begin());
}

// ------------------------------------------------------------ fake quantization

std::vector<double> fake_quant_op(const QuantizedNetwork& q, size_t op_index,
                                  const std::vector<std::vector<double>>& t) {
  const QOp& op = q.ops.at(op_index);
  const QTensor& out = q.tensors[size_t(op.output)];
  const Shape os = out.shape;
  const std::vector<double>& x = t.at(size_t(op.inputs[0]));
  const Shape is = q.tensors[size_t(op.inputs[0])].shape;
  auto grid = [&](double y) { return out.scale * quantize_value(y, out.scale, out.lo(), out.hi()); };
  std::vector<double> y(size_t(os.size()));
  switch (op.kind) {
    case QOpKind::Conv2d:
    case QOpKind::Dense: {
      const int64_t cols = int64_t(op.weight.size()) / op.out_channels;
      DMatrix w(op.out_channels, cols);
      for (int64_t j = 0; j < int64_t(op.weight.size()); ++j) w.data()[j] = op.weight_scale * op.weight[size_t(j)];
      DMatrix acc;
      if (op.kind == QOpKind::Conv2d) {
        DMatrix col;
        im2col(x.data(), is, window_of(op), os.h, os.w, col);
        acc = w * col;
      } else {
        acc = w * Eigen::Map<const DMatrix>(x.data(), int64_t(x.size()), 1);
      }
      const int64_t hw = int64_t(os.h) * os.w;
      for (int o = 0; o < op.out_channels; ++o) {
        const double b = op.acc_scale * op.bias[size_t(o)];
        for (int64_t j = 0; j < hw; ++j) {
          const double v = acc.data()[o * hw + j] + b;
          y[size_t(o * hw + j)] = op.requantize ? grid(v) : v;
        }
      }
      break;
    }
    case QOpKind::MaxPool:
      for_windows(is, os, window_of(op), [&](int64_t o, const std::vector<int64_t>& idx) {
        double m = -INFINITY;
        for (int64_t j : idx) m = std::max(m, x[size_t(j)]);
        y[size_t(o)] = m;
      });
      break;
    case QOpKind::AvgPool:
      for_windows(is, os, window_of(op), [&](int64_t o, const std::vector<int64_t>& idx) {
        double s = 0;
        for (int64_t j : idx) s += x[size_t(j)];
        y[size_t(o)] = grid(s / (double(op.kernel) * op.kernel_w));
      });
      break;
    case QOpKind::GlobalAvgPool: {
      const int64_t hw = int64_t(is.h) * is.w;
      for (int c = 0; c < is.c; ++c) {
        double s = 0;
        for (int64_t j = 0; j < hw; ++j) s += x[size_t(c * hw + j)];
        y[size_t(c)] = grid(s / double(hw));
      }
      break;
    }
    case QOpKind::Add:
    case QOpKind::Rescale:
      for (size_t j = 0; j < y.size(); ++j) {
        double s = 0;
        for (int in : op.inputs) s += t.at(size_t(in))[j];
        y[j] = grid(s);
      }
      break;
    case QOpKind::Concat: {
      size_t at = 0;
      for (int in : op.inputs)
        for (double v : t.at(size_t(in))) y[at++] = grid(v);
      break;
    }
    case QOpKind::Channels: {
      const size_t hw = size_t(is.h) * size_t(is.w);
      for (size_t j = 0; j < op.channels.size(); ++j)
        std::copy_n(x.begin() + std::ptrdiff_t(size_t(op.channels[j]) * hw), hw, y.begin() + std::ptrdiff_t(j * hw));
      break;
    }
    case QOpKind::Pad:
      for_pad_positions(is.c, is.h, is.w, op.pad, [&](long long o, long long i) {
        y[size_t(o)] = i < 0 ? out.scale * (op.pad_integer - out.zero_point) : x[size_t(i)];
      });
      break;
    case QOpKind::Softmax: {  // the float function of the grid values, onto the output grid
      std::vector<float> xf(x.begin(), x.end()), yf(y.size());
      softmax_forward(is, op.softmax_axis, op.log, xf.data(), yf.data());
      for (size_t j = 0; j < y.size(); ++j) y[j] = grid(yf[j]);
      break;
    }
    case QOpKind::Lut: {  // the input is on its grid: the table is the function rounded onto the output's
      const QTensor& in = q.tensors[size_t(op.inputs[0])];
      for (size_t j = 0; j < y.size(); ++j)
        y[j] = out.scale * op.table[size_t(std::llround(x[j] / in.scale) - in.lo())];
      break;
    }
    case QOpKind::Mul: {
      const std::vector<double>& b = t.at(size_t(op.inputs[1]));
      const size_t per = b.size() == y.size() ? 1 : size_t(is.h) * size_t(is.w);
      for (size_t j = 0; j < y.size(); ++j) y[j] = grid(x[j] * b[j / per]);
      break;
    }
  }
  return y;
}

std::vector<std::vector<double>> fake_quant_forward_all(const QuantizedNetwork& q, const std::vector<float>& image) {
  for (const QTensor& t : q.tensors)
    if (t.zero_point != 0)
      throw Error("model '" + q.name + "': fake quantization covers zero points of 0 only (tensor '" + t.name + "')");
  const std::vector<int8_t> qi = quantize_input(q, image);
  std::vector<std::vector<double>> t(q.tensors.size());
  t[size_t(q.input)].resize(qi.size());
  for (size_t i = 0; i < qi.size(); ++i) t[size_t(q.input)][i] = q.input_tensor().scale * qi[i];
  for (size_t i = 0; i < q.ops.size(); ++i) t[size_t(q.ops[i].output)] = fake_quant_op(q, i, t);
  return t;
}

std::vector<double> fake_quant_forward(const QuantizedNetwork& q, const std::vector<float>& image) {
  auto all = fake_quant_forward_all(q, image);
  return std::move(all[size_t(q.output)]);
}

}  // namespace cimvp
