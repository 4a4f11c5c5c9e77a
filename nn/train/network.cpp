#include "nn/train/network.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/random.h"
#include "nn/gemm.h"
#include "nn/softmax.h"
#include "nn/train/thread_pool.h"

namespace cimvp::training {

namespace {

// ------------------------------------------------------------------ kernels

// Column block of one image: rows (c, kh, kw), columns (oh, ow), written at
// column offset col0 of a matrix whose rows are ld floats long.
void im2col(const float* x, int C, int H, int W, const Node& nd, int Ho, int Wo, float* col, size_t ld) {
  const int KH = nd.kernel, KW = nd.kw(), stride = nd.stride, pad_h = nd.padding, pad = nd.pw(), d = nd.dilation;
  for (int c = 0; c < C; ++c)
    for (int kh = 0; kh < KH; ++kh)
      for (int kw = 0; kw < KW; ++kw) {
        float* dst = col + size_t((c * KH + kh) * KW + kw) * ld;
        // valid ow range: 0 <= ow*stride - pad + kw < W
        const int ow_lo = std::min(Wo, std::max(0, (pad - kw * d + stride - 1) / stride));
        const int ow_hi = std::max(ow_lo, std::min(Wo, (W + pad - kw * d + stride - 1) / stride));
        for (int oh = 0; oh < Ho; ++oh) {
          float* dst_row = dst + oh * Wo;
          const int ih = oh * stride - pad_h + kh * d;
          if (ih < 0 || ih >= H) {
            std::fill(dst_row, dst_row + Wo, 0.f);
            continue;
          }
          const float* src = x + (size_t(c) * H + ih) * W;
          std::fill(dst_row, dst_row + ow_lo, 0.f);
          if (stride == 1) {
            std::copy(src + ow_lo - pad + kw * d, src + ow_hi - pad + kw * d, dst_row + ow_lo);
          } else {
            for (int ow = ow_lo; ow < ow_hi; ++ow) dst_row[ow] = src[ow * stride - pad + kw * d];
          }
          std::fill(dst_row + ow_hi, dst_row + Wo, 0.f);
        }
      }
}

// The transpose of im2col: adds the column block into dx (which the caller zeroed or holds a sum).
void col2im(const float* col, size_t ld, int C, int H, int W, const Node& nd, int Ho, int Wo, float* dx) {
  const int KH = nd.kernel, KW = nd.kw(), stride = nd.stride, pad_h = nd.padding, pad = nd.pw(), d = nd.dilation;
  for (int c = 0; c < C; ++c)
    for (int kh = 0; kh < KH; ++kh)
      for (int kw = 0; kw < KW; ++kw) {
        const float* src = col + size_t((c * KH + kh) * KW + kw) * ld;
        const int ow_lo = std::min(Wo, std::max(0, (pad - kw * d + stride - 1) / stride));
        const int ow_hi = std::max(ow_lo, std::min(Wo, (W + pad - kw * d + stride - 1) / stride));
        for (int oh = 0; oh < Ho; ++oh) {
          const int ih = oh * stride - pad_h + kh * d;
          if (ih < 0 || ih >= H) continue;
          float* row = dx + (size_t(c) * H + ih) * W;
          const float* s = src + oh * Wo;
          if (stride == 1) {
            float* dd = row - pad + kw * d;
            for (int ow = ow_lo; ow < ow_hi; ++ow) dd[ow] += s[ow];
          } else {
            for (int ow = ow_lo; ow < ow_hi; ++ow) row[ow * stride - pad + kw * d] += s[ow];
          }
        }
      }
}

// floor(v) for |v| < 2^31, vectorizable without SSE4.1.
inline float floor_fast(float v) {
  const float t = float(int32_t(v));
  return t > v ? t - 1.f : t;
}

// Sums over a plane in 8 float lanes, combined in a fixed order: the same
// result every run and for any thread count, and it vectorizes (a single
// running sum is one dependent add per value: it made the bias gradient and
// the batch-norm statistics a quarter of vgg-small's step).
inline float combine(const float* l) { return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7])); }

float lane_sum(const float* x, size_t n) {
  float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; ++j) l[j] += x[k + j];
  for (; k < n; ++k) l[k & 7] += x[k];
  return combine(l);
}

// sum (x - mu)^2
float lane_sum_sq_dev(const float* x, size_t n, float mu) {
  float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; ++j) {
      const float d = x[k + j] - mu;
      l[j] += d * d;
    }
  for (; k < n; ++k) l[k & 7] += (x[k] - mu) * (x[k] - mu);
  return combine(l);
}

// sum g and sum g * h
void lane_sum_dot(const float* g, const float* h, size_t n, float& sum, float& dot) {
  float a[8] = {0, 0, 0, 0, 0, 0, 0, 0}, b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; ++j) {
      a[j] += g[k + j];
      b[j] += g[k + j] * h[k + j];
    }
  for (; k < n; ++k) {
    a[k & 7] += g[k];
    b[k & 7] += g[k] * h[k];
  }
  sum = combine(a);
  dot = combine(b);
}

// y = s * clamp(floor(x / s + 0.5), lo, hi), the rounding of quantize_value().
void fake_quant(const float* x, float* y, size_t n, float s, float lo, float hi) {
  const float inv = 1.f / s;
  for (size_t i = 0; i < n; ++i) {
    float v = x[i] * inv + 0.5f;
    v = std::min(std::max(v, lo), hi + 0.5f);
    y[i] = std::min(floor_fast(v), hi) * s;
  }
}

// sum of term(i) for i < n in 8 float lanes per block of 1024 values, blocks
// added in double in order: a fixed order (deterministic) that vectorizes.
template <typename Term>
double blocked_sum(size_t n, Term term) {
  double total = 0;
  for (size_t b0 = 0; b0 < n; b0 += 1024) {
    const size_t b1 = std::min(n, b0 + 1024);
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = b0;
    for (; i + 8 <= b1; i += 8)
      for (int j = 0; j < 8; ++j) lane[j] += term(i + j);
    for (; i < b1; ++i) lane[0] += term(i);
    total += double(((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7])));
  }
  return total;
}

// Straight-through estimator: gx = g where lo <= x/s <= hi, else 0; returns
// sum(g * dq/ds) for LSQ (dq/ds = lo or hi when clamped, round(v) - v inside),
// summed by blocked_sum. gx may be g.
double fake_quant_backward(const float* x, const float* g, float* gx, bool accumulate, size_t n, float s, float lo,
                           float hi) {
  const float inv = 1.f / s;
  const double total = blocked_sum(n, [&](size_t i) {
    const float v = x[i] * inv;
    return g[i] * (v < lo ? lo : (v > hi ? hi : floor_fast(v + 0.5f) - v));
  });
  // The gradient mask, written for gx == g apart (in place: one pointer, so
  // the loop vectorizes without an overlap check).
  if (gx == g && !accumulate) {
    for (size_t i = 0; i < n; ++i) {
      const float v = x[i] * inv, gi = gx[i];
      gx[i] = v >= lo && v <= hi ? gi : 0.f;
    }
  } else if (accumulate) {
    for (size_t i = 0; i < n; ++i) {
      const float v = x[i] * inv, gi = g[i];
      gx[i] += v >= lo && v <= hi ? gi : 0.f;
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const float v = x[i] * inv, gi = g[i];
      gx[i] = v >= lo && v <= hi ? gi : 0.f;
    }
  }
  return total;
}

// sum g * h, in blocked_sum's order.
double dot_blocked(const float* g, const float* h, size_t n) {
  return blocked_sum(n, [&](size_t i) { return g[i] * h[i]; });
}

// Images per im2col block of a convolution. A shard's images are lowered a
// few at a time so that the block (K x group*HWo floats) stays in the core's
// cache between im2col, the GEMM and col2im, instead of one matrix for the
// whole shard (14 MB for vgg-small's conv2) streamed through memory five
// times; groups still give the GEMM at least ~256 columns.
int conv_group(int hwo) { return std::max(1, (256 + hwo - 1) / hwo); }

// A convolution's products group by group. Its weight is stored dense,
// [co][C x KH x KW] (nn/graph.h), and held at 0 across groups; the im2col
// rows of group g's input channels are contiguous, as are its outputs and
// their weight rows, so group g's product is the dense one's block
// [g Og, (g+1) Og) x [g Kg, (g+1) Kg): G products of Og x Kg instead of one
// of co x K (a depthwise layer of 160 channels: 160x fewer operations).
// Only within-group blocks are ever computed or written.
struct ConvGroups {
  int groups = 1, og = 0;  // outputs per group
  ptrdiff_t kg = 0, K = 0;  // weight columns per group, in all
  ConvGroups(const Node& nd, ptrdiff_t k) : groups(nd.groups), og(nd.out_channels / nd.groups), kg(k / nd.groups), K(k) {}
  // out[co][ld] = W col
  void forward(const float* w, const float* col, ptrdiff_t n, ptrdiff_t ld, float* out, ptrdiff_t ldo) const {
    for (int g = 0; g < groups; ++g)
      gemm(false, false, og, n, kg, w + g * og * K + g * kg, K, col + g * kg * ld, ld, out + g * og * ldo, ldo);
  }
  // dW (+)= G colᵀ, within groups (the rest of dW is set to 0 when not accumulating)
  void weight_grad(const float* G, const float* col, ptrdiff_t ld, float* dW, bool accumulate) const {
    if (groups > 1 && !accumulate) std::fill(dW, dW + og * groups * K, 0.f);
    for (int g = 0; g < groups; ++g)
      gemm(false, true, og, kg, ld, G + g * og * ld, ld, col + g * kg * ld, ld, dW + g * og * K + g * kg, K, accumulate);
  }
  // d col = Wᵀ G
  void input_grad(const float* w, const float* G, ptrdiff_t ld, float* col) const {
    for (int g = 0; g < groups; ++g)
      gemm(true, false, kg, ld, og, w + g * og * K + g * kg, K, G + g * og * ld, ld, col + g * kg * ld, ld);
  }
};

// ------------------------------------------------------------------ state

enum class ParamKind { Weight, Bias, BatchNorm, Scale };

struct Param {
  std::string name;
  ParamKind kind = ParamKind::Weight;
  std::vector<float> value, grad, mom;
  std::vector<std::vector<float>> shard_grad;  // per shard, when gradients are per shard
  // A grouped convolution's weight: every step holds it at 0 across groups
  // (nn/graph.h), so training keeps the convolution grouped.
  const Node* grouped = nullptr;
  float upper = 0;  // a bound every step keeps the values within (0: none): a bounded ReLU's step size
};

struct Quantizer {
  int domain = -1;  // the clip it uses
  int bits = 8;
  bool is_signed = true;
  float lo = 0, hi = 0, level = 1;
  float grad_scale = 1;  // LSQ: 1 / sqrt(elements per image * hi)
};

struct NodeRt {
  const Node* node = nullptr;
  OpKind kind = OpKind::Input;
  std::vector<int> in;
  Shape shape, in_shape;
  size_t size = 0, in_size = 0;  // per image
  bool need_grad = false;
  std::vector<bool> assign_in;   // per input slot: the first gradient written into it (else accumulate)

  int weight = -1, bias = -1;    // Param indices (conv, dense, BN gamma/beta)
  int K = 0, HWo = 0;            // conv: rows and columns per image of the im2col matrix
  int group = 1;                 // conv: images per im2col block (see conv_group())

  // Per shard.
  std::vector<std::vector<float>> act;   // the value consumers read
  std::vector<std::vector<float>> pre;   // QAT: the value before the output quantizer
  std::vector<std::vector<float>> grad;  // d loss / d act
  std::vector<std::vector<float>> col;   // conv: im2col block of `group` images, then its gradient
  std::vector<std::vector<float>> tmp;   // conv: [Cout][group HWo] (output or output gradient of a block)
  std::vector<std::vector<int32_t>> arg; // maxpool: winner index in the input image
  std::vector<std::vector<float>> xhat;  // batch norm (training)

  // Quantization (QAT).
  int out_q = -1;                        // quantizer applied to the output (act = fq(pre))
  int layer = -1;                        // policy index of a conv/dense
  int in_q = -1;                         // quantizer of a rescaled input copy
  std::vector<std::vector<float>> qin, gqin;
  std::vector<float> wq, bq;             // quantized weights and bias
  std::vector<float> werr;               // noise-aware training: this forward's error e per weight, in LSBs (wq = s_w (q + e))
  bool noisy = false;                    // werr was added in the last forward
  int wscale = -1;                       // Param index of the weight scale
  float wlo = 0, whi = 0;

  // Batch norm statistics.
  std::vector<std::vector<double>> part;  // per shard: 2 C partial sums
  std::vector<float> mean, invstd;
};

}  // namespace

struct Network::Impl {
  Graph g;
  int max_batch = 0, shards = 2, cap = 0;
  bool quantized = false;
  Policy policy;
  ActivationPlan plan;
  std::vector<NodeRt> nodes;
  std::vector<Param> params;
  std::vector<Quantizer> quant;
  std::vector<int> clip_param;  // per domain: Param index of its clip (-1: not learned / not quantized)
  std::vector<float> input_clip;
  std::vector<float> dom_level;  // per domain: clip_level at the domain's bits (clip = scale * level)
  std::vector<std::vector<double>> shard_clip_grad;  // [shard][domain]
  ShardPool pool;
  int n = 0;  // images in the last forward
  bool trained_forward = false;
  std::vector<double> shard_loss;
  std::vector<int> shard_correct;
  const uint8_t* labels = nullptr;
  const Distillation* kd = nullptr;  // this backward's distillation, if any
  std::vector<WeightErrorTable> weight_noise;  // per quantizable layer; empty: none
  uint64_t weight_noise_key = 0;

  Impl(const Graph& graph, int mb, int threads, int s) : g(graph), max_batch(mb), shards(s),
                                                         pool(std::max(1, std::min(threads, s))) {}

  int begin(int s) const { return int(int64_t(s) * n / shards); }
  int count(int s) const { return begin(s + 1) - begin(s); }

  float domain_clip(int d) const {
    const int p = clip_param[size_t(d)];
    return p >= 0 ? params[size_t(p)].value[0] * dom_level[size_t(d)] : input_clip[size_t(d)];
  }
  float qscale(const Quantizer& q) const { return domain_clip(q.domain) / q.level; }

  int add_param(const std::string& name, ParamKind kind, const std::vector<float>& v, bool per_shard) {
    Param p;
    p.name = name;
    p.kind = kind;
    p.value = v;
    p.grad.assign(v.size(), 0.f);
    p.mom.assign(v.size(), 0.f);
    if (per_shard) p.shard_grad.assign(size_t(shards), std::vector<float>(v.size(), 0.f));
    params.push_back(std::move(p));
    return int(params.size()) - 1;
  }

  void build(const Policy* pol, const Calibration* cal);
  void prepare_weights();
  void add_weight_noise();
  void fwd_node(int j, int s, bool training);
  void bn_stats(int j, int s);
  void bn_reduce(int j);
  void bn_apply(int j, int s);
  void loss_grad(int s);
  void bwd_node(int j, int s);
  void bn_bwd_stats(int j, int s);
  void bn_bwd_reduce(int j);
  void bn_bwd_apply(int j, int s);
  void reduce_grads();
  // The value a conv/dense reads (its rescaled copy under QAT).
  const float* layer_input(const NodeRt& r, int s) const {
    return r.in_q >= 0 ? r.qin[size_t(s)].data() : nodes[size_t(r.in[0])].act[size_t(s)].data();
  }
  float* out_buf(NodeRt& r, int s) { return r.out_q >= 0 ? r.pre[size_t(s)].data() : r.act[size_t(s)].data(); }
  // Writes a gradient into input slot `slot` of node r (assign or accumulate).
  float* in_grad(const NodeRt& r, int slot, int s) { return nodes[size_t(r.in[size_t(slot)])].grad[size_t(s)].data(); }
};

void Network::Impl::build(const Policy* pol, const Calibration* cal) {
  g.infer_shapes();
  const size_t N = g.nodes.size();
  cap = (max_batch + shards - 1) / shards;
  if (pol) {
    if (has_batch_norm(g))
      throw Error("model '" + g.name + "': quantization-aware training needs the batch norms folded first");
    if (!cal) throw Error("model '" + g.name + "': quantization-aware training needs a calibration");
    quantized = true;
    policy = *pol;
    plan = plan_activations(g, policy);
  }
  nodes.resize(N);
  const auto cons = g.consumers();
  for (size_t j = 0; j < N; ++j) {
    const Node& nd = g.nodes[j];
    NodeRt& r = nodes[j];
    r.node = &nd;
    r.kind = nd.kind;
    r.in = nd.inputs;
    r.shape = nd.shape;
    r.size = size_t(nd.shape.size());
    if (!r.in.empty()) {
      r.in_shape = g.nodes[size_t(r.in[0])].shape;
      r.in_size = size_t(r.in_shape.size());
    }
    for (int i : r.in) r.need_grad |= nodes[size_t(i)].need_grad;
    if (nd.kind == OpKind::Softmax && !nd.log && int(j) == g.output())
      throw Error("model '" + g.name + "': node '" + nd.name + "' (softmax) is the output: the loss needs logits or "
                  "log-probabilities (a LogSoftmax), not probabilities; train the network without it");
    if ((nd.quantizable() || nd.kind == OpKind::BatchNorm) && nd.weight.empty())
      throw Error("model '" + g.name + "': node '" + nd.name + "' has no parameters (a structure-only graph cannot be trained or evaluated)");
    switch (nd.kind) {
      case OpKind::Conv2d:
        r.K = r.in_shape.c * nd.kernel * nd.kw();
        r.HWo = nd.shape.h * nd.shape.w;
        r.weight = add_param(nd.name + ".weight", ParamKind::Weight, nd.weight, true);
        r.bias = add_param(nd.name + ".bias", ParamKind::Bias, nd.bias, true);
        r.need_grad = true;
        if (nd.groups > 1) params[size_t(r.weight)].grouped = &nd;
        break;
      case OpKind::Dense:
        r.weight = add_param(nd.name + ".weight", ParamKind::Weight, nd.weight, true);
        r.bias = add_param(nd.name + ".bias", ParamKind::Bias, nd.bias, true);
        r.need_grad = true;
        break;
      case OpKind::BatchNorm:
        r.weight = add_param(nd.name + ".gamma", ParamKind::BatchNorm, nd.weight, false);
        r.bias = add_param(nd.name + ".beta", ParamKind::BatchNorm, nd.bias, false);
        r.mean = nd.mean;  // running statistics live in the graph copy `g`
        r.need_grad = true;
        break;
      default:
        break;
    }
    // First gradient writer of each input: backward runs consumers in
    // decreasing index order, so the last consumer's first slot assigns.
    for (size_t slot = 0; slot < r.in.size(); ++slot) {
      const int i = r.in[slot];
      const int last = *std::max_element(cons[size_t(i)].begin(), cons[size_t(i)].end());
      bool first = last == int(j);
      for (size_t k = 0; k < slot; ++k) first &= r.in[k] != i;
      r.assign_in.push_back(first);
    }
    const size_t per = size_t(cap) * r.size;
    r.act.assign(size_t(shards), std::vector<float>(per));
    if (r.need_grad) r.grad.assign(size_t(shards), std::vector<float>(per));
    if (nd.kind == OpKind::Conv2d) {
      r.group = std::min(cap, conv_group(r.HWo));
      r.col.assign(size_t(shards), std::vector<float>(size_t(r.K) * r.group * r.HWo));
      if (r.group > 1) r.tmp.assign(size_t(shards), std::vector<float>(size_t(nd.out_channels) * r.group * r.HWo));
    }
    if (nd.kind == OpKind::MaxPool) r.arg.assign(size_t(shards), std::vector<int32_t>(per));
    if (nd.kind == OpKind::BatchNorm) {
      r.xhat.assign(size_t(shards), std::vector<float>(per));
      r.part.assign(size_t(shards), std::vector<double>(2 * size_t(nd.shape.c)));
      r.mean.assign(size_t(nd.shape.c), 0.f);
      r.invstd.assign(size_t(nd.shape.c), 1.f);
    }
  }
  if (!quantized) return;

  // Quantizers: one per domain output, one per rescaled layer input.
  clip_param.assign(plan.domains.size(), -1);
  input_clip.assign(plan.domains.size(), 1.f);
  dom_level.assign(plan.domains.size(), 1.f);
  for (size_t d = 0; d < plan.domains.size(); ++d) {
    const ActDomain& dom = plan.domains[d];
    if (dom.int32_output) continue;
    auto it = cal->act_clip.find(dom.name);
    if (it == cal->act_clip.end() || !(it->second > 0))
      throw Error("model '" + g.name + "': the calibration has no positive activation clip for '" + dom.name + "'");
    // The learned parameter is the domain's step size (LSQ), not its clip:
    // the clip would need a learning rate level^2 times larger.
    dom_level[d] = float(clip_level(dom.bits, dom.is_signed));
    if (dom.root == 0)
      input_clip[d] = it->second;  // the input's clip stays fixed (no gradient reaches the input)
    else
      clip_param[d] = add_param(dom.name + ".act_scale", ParamKind::Scale,
                                {effective_clip(dom, it->second) / dom_level[d]}, true);
    if (clip_param[d] >= 0 && dom.max > 0)  // the clip stays within the ReLU's bound (quant.h)
      params[size_t(clip_param[d])].upper = dom.max / dom_level[d];
  }
  auto make_q = [&](int d, int bits, size_t elems) {
    const ActDomain& dom = plan.domains[size_t(d)];
    Quantizer q;
    q.domain = d;
    q.bits = bits;
    q.is_signed = dom.is_signed;
    q.lo = float(qmin(bits, dom.is_signed));
    q.hi = float(qmax(bits, dom.is_signed));
    q.level = float(clip_level(bits, dom.is_signed));
    q.grad_scale = float(1.0 / std::sqrt(double(elems) * std::max(1.f, q.hi)));
    quant.push_back(q);
    return int(quant.size()) - 1;
  };
  for (size_t d = 0; d < plan.domains.size(); ++d) {
    const ActDomain& dom = plan.domains[d];
    if (dom.int32_output) continue;
    NodeRt& r = nodes[size_t(dom.node)];
    r.out_q = make_q(int(d), dom.bits, r.size);
    r.pre.assign(size_t(shards), std::vector<float>(size_t(cap) * r.size));
  }
  const std::vector<int> layers = g.quantizable_layers();
  for (size_t l = 0; l < layers.size(); ++l) {
    NodeRt& r = nodes[size_t(layers[l])];
    const Node& nd = *r.node;
    r.layer = int(l);
    const int d = plan.layer_input_domain[l];
    const int a = plan.layer_input_bits[l];
    if (a < plan.domains[size_t(d)].bits) {
      r.in_q = make_q(d, a, r.in_size);
      r.qin.assign(size_t(shards), std::vector<float>(size_t(cap) * r.in_size));
      if (nodes[size_t(r.in[0])].need_grad) r.gqin.assign(size_t(shards), std::vector<float>(size_t(cap) * r.in_size));
    }
    const int w = policy.weight_bits[l];
    r.wlo = float(qmin(w, true));
    r.whi = float(qmax(w, true));
    const float s = float(weight_scale_for(nd, w, *cal));
    r.wscale = add_param(nd.name + ".weight_scale", ParamKind::Scale, {s}, false);
    r.wq.resize(nd.weight.size());
    r.bq.resize(nd.bias.size());
  }
  shard_clip_grad.assign(size_t(shards), std::vector<double>(plan.domains.size(), 0.0));
}

// Quantized copies of weights and biases for this step (QAT only).
void Network::Impl::prepare_weights() {
  if (!quantized) return;
  for (NodeRt& r : nodes) {
    if (r.layer < 0) continue;
    const Param& W = params[size_t(r.weight)];
    const Param& B = params[size_t(r.bias)];
    const float sw = params[size_t(r.wscale)].value[0];
    fake_quant(W.value.data(), r.wq.data(), W.value.size(), sw, r.wlo, r.whi);
    // The input scale: the domain clip at the bits this layer reads.
    const int d = plan.layer_input_domain[size_t(r.layer)];
    const ActDomain& dom = plan.domains[size_t(d)];
    const double s_in = double(domain_clip(d)) / clip_level(plan.layer_input_bits[size_t(r.layer)], dom.is_signed);
    const double s_acc = s_in * double(sw);
    for (size_t o = 0; o < B.value.size(); ++o)
      r.bq[o] = float(s_acc * std::floor(double(B.value[o]) / s_acc + 0.5));
  }
  for (NodeRt& r : nodes) r.noisy = false;
  if (trained_forward && !weight_noise.empty()) add_weight_noise();
}

// The programmed weights of this training step: r.wq holds s_w q exactly
// (q an integer in wlo..whi), so q indexes the layer's error table. One
// stream per layer and key, drawn in weight order on one thread. The error
// e (weight LSBs) is kept in r.werr: the weight the forward uses is
// s_w (q + e), so the scale gradient needs it (reduce_grads()).
void Network::Impl::add_weight_noise() {
  for (NodeRt& r : nodes) {
    if (r.layer < 0) continue;
    const WeightErrorTable& t = weight_noise[size_t(r.layer)];
    const float sw = params[size_t(r.wscale)].value[0];
    Random rng(derive_seed({weight_noise_key, uint64_t(r.layer)}));
    r.werr.resize(r.wq.size());
    for (size_t k = 0; k < r.wq.size(); ++k) {
      const long q = std::lround(r.wq[k] / sw);
      const size_t i = size_t(std::min(std::max(q, long(r.wlo)), long(r.whi)) - long(r.wlo));
      const float e = float(double(t.mean[i]) + double(t.std_dev[i]) * rng.normal());
      r.werr[k] = e;
      r.wq[k] += sw * e;
    }
    r.noisy = true;
  }
}

void Network::Impl::fwd_node(int j, int s, bool training) {
  NodeRt& r = nodes[size_t(j)];
  const Node& nd = *r.node;
  const int ns = count(s);
  if (ns == 0) return;
  float* out = out_buf(r, s);
  const size_t total = size_t(ns) * r.size;
  switch (r.kind) {
    case OpKind::Input:
      break;  // filled by forward()
    case OpKind::Conv2d: {
      if (r.in_q >= 0) {
        const Quantizer& q = quant[size_t(r.in_q)];
        fake_quant(nodes[size_t(r.in[0])].act[size_t(s)].data(), r.qin[size_t(s)].data(), size_t(ns) * r.in_size,
                   qscale(q), q.lo, q.hi);
      }
      const float* x = layer_input(r, s);
      const float* w = quantized ? r.wq.data() : params[size_t(r.weight)].value.data();
      const float* b = quantized ? r.bq.data() : params[size_t(r.bias)].value.data();
      const int co = nd.out_channels;
      float* col = r.col[size_t(s)].data();
      for (int i0 = 0; i0 < ns; i0 += r.group) {
        const int gi = std::min(r.group, ns - i0);
        const size_t ld = size_t(gi) * r.HWo;
        for (int i = 0; i < gi; ++i)
          im2col(x + size_t(i0 + i) * r.in_size, r.in_shape.c, r.in_shape.h, r.in_shape.w, nd, nd.shape.h,
                 nd.shape.w, col + size_t(i) * r.HWo, ld);
        if (gi == 1) {  // straight into the image's output (CHW is [co][HWo])
          float* dst = out + size_t(i0) * r.size;
          ConvGroups(nd, r.K).forward(w, col, r.HWo, ptrdiff_t(ld), dst, r.HWo);
          for (int o = 0; o < co; ++o) {
            const float bo = b[o];
            float* d = dst + size_t(o) * r.HWo;
            for (int k = 0; k < r.HWo; ++k) d[k] += bo;
          }
          continue;
        }
        float* tmp = r.tmp[size_t(s)].data();
        ConvGroups(nd, r.K).forward(w, col, ptrdiff_t(ld), ptrdiff_t(ld), tmp, ptrdiff_t(ld));
        for (int i = 0; i < gi; ++i)
          for (int o = 0; o < co; ++o) {
            const float* src = tmp + size_t(o) * ld + size_t(i) * r.HWo;
            float* dst = out + size_t(i0 + i) * r.size + size_t(o) * r.HWo;
            const float bo = b[o];
            for (int k = 0; k < r.HWo; ++k) dst[k] = src[k] + bo;
          }
      }
      break;
    }
    case OpKind::Dense: {
      if (r.in_q >= 0) {
        const Quantizer& q = quant[size_t(r.in_q)];
        fake_quant(nodes[size_t(r.in[0])].act[size_t(s)].data(), r.qin[size_t(s)].data(), size_t(ns) * r.in_size,
                   qscale(q), q.lo, q.hi);
      }
      const float* x = layer_input(r, s);
      const float* w = quantized ? r.wq.data() : params[size_t(r.weight)].value.data();
      const float* b = quantized ? r.bq.data() : params[size_t(r.bias)].value.data();
      const int fo = nd.out_channels, fi = int(r.in_size);
      gemm(false, true, ns, fo, fi, x, fi, w, fi, out, fo);
      for (int i = 0; i < ns; ++i)
        for (int o = 0; o < fo; ++o) out[size_t(i) * fo + o] += b[o];
      break;
    }
    case OpKind::Relu: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      for (size_t k = 0; k < total; ++k) out[k] = std::max(x[k], 0.f);
      if (nd.max > 0)
        for (size_t k = 0; k < total; ++k) out[k] = std::min(out[k], nd.max);
      break;
    }
    case OpKind::MaxPool: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      int32_t* arg = r.arg[size_t(s)].data();
      const int H = r.in_shape.h, W = r.in_shape.w, Ho = nd.shape.h, Wo = nd.shape.w;
      const int kh = nd.kernel, kw = nd.kw(), d = nd.dilation;
      if (kh == 2 && kw == 2 && d == 1 && nd.stride == 2 && nd.padding == 0 && nd.pw() == 0) {
        // The common 2x2 pool: every window is in bounds; same winner (the
        // first largest in scan order) as the general loop below, without
        // its bounds and first-element tests (it was the evaluator's top cost).
        const size_t planes = size_t(ns) * size_t(nd.shape.c);
        for (size_t pc = 0; pc < planes; ++pc) {
          const float* xc = x + pc * size_t(H) * W;
          float* oc = out + pc * size_t(Ho) * Wo;
          int32_t* ac = arg + pc * size_t(Ho) * Wo;
          const int32_t base = int32_t(pc % size_t(nd.shape.c)) * H * W;
          for (int oh = 0; oh < Ho; ++oh) {
            const float* r0 = xc + size_t(2 * oh) * W;
            const float* r1 = r0 + W;
            for (int ow = 0; ow < Wo; ++ow) {
              const int32_t i00 = 2 * oh * W + 2 * ow;
              float best = r0[2 * ow];
              int32_t bi = i00;
              if (r0[2 * ow + 1] > best) best = r0[2 * ow + 1], bi = i00 + 1;
              if (r1[2 * ow] > best) best = r1[2 * ow], bi = i00 + W;
              if (r1[2 * ow + 1] > best) best = r1[2 * ow + 1], bi = i00 + W + 1;
              oc[oh * Wo + ow] = best;
              ac[oh * Wo + ow] = base + bi;
            }
          }
        }
        break;
      }
      for (int i = 0; i < ns; ++i)
        for (int c = 0; c < nd.shape.c; ++c) {
          const float* xc = x + size_t(i) * r.in_size + size_t(c) * H * W;
          float* oc = out + size_t(i) * r.size + size_t(c) * Ho * Wo;
          int32_t* ac = arg + size_t(i) * r.size + size_t(c) * Ho * Wo;
          for (int oh = 0; oh < Ho; ++oh)
            for (int ow = 0; ow < Wo; ++ow) {
              float best = -std::numeric_limits<float>::infinity();
              int32_t bi = -1;
              const int h0 = oh * nd.stride - nd.padding, w0 = ow * nd.stride - nd.pw();
              for (int ty = 0; ty < kh; ++ty)
                for (int tx = 0; tx < kw; ++tx) {
                  const int iy = h0 + ty * d, ix = w0 + tx * d;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  const int idx = iy * W + ix;
                  if (xc[idx] > best || bi < 0) {
                    best = xc[idx];
                    bi = idx;
                  }
                }
              oc[oh * Wo + ow] = bi < 0 ? 0.f : best;
              ac[oh * Wo + ow] = bi < 0 ? -1 : c * H * W + bi;
            }
        }
      break;
    }
    case OpKind::AvgPool: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      const int H = r.in_shape.h, W = r.in_shape.w, Ho = nd.shape.h, Wo = nd.shape.w, k = nd.kernel, kw = nd.kw();
      const float inv = 1.f / float(k * kw);
      for (int i = 0; i < ns; ++i)
        for (int c = 0; c < nd.shape.c; ++c) {
          const float* xc = x + size_t(i) * r.in_size + size_t(c) * H * W;
          float* oc = out + size_t(i) * r.size + size_t(c) * Ho * Wo;
          for (int oh = 0; oh < Ho; ++oh)
            for (int ow = 0; ow < Wo; ++ow) {
              float sum = 0;
              const int h0 = oh * nd.stride - nd.padding, w0 = ow * nd.stride - nd.pw();
              for (int ty = std::max(0, -h0); ty < k && h0 + ty < H; ++ty)
                for (int tx = std::max(0, -w0); tx < kw && w0 + tx < W; ++tx) sum += xc[(h0 + ty) * W + w0 + tx];
              oc[oh * Wo + ow] = sum * inv;
            }
        }
      break;
    }
    case OpKind::GlobalAvgPool: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      const int hw = r.in_shape.h * r.in_shape.w;
      for (int i = 0; i < ns; ++i)
        for (int c = 0; c < nd.shape.c; ++c) {
          const float* xc = x + size_t(i) * r.in_size + size_t(c) * hw;
          float sum = 0;
          for (int k = 0; k < hw; ++k) sum += xc[k];
          out[size_t(i) * r.size + size_t(c)] = sum / float(hw);
        }
      break;
    }
    case OpKind::BatchNorm: {
      if (training) break;  // bn_apply() with the batch statistics
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      const float* gamma = params[size_t(r.weight)].value.data();
      const float* beta = params[size_t(r.bias)].value.data();
      const int hw = nd.shape.h * nd.shape.w;
      for (int c = 0; c < nd.shape.c; ++c) {
        const float a = gamma[c] / std::sqrt(nd.var[size_t(c)] + nd.eps);
        const float b = beta[c] - a * nd.mean[size_t(c)];
        for (int i = 0; i < ns; ++i) {
          const float* xc = x + size_t(i) * r.size + size_t(c) * hw;
          float* oc = out + size_t(i) * r.size + size_t(c) * hw;
          for (int k = 0; k < hw; ++k) oc[k] = a * xc[k] + b;
        }
      }
      break;
    }
    case OpKind::Add: {
      const float* a = nodes[size_t(r.in[0])].act[size_t(s)].data();
      const float* b = nodes[size_t(r.in[1])].act[size_t(s)].data();
      for (size_t k = 0; k < total; ++k) out[k] = a[k] + b[k];
      break;
    }
    case OpKind::Flatten: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      std::copy(x, x + total, out);
      break;
    }
    case OpKind::Activation: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      for (size_t k = 0; k < total; ++k) out[k] = float(activation_value(nd.function, x[k]));
      break;
    }
    case OpKind::Channels: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      const size_t hw = size_t(nd.shape.h) * size_t(nd.shape.w);
      for (int i = 0; i < ns; ++i)
        for (size_t j = 0; j < nd.channels.size(); ++j)
          std::copy_n(x + size_t(i) * r.in_size + size_t(nd.channels[j]) * hw, hw, out + size_t(i) * r.size + j * hw);
      break;
    }
    case OpKind::Softmax: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      for (int i = 0; i < ns; ++i)
        softmax_forward(nd.shape, nd.softmax_axis, nd.log, x + size_t(i) * r.in_size, out + size_t(i) * r.size);
      break;
    }
    case OpKind::Pad: {
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      for (int i = 0; i < ns; ++i) {
        const float* xi = x + size_t(i) * r.in_size;
        float* oi = out + size_t(i) * r.size;
        for_pad_positions(r.in_shape.c, r.in_shape.h, r.in_shape.w, nd.pad,
                          [&](long long o, long long j) { oi[o] = j < 0 ? nd.pad.value : xi[j]; });
      }
      break;
    }
    case OpKind::Mul: {  // per image; a C x 1 x 1 second input scales each channel
      const float* a = nodes[size_t(r.in[0])].act[size_t(s)].data();
      const NodeRt& fb = nodes[size_t(r.in[1])];
      const float* b = fb.act[size_t(s)].data();
      const size_t per = r.size / fb.size;
      for (int i = 0; i < ns; ++i)
        for (size_t k = 0; k < r.size; ++k)
          out[size_t(i) * r.size + k] = a[size_t(i) * r.size + k] * b[size_t(i) * fb.size + k / per];
      break;
    }
    case OpKind::Concat: {  // per image, each input's CHW values one after the other
      size_t at = 0;
      for (int in : r.in) {
        const NodeRt& src = nodes[size_t(in)];
        const float* x = src.act[size_t(s)].data();
        for (int i = 0; i < ns; ++i) std::copy(x + size_t(i) * src.size, x + size_t(i + 1) * src.size, out + size_t(i) * r.size + at);
        at += src.size;
      }
      break;
    }
  }
  if (r.out_q >= 0) {
    const Quantizer& q = quant[size_t(r.out_q)];
    fake_quant(out, r.act[size_t(s)].data(), total, qscale(q), q.lo, q.hi);
  }
}

// Batch norm (training): per shard, the channel sums and the sums of squared
// deviations from the shard's own mean (two passes: E[x^2] - E[x]^2 loses
// everything when the variance is small next to the mean); bn_reduce()
// combines the shards exactly (Chan et al.) in shard order.
void Network::Impl::bn_stats(int j, int s) {
  NodeRt& r = nodes[size_t(j)];
  const int ns = count(s), C = r.shape.c, hw = r.shape.h * r.shape.w;
  std::vector<double>& p = r.part[size_t(s)];
  std::fill(p.begin(), p.end(), 0.0);
  if (ns == 0) return;
  const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
  for (int c = 0; c < C; ++c) {
    double sum = 0;
    for (int i = 0; i < ns; ++i) {
      const float* xc = x + size_t(i) * r.size + size_t(c) * hw;
      const float t = lane_sum(xc, size_t(hw));
      sum += t;
    }
    const float mu = float(sum / (double(ns) * hw));
    double m2 = 0;
    for (int i = 0; i < ns; ++i) {
      const float* xc = x + size_t(i) * r.size + size_t(c) * hw;
      const float t = lane_sum_sq_dev(xc, size_t(hw), mu);
      m2 += t;
    }
    // Exact deviations from the float mean mu: shift to the shard mean.
    const double dm = sum / (double(ns) * hw) - double(mu);
    p[size_t(c)] = sum;
    p[size_t(C + c)] = std::max(0.0, m2 - double(ns) * hw * dm * dm);
  }
}

void Network::Impl::bn_reduce(int j) {
  NodeRt& r = nodes[size_t(j)];
  Node& nd = g.nodes[size_t(j)];
  const int C = r.shape.c, hw = r.shape.h * r.shape.w;
  const double m = double(n) * hw;
  for (int c = 0; c < C; ++c) {
    double sum = 0;
    for (int s = 0; s < shards; ++s) sum += r.part[size_t(s)][size_t(c)];
    const double mean = sum / m;
    double m2 = 0;
    for (int s = 0; s < shards; ++s) {
      const double ms = double(count(s)) * hw;
      if (ms == 0) continue;
      const double d = r.part[size_t(s)][size_t(c)] / ms - mean;
      m2 += r.part[size_t(s)][size_t(C + c)] + ms * d * d;
    }
    const double var = m2 / m;
    r.mean[size_t(c)] = float(mean);
    r.invstd[size_t(c)] = float(1.0 / std::sqrt(var + nd.eps));
    constexpr double kMomentum = 0.1;  // PyTorch's default
    nd.mean[size_t(c)] = float((1 - kMomentum) * nd.mean[size_t(c)] + kMomentum * mean);
    nd.var[size_t(c)] = float((1 - kMomentum) * nd.var[size_t(c)] + kMomentum * var * m / std::max(1.0, m - 1));
  }
}

void Network::Impl::bn_apply(int j, int s) {
  NodeRt& r = nodes[size_t(j)];
  const int ns = count(s), C = r.shape.c, hw = r.shape.h * r.shape.w;
  const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
  float* xh = r.xhat[size_t(s)].data();
  float* out = out_buf(r, s);
  const float* gamma = params[size_t(r.weight)].value.data();
  const float* beta = params[size_t(r.bias)].value.data();
  for (int i = 0; i < ns; ++i)
    for (int c = 0; c < C; ++c) {
      const size_t off = size_t(i) * r.size + size_t(c) * hw;
      const float mu = r.mean[size_t(c)], is = r.invstd[size_t(c)], ga = gamma[c], be = beta[c];
      for (int k = 0; k < hw; ++k) {
        const float v = (x[off + k] - mu) * is;
        xh[off + k] = v;
        out[off + k] = ga * v + be;
      }
    }
}

void Network::Impl::loss_grad(int s) {
  NodeRt& r = nodes.back();
  const int ns = count(s), C = int(r.size), b0 = begin(s);
  const float* x = r.act[size_t(s)].data();
  float* gr = r.grad.empty() ? nullptr : r.grad[size_t(s)].data();
  double loss = 0;
  int correct = 0;
  const float inv_n = 1.f / float(n);
  // Distillation: the label term is weighted by 1 - w, the soft term by w.
  const double w = kd ? double(kd->weight) : 0.0, T = kd ? double(kd->temperature) : 1.0;
  std::vector<double> p_student(kd ? size_t(C) : 0), p_teacher(kd ? size_t(C) : 0);
  for (int i = 0; i < ns; ++i) {
    const float* xi = x + size_t(i) * C;
    const int y = labels[b0 + i];
    int best = 0;
    float mx = xi[0];
    for (int c = 1; c < C; ++c)
      if (xi[c] > mx) {
        mx = xi[c];
        best = c;
      }
    correct += best == y;
    double z = 0;
    for (int c = 0; c < C; ++c) z += std::exp(double(xi[c] - mx));
    const double ce = std::log(z) - double(xi[y] - mx);
    if (!kd) {
      loss += ce;
      if (gr)
        for (int c = 0; c < C; ++c)
          gr[size_t(i) * C + c] = (float(std::exp(double(xi[c] - mx)) / z) - (c == y ? 1.f : 0.f)) * inv_n;
      continue;
    }
    // Softmax at temperature T of student and teacher, and the KL term.
    const float* ti = kd->teacher_logits + size_t(b0 + i) * C;
    const double tmx = *std::max_element(ti, ti + C);
    double zs = 0, zt = 0;
    for (int c = 0; c < C; ++c) {
      p_student[size_t(c)] = std::exp((double(xi[c]) - mx) / T);
      p_teacher[size_t(c)] = std::exp((double(ti[c]) - tmx) / T);
      zs += p_student[size_t(c)];
      zt += p_teacher[size_t(c)];
    }
    double kl = 0;
    for (int c = 0; c < C; ++c) {
      p_student[size_t(c)] /= zs;
      p_teacher[size_t(c)] /= zt;
      if (p_teacher[size_t(c)] > 0) kl += p_teacher[size_t(c)] * std::log(p_teacher[size_t(c)] / p_student[size_t(c)]);
    }
    loss += (1 - w) * ce + w * T * T * kl;
    if (gr)
      for (int c = 0; c < C; ++c) {
        const double hard = std::exp(double(xi[c] - mx)) / z - (c == y ? 1.0 : 0.0);
        const double soft = T * (p_student[size_t(c)] - p_teacher[size_t(c)]);
        gr[size_t(i) * C + c] = float((1 - w) * hard + w * soft) * inv_n;
      }
  }
  shard_loss[size_t(s)] = loss;
  shard_correct[size_t(s)] = correct;
}

void Network::Impl::bwd_node(int j, int s) {
  NodeRt& r = nodes[size_t(j)];
  if (!r.need_grad) return;
  const Node& nd = *r.node;
  const int ns = count(s);
  const size_t total = size_t(ns) * r.size;
  float* g = r.grad[size_t(s)].data();
  if (r.out_q >= 0 && ns > 0) {  // through the output quantizer: STE + LSQ
    const Quantizer& q = quant[size_t(r.out_q)];
    const double ds = fake_quant_backward(r.pre[size_t(s)].data(), g, g, false, total, qscale(q), q.lo, q.hi);
    shard_clip_grad[size_t(s)][size_t(q.domain)] += ds * q.grad_scale * dom_level[size_t(q.domain)] / q.level;
  }
  auto input_needs = [&](int slot) { return nodes[size_t(r.in[size_t(slot)])].need_grad; };
  switch (r.kind) {
    case OpKind::Input:
      break;
    case OpKind::Conv2d: {
      const int co = nd.out_channels;
      float* dW = params[size_t(r.weight)].shard_grad[size_t(s)].data();
      float* db = params[size_t(r.bias)].shard_grad[size_t(s)].data();
      if (ns == 0) {
        std::fill(dW, dW + size_t(co) * r.K, 0.f);
        std::fill(db, db + co, 0.f);
        break;
      }
      // Per block of images: the block's output gradient as [co][group HWo]
      // (an image's CHW gradient already is, for a block of one), the bias
      // gradient, im2col of the block again (cheaper than keeping the whole
      // shard's lowered input), dW += G colᵀ, then d col = Wᵀ G and col2im.
      const float* x = layer_input(r, s);
      const float* w = quantized ? r.wq.data() : params[size_t(r.weight)].value.data();
      float* col = r.col[size_t(s)].data();
      const bool rescaled = r.in_q >= 0;
      float* dx = input_needs(0) ? (rescaled ? r.gqin[size_t(s)].data() : in_grad(r, 0, s)) : nullptr;
      if (dx && (rescaled || r.assign_in[0])) std::fill(dx, dx + size_t(ns) * r.in_size, 0.f);
      std::fill(db, db + co, 0.f);
      for (int i0 = 0; i0 < ns; i0 += r.group) {
        const int gi = std::min(r.group, ns - i0);
        const size_t ld = size_t(gi) * r.HWo;
        const float* G = g + size_t(i0) * r.size;
        if (gi > 1) {
          float* tmp = r.tmp[size_t(s)].data();
          for (int i = 0; i < gi; ++i)
            for (int o = 0; o < co; ++o)
              std::copy_n(g + size_t(i0 + i) * r.size + size_t(o) * r.HWo, r.HWo, tmp + size_t(o) * ld + size_t(i) * r.HWo);
          G = tmp;
        }
        for (int o = 0; o < co; ++o) {
          const float* go = G + size_t(o) * ld;
          const float sum = lane_sum(go, ld);
          db[o] += sum;
        }
        for (int i = 0; i < gi; ++i)
          im2col(x + size_t(i0 + i) * r.in_size, r.in_shape.c, r.in_shape.h, r.in_shape.w, nd, nd.shape.h,
                 nd.shape.w, col + size_t(i) * r.HWo, ld);
        const ConvGroups groups(nd, r.K);
        groups.weight_grad(G, col, ptrdiff_t(ld), dW, i0 > 0);
        if (!dx) continue;
        groups.input_grad(w, G, ptrdiff_t(ld), col);
        for (int i = 0; i < gi; ++i)
          col2im(col + size_t(i) * r.HWo, ld, r.in_shape.c, r.in_shape.h, r.in_shape.w, nd, nd.shape.h, nd.shape.w,
                 dx + size_t(i0 + i) * r.in_size);
      }
      break;
    }
    case OpKind::Dense: {
      const int fo = nd.out_channels, fi = int(r.in_size);
      float* dW = params[size_t(r.weight)].shard_grad[size_t(s)].data();
      float* db = params[size_t(r.bias)].shard_grad[size_t(s)].data();
      if (ns == 0) {
        std::fill(dW, dW + size_t(fo) * fi, 0.f);
        std::fill(db, db + fo, 0.f);
        break;
      }
      std::fill(db, db + fo, 0.f);
      for (int i = 0; i < ns; ++i)
        for (int o = 0; o < fo; ++o) db[o] += g[size_t(i) * fo + o];
      gemm(true, false, fo, fi, ns, g, fo, layer_input(r, s), fi, dW, fi);
      if (!input_needs(0)) break;
      const float* w = quantized ? r.wq.data() : params[size_t(r.weight)].value.data();
      const bool rescaled = r.in_q >= 0;
      float* dx = rescaled ? r.gqin[size_t(s)].data() : in_grad(r, 0, s);
      gemm(false, false, ns, fi, fo, g, fo, w, fi, dx, fi, !(rescaled || r.assign_in[0]));
      break;
    }
    case OpKind::Relu: {
      if (!input_needs(0)) break;
      const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
      float* dx = in_grad(r, 0, s);
      const float top = nd.max > 0 ? nd.max : std::numeric_limits<float>::infinity();  // a bounded ReLU passes (0, max)
      if (r.assign_in[0])
        for (size_t k = 0; k < total; ++k) {
          const float gk = g[k];  // loaded unconditionally, so the select vectorizes
          dx[k] = x[k] > 0.f && x[k] < top ? gk : 0.f;
        }
      else
        for (size_t k = 0; k < total; ++k) {
          const float gk = g[k];
          dx[k] += x[k] > 0.f && x[k] < top ? gk : 0.f;
        }
      break;
    }
    case OpKind::MaxPool: {
      if (!input_needs(0)) break;
      float* dx = in_grad(r, 0, s);
      if (r.assign_in[0]) std::fill(dx, dx + size_t(ns) * r.in_size, 0.f);
      const int32_t* arg = r.arg[size_t(s)].data();
      for (int i = 0; i < ns; ++i) {
        float* dxi = dx + size_t(i) * r.in_size;
        for (size_t k = 0; k < r.size; ++k) {
          const int32_t a = arg[size_t(i) * r.size + k];
          if (a >= 0) dxi[a] += g[size_t(i) * r.size + k];
        }
      }
      break;
    }
    case OpKind::AvgPool: {
      if (!input_needs(0)) break;
      float* dx = in_grad(r, 0, s);
      if (r.assign_in[0]) std::fill(dx, dx + size_t(ns) * r.in_size, 0.f);
      const int H = r.in_shape.h, W = r.in_shape.w, Ho = nd.shape.h, Wo = nd.shape.w, k = nd.kernel, kw = nd.kw();
      const float inv = 1.f / float(k * kw);
      for (int i = 0; i < ns; ++i)
        for (int c = 0; c < nd.shape.c; ++c) {
          float* dc = dx + size_t(i) * r.in_size + size_t(c) * H * W;
          const float* gc = g + size_t(i) * r.size + size_t(c) * Ho * Wo;
          for (int oh = 0; oh < Ho; ++oh)
            for (int ow = 0; ow < Wo; ++ow) {
              const float v = gc[oh * Wo + ow] * inv;
              const int h0 = oh * nd.stride - nd.padding, w0 = ow * nd.stride - nd.pw();
              for (int ty = std::max(0, -h0); ty < k && h0 + ty < H; ++ty)
                for (int tx = std::max(0, -w0); tx < kw && w0 + tx < W; ++tx) dc[(h0 + ty) * W + w0 + tx] += v;
            }
        }
      break;
    }
    case OpKind::GlobalAvgPool: {
      if (!input_needs(0)) break;
      float* dx = in_grad(r, 0, s);
      const int hw = r.in_shape.h * r.in_shape.w;
      for (int i = 0; i < ns; ++i)
        for (int c = 0; c < nd.shape.c; ++c) {
          const float v = g[size_t(i) * r.size + size_t(c)] / float(hw);
          float* dc = dx + size_t(i) * r.in_size + size_t(c) * hw;
          if (r.assign_in[0])
            std::fill(dc, dc + hw, v);
          else
            for (int k = 0; k < hw; ++k) dc[k] += v;
        }
      break;
    }
    case OpKind::BatchNorm:
      break;  // bn_bwd_*()
    case OpKind::Add:
    case OpKind::Flatten:
      for (size_t slot = 0; slot < r.in.size(); ++slot) {
        if (!input_needs(int(slot))) continue;
        float* dx = in_grad(r, int(slot), s);
        if (r.assign_in[slot])
          std::copy(g, g + total, dx);
        else
          for (size_t k = 0; k < total; ++k) dx[k] += g[k];
      }
      break;
    case OpKind::Channels:
      if (input_needs(0)) {  // each picked channel's gradient back to its input channel
        float* dx = in_grad(r, 0, s);
        const size_t hw = size_t(nd.shape.h) * size_t(nd.shape.w);
        if (r.assign_in[0]) std::fill(dx, dx + size_t(ns) * r.in_size, 0.f);
        for (int i = 0; i < ns; ++i)
          for (size_t j = 0; j < nd.channels.size(); ++j) {
            float* d = dx + size_t(i) * r.in_size + size_t(nd.channels[j]) * hw;
            const float* gj = g + size_t(i) * r.size + j * hw;
            for (size_t k = 0; k < hw; ++k) d[k] += gj[k];
          }
      }
      break;
    case OpKind::Softmax:
      if (input_needs(0)) {
        float* dx = in_grad(r, 0, s);
        if (r.assign_in[0]) std::fill(dx, dx + size_t(ns) * r.in_size, 0.f);
        // g is past the output quantizer (above); through the float
        // function, whose output the forward kept (before its quantizer).
        const float* y = out_buf(r, s);
        for (int i = 0; i < ns; ++i)
          softmax_backward(nd.shape, nd.softmax_axis, nd.log, y + size_t(i) * r.size, g + size_t(i) * r.size,
                           dx + size_t(i) * r.in_size);
      }
      break;
    case OpKind::Pad:
      if (input_needs(0)) {  // each copied position's gradient back to its source (a reflected one: twice)
        float* dx = in_grad(r, 0, s);
        if (r.assign_in[0]) std::fill(dx, dx + size_t(ns) * r.in_size, 0.f);
        for (int i = 0; i < ns; ++i) {
          float* di = dx + size_t(i) * r.in_size;
          const float* gi = g + size_t(i) * r.size;
          for_pad_positions(r.in_shape.c, r.in_shape.h, r.in_shape.w, nd.pad, [&](long long o, long long j) {
            if (j >= 0) di[j] += gi[o];
          });
        }
      }
      break;
    case OpKind::Activation:
      if (input_needs(0)) {
        const float* x = nodes[size_t(r.in[0])].act[size_t(s)].data();
        float* dx = in_grad(r, 0, s);
        for (size_t k = 0; k < total; ++k) {
          const float d = g[k] * float(activation_derivative(nd.function, x[k]));
          dx[k] = r.assign_in[0] ? d : dx[k] + d;
        }
      }
      break;
    case OpKind::Mul: {
      const NodeRt& fa = nodes[size_t(r.in[0])];
      const NodeRt& fb = nodes[size_t(r.in[1])];
      const float* a = fa.act[size_t(s)].data();
      const float* b = fb.act[size_t(s)].data();
      const size_t per = r.size / fb.size;
      if (input_needs(0)) {
        float* da = in_grad(r, 0, s);
        for (int i = 0; i < ns; ++i)
          for (size_t k = 0; k < r.size; ++k) {
            const size_t at = size_t(i) * r.size + k;
            const float d = g[at] * b[size_t(i) * fb.size + k / per];
            da[at] = r.assign_in[0] ? d : da[at] + d;
          }
      }
      if (input_needs(1)) {  // a per-channel factor gathers its channel's gradient
        float* db = in_grad(r, 1, s);
        for (int i = 0; i < ns; ++i)
          for (size_t j = 0; j < fb.size; ++j) {
            double d = 0;
            for (size_t k = j * per; k < (j + 1) * per; ++k) d += double(g[size_t(i) * r.size + k]) * a[size_t(i) * r.size + k];
            float& t = db[size_t(i) * fb.size + j];
            t = r.assign_in[1] ? float(d) : t + float(d);
          }
      }
      break;
    }
    case OpKind::Concat: {
      size_t at = 0;
      for (size_t slot = 0; slot < r.in.size(); ++slot) {
        const size_t part = nodes[size_t(r.in[slot])].size;
        if (input_needs(int(slot))) {
          float* dx = in_grad(r, int(slot), s);
          for (int i = 0; i < ns; ++i) {
            const float* gi = g + size_t(i) * r.size + at;
            float* di = dx + size_t(i) * part;
            if (r.assign_in[slot])
              std::copy(gi, gi + part, di);
            else
              for (size_t k = 0; k < part; ++k) di[k] += gi[k];
          }
        }
        at += part;
      }
      break;
    }
  }
  // A rescaled input copy: its gradient through the copy's quantizer.
  if (r.in_q >= 0 && ns > 0 && !r.gqin.empty()) {
    const Quantizer& q = quant[size_t(r.in_q)];
    const double ds = fake_quant_backward(nodes[size_t(r.in[0])].act[size_t(s)].data(), r.gqin[size_t(s)].data(),
                                          in_grad(r, 0, s), !r.assign_in[0], size_t(ns) * r.in_size, qscale(q), q.lo,
                                          q.hi);
    shard_clip_grad[size_t(s)][size_t(q.domain)] += ds * q.grad_scale * dom_level[size_t(q.domain)] / q.level;
  }
}

void Network::Impl::bn_bwd_stats(int j, int s) {
  NodeRt& r = nodes[size_t(j)];
  const int ns = count(s), C = r.shape.c, hw = r.shape.h * r.shape.w;
  std::vector<double>& p = r.part[size_t(s)];
  std::fill(p.begin(), p.end(), 0.0);
  const float* g = r.grad[size_t(s)].data();
  const float* xh = r.xhat[size_t(s)].data();
  for (int i = 0; i < ns; ++i)
    for (int c = 0; c < C; ++c) {
      const size_t off = size_t(i) * r.size + size_t(c) * hw;
      float sg, sgx;
      lane_sum_dot(g + off, xh + off, size_t(hw), sg, sgx);
      p[size_t(c)] += sg;
      p[size_t(C + c)] += sgx;
    }
}

void Network::Impl::bn_bwd_reduce(int j) {
  NodeRt& r = nodes[size_t(j)];
  const int C = r.shape.c;
  float* dgamma = params[size_t(r.weight)].grad.data();
  float* dbeta = params[size_t(r.bias)].grad.data();
  for (int c = 0; c < C; ++c) {
    double sg = 0, sgx = 0;
    for (int s = 0; s < shards; ++s) {
      sg += r.part[size_t(s)][size_t(c)];
      sgx += r.part[size_t(s)][size_t(C + c)];
    }
    dbeta[c] = float(sg);
    dgamma[c] = float(sgx);
  }
}

void Network::Impl::bn_bwd_apply(int j, int s) {
  NodeRt& r = nodes[size_t(j)];
  if (!nodes[size_t(r.in[0])].need_grad) return;
  const int ns = count(s), C = r.shape.c, hw = r.shape.h * r.shape.w;
  const float m = float(n) * float(hw);
  const float* g = r.grad[size_t(s)].data();
  const float* xh = r.xhat[size_t(s)].data();
  const float* gamma = params[size_t(r.weight)].value.data();
  const float* dgamma = params[size_t(r.weight)].grad.data();
  const float* dbeta = params[size_t(r.bias)].grad.data();
  float* dx = in_grad(r, 0, s);
  const bool assign = r.assign_in[0];
  for (int i = 0; i < ns; ++i)
    for (int c = 0; c < C; ++c) {
      const size_t off = size_t(i) * r.size + size_t(c) * hw;
      const float a = gamma[c] * r.invstd[size_t(c)], mb = dbeta[c] / m, mg = dgamma[c] / m;
      for (int k = 0; k < hw; ++k) {
        const float v = a * (g[off + k] - mb - xh[off + k] * mg);
        dx[off + k] = assign ? v : dx[off + k] + v;
      }
    }
}

// Sums the per-shard gradients in shard order; STE and LSQ for quantized weights.
void Network::Impl::reduce_grads() {
  for (Param& p : params) {
    if (p.shard_grad.empty()) continue;
    if (p.kind == ParamKind::Scale) continue;
    std::copy(p.shard_grad[0].begin(), p.shard_grad[0].end(), p.grad.begin());
    for (int s = 1; s < shards; ++s) {
      const float* src = p.shard_grad[size_t(s)].data();
      float* dst = p.grad.data();
      for (size_t k = 0; k < p.grad.size(); ++k) dst[k] += src[k];
    }
  }
  if (!quantized) return;
  for (size_t d = 0; d < clip_param.size(); ++d) {
    if (clip_param[d] < 0) continue;
    double sum = 0;
    for (int s = 0; s < shards; ++s) sum += shard_clip_grad[size_t(s)][d];
    params[size_t(clip_param[d])].grad[0] = float(sum);
  }
  for (NodeRt& r : nodes) {
    if (r.layer < 0) continue;
    Param& W = params[size_t(r.weight)];
    Param& S = params[size_t(r.wscale)];
    const float sw = S.value[0];
    // Under noise-aware training the forward used w' = s_w (q + e) with e
    // the programming error in LSBs, which does not depend on s_w: so
    // dw'/ds_w = (LSQ's round(w/s_w) - w/s_w, or the clamp bound) + e, for
    // every weight, clamped ones included. The e term is summed over the
    // unmasked gradient dL/dw' before the straight-through mask; dw'/dw is
    // the plain straight-through one (e is piecewise constant in w).
    double noise_term = 0;
    if (r.noisy) noise_term = dot_blocked(W.grad.data(), r.werr.data(), W.grad.size());
    const double ds = fake_quant_backward(W.value.data(), W.grad.data(), W.grad.data(), false, W.grad.size(), sw,
                                          r.wlo, r.whi) +
                      noise_term;
    S.grad[0] = float(ds / std::sqrt(double(W.grad.size()) * std::max(1.f, r.whi)));
  }
}

// ------------------------------------------------------------------ Network

Network::Network(const Graph& g, int max_batch, int threads, int shards, const Policy* policy,
                 const Calibration* calibration) {
  if (max_batch < 1) throw Error("training batch must be at least 1, got " + std::to_string(max_batch));
  if (shards < 1) throw Error("shards must be at least 1");
  impl_ = std::make_unique<Impl>(g, max_batch, threads, shards);
  impl_->build(policy, calibration);
  impl_->shard_loss.assign(size_t(shards), 0.0);
  impl_->shard_correct.assign(size_t(shards), 0);
}

Network::~Network() = default;

bool Network::quantized() const { return impl_->quantized; }

void Network::set_weight_noise(std::vector<WeightErrorTable> per_layer) {
  Impl& m = *impl_;
  if (!per_layer.empty()) {
    if (!m.quantized) throw Error("weight noise needs a quantized network (quantization-aware training)");
    const std::vector<int> layers = m.g.quantizable_layers();
    if (per_layer.size() != layers.size())
      throw Error("weight noise for " + std::to_string(per_layer.size()) + " layers, model '" + m.g.name + "' has " +
                  std::to_string(layers.size()));
    for (size_t l = 0; l < layers.size(); ++l) {
      const NodeRt& r = m.nodes[size_t(layers[l])];
      const size_t values = size_t(r.whi - r.wlo) + 1;
      if (per_layer[l].mean.size() != values || per_layer[l].std_dev.size() != values)
        throw Error("weight noise of layer '" + r.node->name + "': the table needs one mean and one standard "
                    "deviation per weight value (" + std::to_string(values) + ")");
    }
  }
  m.weight_noise = std::move(per_layer);
}

void Network::set_weight_noise_key(uint64_t key) { impl_->weight_noise_key = key; }
int Network::max_batch() const { return impl_->max_batch; }
int Network::threads() const { return impl_->pool.threads(); }
const Graph& Network::graph() const { return impl_->g; }

void Network::forward(const float* images, int n, bool training) {
  Impl& m = *impl_;
  if (n < 1 || n > m.max_batch)
    throw Error("forward of " + std::to_string(n) + " images, the network was built for at most " +
                std::to_string(m.max_batch));
  m.n = n;
  m.trained_forward = training;
  m.prepare_weights();
  const int N = int(m.nodes.size());
  int i = 0, pending_bn = -1;
  for (;;) {
    int j = i;
    while (j < N && !(training && m.nodes[size_t(j)].kind == OpKind::BatchNorm)) ++j;
    m.pool.run(m.shards, [&](int s) {
      if (i == 0) {  // the input node: copy (and quantize) the shard's images
        NodeRt& in = m.nodes[0];
        const size_t sz = in.size * size_t(m.count(s));
        const float* src = images + size_t(m.begin(s)) * in.size;
        if (in.out_q >= 0) {
          std::copy(src, src + sz, in.pre[size_t(s)].begin());
          const Quantizer& q = m.quant[size_t(in.out_q)];
          fake_quant(src, in.act[size_t(s)].data(), sz, m.qscale(q), q.lo, q.hi);
        } else {
          std::copy(src, src + sz, in.act[size_t(s)].begin());
        }
      }
      if (pending_bn >= 0) m.bn_apply(pending_bn, s);
      for (int k = std::max(i, 1); k < j; ++k) m.fwd_node(k, s, training);
      if (j < N) m.bn_stats(j, s);
    });
    if (j >= N) break;
    m.bn_reduce(j);
    pending_bn = j;
    i = j + 1;
  }
}

namespace {
void check_distillation(const Distillation* kd) {
  if (kd && (!kd->teacher_logits || !(kd->weight >= 0 && kd->weight <= 1) || !(kd->temperature > 0)))
    throw Error("distillation needs teacher logits, a weight in [0, 1] and a temperature above 0");
}
}  // namespace

double Network::loss(const uint8_t* labels, int* correct, const Distillation* kd) {
  Impl& m = *impl_;
  check_distillation(kd);
  m.labels = labels;
  m.kd = kd;
  // Loss only: compute into the gradient buffer anyway (cheap), no backward.
  m.pool.run(m.shards, [&](int s) { m.loss_grad(s); });
  double total = 0;
  int c = 0;
  for (int s = 0; s < m.shards; ++s) {
    total += m.shard_loss[size_t(s)];
    c += m.shard_correct[size_t(s)];
  }
  if (correct) *correct = c;
  return total / m.n;
}

double Network::loss_backward(const uint8_t* labels, int* correct, const Distillation* kd) {
  Impl& m = *impl_;
  if (!m.trained_forward) throw Error("backward needs a forward pass in training mode");
  check_distillation(kd);
  m.labels = labels;
  m.kd = kd;
  for (auto& v : m.shard_clip_grad) std::fill(v.begin(), v.end(), 0.0);
  const int N = int(m.nodes.size());
  int i = N - 1, pending_bn = -1;
  bool first = true;
  for (;;) {
    int j = i;
    while (j >= 1 && m.nodes[size_t(j)].kind != OpKind::BatchNorm) --j;
    m.pool.run(m.shards, [&](int s) {
      if (first) m.loss_grad(s);
      if (pending_bn >= 0) m.bn_bwd_apply(pending_bn, s);
      for (int k = i; k > j; --k) m.bwd_node(k, s);
      if (j >= 1) m.bn_bwd_stats(j, s);
    });
    first = false;
    if (j < 1) break;
    m.bn_bwd_reduce(j);
    pending_bn = j;
    i = j - 1;
  }
  m.reduce_grads();
  double total = 0;
  int c = 0;
  for (int s = 0; s < m.shards; ++s) {
    total += m.shard_loss[size_t(s)];
    c += m.shard_correct[size_t(s)];
  }
  if (correct) *correct = c;
  return total / m.n;
}

namespace {

// Zeroes a grouped convolution's weights across groups and their momentum:
// for each output, the input channels before and after its group's.
void hold_across_groups(const Node& n, float* w, float* v) {
  const size_t taps = size_t(n.kernel) * size_t(n.kw()), row = size_t(n.in_channels) * taps;
  const size_t group = size_t(n.in_channels / n.groups) * taps;
  const int outputs_per_group = n.out_channels / n.groups;
  for (int o = 0; o < n.out_channels; ++o) {
    const size_t begin = size_t(o) * row, first = begin + size_t(o / outputs_per_group) * group;
    for (float* x : {w, v}) {
      std::fill(x + begin, x + first, 0.f);
      std::fill(x + first + group, x + begin + row, 0.f);
    }
  }
}

}  // namespace

void Network::sgd_step(const SgdParams& p) {
  for (Param& q : impl_->params) {
    const bool scale = q.kind == ParamKind::Scale;
    const float lr = scale ? p.lr * p.scale_lr_factor : p.lr;
    const float wd = q.kind == ParamKind::Weight ? p.weight_decay : 0.f;
    float* w = q.value.data();
    float* v = q.mom.data();
    const float* g = q.grad.data();
    for (size_t k = 0; k < q.value.size(); ++k) {
      v[k] = p.momentum * v[k] + g[k] + wd * w[k];
      w[k] -= lr * v[k];
    }
    if (scale)
      for (float& x : q.value) x = std::max(x, 1e-6f);
    if (q.grouped) hold_across_groups(*q.grouped, w, v);
    if (q.upper > 0)
      for (float& x : q.value) x = std::min(x, q.upper);
  }
}

const float* Network::output(int i) const {
  const Impl& m = *impl_;
  int s = 0;
  while (s + 1 < m.shards && m.begin(s + 1) <= i) ++s;
  return m.nodes.back().act[size_t(s)].data() + size_t(i - m.begin(s)) * m.nodes.back().size;
}

int Network::output_size() const { return int(impl_->nodes.back().size); }

int Network::predict(int i) const {
  const float* o = output(i);
  return int(std::max_element(o, o + output_size()) - o);
}

std::vector<ParamView> Network::params() {
  std::vector<ParamView> out;
  for (Param& p : impl_->params) out.push_back({p.name, p.value.data(), p.grad.data(), p.value.size()});
  return out;
}

std::vector<std::vector<float>*> Network::momentum_buffers() {
  std::vector<std::vector<float>*> out;
  for (Param& p : impl_->params) out.push_back(&p.mom);
  return out;
}

void Network::write_back(Graph& g) const {
  const Impl& m = *impl_;
  if (g.nodes.size() != m.g.nodes.size()) throw Error("write_back: the graph has a different structure");
  for (size_t j = 0; j < g.nodes.size(); ++j) {
    const NodeRt& r = m.nodes[j];
    Node& nd = g.nodes[j];
    if (nd.kind != r.kind) throw Error("write_back: node '" + nd.name + "' has a different kind");
    if (r.weight >= 0) nd.weight = m.params[size_t(r.weight)].value;
    if (r.bias >= 0) nd.bias = m.params[size_t(r.bias)].value;
    if (nd.kind == OpKind::BatchNorm) {
      nd.mean = m.g.nodes[j].mean;
      nd.var = m.g.nodes[j].var;
    }
  }
}

Calibration Network::calibration() const {
  const Impl& m = *impl_;
  Calibration c;
  if (!m.quantized) return c;
  for (size_t d = 0; d < m.plan.domains.size(); ++d)
    if (!m.plan.domains[d].int32_output) c.act_clip[m.plan.domains[d].name] = m.domain_clip(int(d));
  for (const NodeRt& r : m.nodes)
    if (r.layer >= 0) c.weight_scale[r.node->name] = m.params[size_t(r.wscale)].value[0];
  return c;
}

}  // namespace cimvp::training
