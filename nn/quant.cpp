#include "nn/quant.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "nn/softmax.h"

namespace cimvp {

// ------------------------------------------------------------ integer helpers

QuantMultiplier quantize_multiplier(double real) {
  if (std::isnan(real) || real < 0)
    throw Error("requantization multiplier " + std::to_string(real) + " must be a non-negative number");
  if (real == 0) return {0, 0};
  int exp = 0;
  const double frac = std::frexp(real, &exp);  // real = frac * 2^exp, frac in [0.5, 1)
  int64_t m = std::llround(std::ldexp(frac, 31));
  if (m == (int64_t(1) << 31)) {  // rounded up to 1.0
    m >>= 1;
    ++exp;
  }
  int shift = 31 - exp;
  if (shift < 0)
    throw Error("requantization multiplier " + std::to_string(real) + " is too large (must be < 2^31)");
  if (shift > 62) {  // below 2^-32: denormalize (precision drops, the output is ~0 anyway)
    const int extra = shift - 62;
    m = extra >= 63 ? 0 : (m + (int64_t(1) << (extra - 1))) >> extra;
    shift = 62;
    if (m == 0) shift = 0;
  }
  return {int32_t(m), shift};
}

int64_t requantize(int64_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo, int32_t hi) {
  return requantize(acc, multiplier, shift, zero_point, lo, hi, Rounding::HalfUp);
}

int64_t requantize(int64_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo, int32_t hi,
                   Rounding rounding) {
  const __int128 product = __int128(acc) * multiplier;
  __int128 scaled = shift <= 0 ? product : (product + (__int128(1) << (shift - 1))) >> shift;
  if (shift > 0 && rounding == Rounding::HalfEven) {
    const __int128 rem = product & ((__int128(1) << shift) - 1);
    if (rem == (__int128(1) << (shift - 1)) && (scaled & 1)) scaled -= 1;  // a tie went up to an odd value
  }
  scaled += zero_point;
  if (scaled < lo) return lo;
  if (scaled > hi) return hi;
  return int64_t(scaled);
}

int32_t pad_level(double value, double scale, int32_t zero_point, int32_t lo, int32_t hi) {
  const double v = std::round(value / scale) + zero_point;
  return int32_t(std::clamp(v, double(lo), double(hi)));
}

int32_t quantize_value(double x, double scale, int32_t lo, int32_t hi) {
  const double v = std::floor(x / scale + 0.5);
  if (!(v >= lo)) return lo;  // also NaN
  if (v > hi) return hi;
  return int32_t(v);
}

// ------------------------------------------------------------ activation plan

ActivationPlan plan_activations(const Graph& g, const Policy& p) {
  const std::vector<int> layers = g.quantizable_layers();
  check_policy(p, layers.size(), "policy for model '" + g.name + "'");
  const auto cons = g.consumers();
  const size_t n = g.nodes.size();
  ActivationPlan plan;
  plan.domain_of.assign(n, -1);
  std::vector<bool> fused(n, false);
  auto fail = [&](const Node& nd, const std::string& what) -> void {
    throw Error("node '" + nd.name + "' (" + op_name(nd.kind) + "): " + what);
  };
  for (size_t i = 0; i < n; ++i) {
    const Node& nd = g.nodes[i];
    if (fused[i]) continue;
    switch (nd.kind) {
      case OpKind::Input:
      case OpKind::Conv2d:
      case OpKind::Dense:
      case OpKind::AvgPool:
      case OpKind::GlobalAvgPool:
      case OpKind::Add:
      case OpKind::Concat:
      case OpKind::Activation:
      case OpKind::Softmax:
      case OpKind::Mul: {
        ActDomain d;
        d.name = nd.name;
        d.root = int(i);
        int tail = int(i);
        if (nd.quantizable() && cons[i].size() == 1 && g.nodes[size_t(cons[i][0])].kind == OpKind::BatchNorm) {
          tail = cons[i][0];
          fused[size_t(tail)] = true;
        }
        if (nd.kind != OpKind::Input && cons[size_t(tail)].size() == 1 &&
            g.nodes[size_t(cons[size_t(tail)][0])].kind == OpKind::Relu) {
          tail = cons[size_t(tail)][0];
          fused[size_t(tail)] = true;
          d.relu = true;
          d.max = g.nodes[size_t(tail)].max;
        }
        d.node = tail;
        if (d.relu || (nd.kind == OpKind::Input && nd.nonnegative))
          d.is_signed = false;
        else if (nd.kind == OpKind::AvgPool || nd.kind == OpKind::GlobalAvgPool)
          d.is_signed = plan.domains[size_t(plan.domain_of[size_t(nd.inputs[0])])].is_signed;
        else if (nd.kind == OpKind::Activation)
          d.is_signed = !activation_nonnegative(nd.function);
        else if (nd.kind == OpKind::Softmax)
          d.is_signed = nd.log;  // probabilities are >= 0, their logarithms <= 0
        else if (nd.kind == OpKind::Concat || nd.kind == OpKind::Mul)  // unsigned when every part is
          d.is_signed = std::any_of(nd.inputs.begin(), nd.inputs.end(), [&](int in) {
            const int src = plan.domain_of[size_t(in)];
            return src < 0 || plan.domains[size_t(src)].is_signed;
          });
        else
          d.is_signed = true;
        d.int32_output = nd.quantizable() && !d.relu && tail == g.output();
        plan.domain_of[size_t(tail)] = int(plan.domains.size());
        plan.domains.push_back(d);
        break;
      }
      case OpKind::BatchNorm:
        fail(nd, "a batch norm must directly follow a conv2d or dense layer that nothing else reads");
        break;
      case OpKind::Relu: {  // one no producer could fuse (the fused ones were skipped above)
        const int d = plan.domain_of[size_t(nd.inputs[0])];
        if (d >= 0 && !plan.domains[size_t(d)].is_signed && nd.max == 0) {
          plan.domain_of[i] = d;  // ReLU of unsigned values is the identity
          break;
        }
        // Any other: a table (QOpKind::Lut) into an unsigned domain of its own,
        // like an activation; a bounded one's clip stays within its bound.
        ActDomain dom;
        dom.name = nd.name;
        dom.root = dom.node = int(i);
        dom.is_signed = false;
        dom.max = nd.max;
        plan.domain_of[i] = int(plan.domains.size());
        plan.domains.push_back(dom);
        break;
      }
      case OpKind::MaxPool:
      case OpKind::Flatten:
      case OpKind::Channels:
      case OpKind::Pad:
        plan.domain_of[i] = plan.domain_of[size_t(nd.inputs[0])];
        break;
    }
    for (int in : nd.inputs)
      if (plan.domain_of[size_t(in)] < 0)
        fail(nd, "reads '" + g.nodes[size_t(in)].name + "', whose value is fused away");
  }
  std::vector<int> demand(plan.domains.size(), 0);
  for (size_t l = 0; l < layers.size(); ++l) {
    const int d = plan.domain_of[size_t(g.nodes[size_t(layers[l])].inputs[0])];
    plan.layer_input_domain.push_back(d);
    plan.layer_input_bits.push_back(p.activation_bits[l]);
    demand[size_t(d)] = std::max(demand[size_t(d)], p.activation_bits[l]);
  }
  for (size_t d = 0; d < plan.domains.size(); ++d) {
    ActDomain& dom = plan.domains[d];
    dom.bits = dom.int32_output ? 32 : (demand[d] ? demand[d] : 8);
  }
  return plan;
}

// ------------------------------------------------------------ calibration

float choose_clip(std::vector<float> values, int bits, bool is_signed, const CalibrationOptions& opt) {
  float mx = 0;
  for (float& v : values) {
    if (!is_signed) v = std::max(v, 0.f);
    mx = std::max(mx, std::fabs(v));
  }
  if (!(mx > 0)) return 1.f;  // an all-zero tensor: any scale represents it
  if (opt.method == ClipMethod::Max) return mx;
  if (opt.method == ClipMethod::Percentile) {
    std::vector<float> a(values.size());
    for (size_t i = 0; i < a.size(); ++i) a[i] = std::fabs(values[i]);
    const double q = std::clamp(opt.percentile, 0.0, 100.0) / 100.0;
    const size_t k = std::min(a.size() - 1, size_t(q * double(a.size() - 1) + 0.5));
    std::nth_element(a.begin(), a.begin() + std::ptrdiff_t(k), a.end());
    return a[k] > 0 ? a[k] : mx;
  }
  const int32_t lo = qmin(bits, is_signed), hi = qmax(bits, is_signed), level = clip_level(bits, is_signed);
  double best_err = std::numeric_limits<double>::infinity();
  float best = mx;
  constexpr int kCandidates = 100;
  for (int k = kCandidates; k >= 1; --k) {
    const double clip = double(mx) * k / kCandidates;
    const double s = clip / level;
    double err = 0;
    for (float v : values) {
      const double d = double(v) - s * quantize_value(v, s, lo, hi);
      err += d * d;
    }
    if (err < best_err) {
      best_err = err;
      best = float(clip);
    }
  }
  return best;
}

ActivationSamples sample_activations(const Graph& graph, const std::vector<std::vector<float>>& samples,
                                     const CalibrationOptions& opt) {
  if (samples.empty()) throw Error("calibration of model '" + graph.name + "' needs at least one sample");
  const Graph g = has_batch_norm(graph) ? fold_batch_norm(graph) : graph;
  ActivationSamples a;
  a.per_node.resize(g.nodes.size());
  for (const auto& s : samples) {
    const auto all = forward_all(g, s);
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      const auto& v = all[n];
      std::vector<float>& kept = a.per_node[n];
      // Keep a strided subsample so each node holds about max_values values.
      const size_t total = v.size() * samples.size();
      const size_t stride = std::max<size_t>(1, total / std::max<size_t>(1, opt.max_values));
      float mx = 0;
      for (float x : v) mx = std::max(mx, std::fabs(x));
      for (size_t j = (kept.size() * 7919) % stride; j < v.size(); j += stride) kept.push_back(v[j]);
      kept.push_back(mx);  // the largest magnitude always counts
    }
  }
  return a;
}

Calibration calibrate(const Graph& graph, ActivationSamples& activations, const Policy& p,
                      const CalibrationOptions& opt) {
  const bool fold = has_batch_norm(graph);
  const Graph folded = fold ? fold_batch_norm(graph) : Graph{};  // no copy of a folded graph: once per policy
  const Graph& g = fold ? folded : graph;
  if (activations.per_node.size() != g.nodes.size())
    throw Error("activation samples of model '" + graph.name + "' were taken from another graph");
  const ActivationPlan plan = plan_activations(g, p);
  Calibration c;
  for (const ActDomain& dom : plan.domains) {
    if (dom.int32_output) continue;
    const auto key = std::make_tuple(dom.node, dom.bits, dom.is_signed, int(opt.method), opt.percentile);
    auto it = activations.activation_clips.find(key);
    if (it == activations.activation_clips.end())
      it = activations.activation_clips
               .emplace(key, choose_clip(activations.per_node[size_t(dom.node)], dom.bits, dom.is_signed, opt))
               .first;
    c.act_clip[dom.name] = effective_clip(dom, it->second);
  }
  return c;
}

Calibration calibrate(const Graph& graph, const std::vector<std::vector<float>>& samples, const Policy& p,
                      const CalibrationOptions& opt) {
  ActivationSamples activations = sample_activations(graph, samples, opt);
  return calibrate(graph, activations, p, opt);
}

double weight_scale_for(const Node& layer, int bits, const Calibration& c, bool weight_mse) {
  auto it = c.weight_scale.find(layer.name);
  if (it != c.weight_scale.end()) {
    if (!(it->second > 0) || !std::isfinite(it->second))
      throw Error("weight scale of layer '" + layer.name + "' must be positive");
    return it->second;
  }
  float mx = 0;
  for (float w : layer.weight) mx = std::max(mx, std::fabs(w));
  if (!(mx > 0)) return 1.0;
  double clip = mx;
  if (weight_mse) {
    CalibrationOptions o;
    std::vector<float> v = layer.weight;
    if (v.size() > o.max_values) {
      std::vector<float> sub;
      const size_t stride = v.size() / o.max_values + 1;
      for (size_t i = 0; i < v.size(); i += stride) sub.push_back(v[i]);
      sub.push_back(mx);
      v.swap(sub);
    }
    clip = choose_clip(std::move(v), bits, true, o);
  }
  return clip / clip_level(bits, true);
}

// ------------------------------------------------------------ quantize

const char* qop_name(QOpKind k) {
  switch (k) {
    case QOpKind::Conv2d: return "conv2d";
    case QOpKind::Dense: return "dense";
    case QOpKind::MaxPool: return "maxpool";
    case QOpKind::AvgPool: return "avgpool";
    case QOpKind::GlobalAvgPool: return "global_avgpool";
    case QOpKind::Add: return "add";
    case QOpKind::Rescale: return "rescale";
    case QOpKind::Concat: return "concat";
    case QOpKind::Lut: return "activation";
    case QOpKind::Mul: return "mul";
    case QOpKind::Channels: return "channels";
    case QOpKind::Pad: return "pad";
    case QOpKind::Softmax: return "softmax";
  }
  return "unknown";
}

namespace {

Requant make_requant(double real, const QTensor& out) {
  Requant r;
  const QuantMultiplier m = quantize_multiplier(real);
  r.multiplier = m.multiplier;
  r.shift = m.shift;
  r.zero_point = out.zero_point;
  r.lo = out.lo();
  r.hi = out.hi();
  r.real = real;
  return r;
}

}  // namespace

namespace {

// A windowed op's window (Conv2d, MaxPool, AvgPool) as its node's.
void set_window(QOp& op, const Node& nd) {
  op.kernel = nd.kernel;
  op.kernel_w = nd.kw();
  op.dilation = nd.dilation;
  op.stride = nd.stride;
  op.padding = nd.padding;
  op.padding_w = nd.pw();
}

// The one op-building path of quantize() and quantize_structure(). With
// c == nullptr (structure): every activation scale and weight scale is the
// nominal 1, weights stay empty and biases are zeros sized out_channels; the
// ops, tensors, bits, signedness and shapes are those quantize() builds.
QuantizedNetwork build_network(const Graph& graph, const Policy& p, const Calibration* c, bool weight_mse) {
  const bool structure = c == nullptr;
  if (!structure && graph.structure_only)
    throw Error("model '" + graph.name + "' is structure-only (no weights): it can only be quantized for timing "
                "(quantize_structure)");
  if (structure && !graph.structure_only) return build_network(structure_of(graph), p, nullptr, false);
  const Graph g = has_batch_norm(graph) ? fold_batch_norm(graph) : graph;
  const ActivationPlan plan = plan_activations(g, p);
  QuantizedNetwork q;
  q.name = g.name;
  q.policy = p;
  std::vector<int> domain_of_root(g.nodes.size(), -1);
  for (size_t d = 0; d < plan.domains.size(); ++d) domain_of_root[size_t(plan.domains[d].root)] = int(d);

  auto domain_scale = [&](const ActDomain& dom, int bits) {
    if (structure) return 1.0;
    auto it = c->act_clip.find(dom.name);
    if (it == c->act_clip.end())
      throw Error("calibration has no activation clip for '" + dom.name + "' of model '" + g.name + "'");
    if (!(it->second > 0) || !std::isfinite(it->second))
      throw Error("activation clip of '" + dom.name + "' must be positive, got " + std::to_string(it->second));
    return activation_scale(dom, it->second, bits);
  };
  // The tensor a domain's producer writes (int32 output: scale filled in by the layer).
  auto new_tensor = [&](const ActDomain& dom, const Node& node) {
    QTensor t;
    t.name = g.nodes[size_t(dom.node)].name;
    t.shape = node.shape;
    t.bits = dom.bits;
    t.is_signed = dom.is_signed;
    t.scale = dom.int32_output ? 0 : domain_scale(dom, dom.bits);
    q.tensors.push_back(t);
    return int(q.tensors.size()) - 1;
  };

  std::vector<int> tensor_of(g.nodes.size(), -1);
  std::map<std::pair<int, int>, int> rescaled;  // (tensor, bits) -> copy
  int layer = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& nd = g.nodes[i];
    const int d = domain_of_root[i];
    QOp op;
    op.name = nd.name;
    for (int in : nd.inputs) op.inputs.push_back(tensor_of[size_t(in)]);
    switch (nd.kind) {
      case OpKind::Input:
        tensor_of[i] = new_tensor(plan.domains[size_t(d)], nd);
        q.input = tensor_of[i];
        continue;
      case OpKind::Flatten:
      case OpKind::BatchNorm:  // not present after folding; fused ReLUs are skipped below
        if (tensor_of[i] < 0) tensor_of[i] = tensor_of[size_t(nd.inputs[0])];
        continue;
      case OpKind::Conv2d:
      case OpKind::Dense: {
        const ActDomain& dom = plan.domains[size_t(d)];
        const int a = p.activation_bits[size_t(layer)], w = p.weight_bits[size_t(layer)];
        int tin = op.inputs[0];
        if (a < q.tensors[size_t(tin)].bits) {  // read a copy with fewer bits
          auto key = std::make_pair(tin, a);
          auto it = rescaled.find(key);
          if (it == rescaled.end()) {
            const ActDomain& src = plan.domains[size_t(plan.layer_input_domain[size_t(layer)])];
            QTensor t = q.tensors[size_t(tin)];
            t.name += "@a" + std::to_string(a);
            t.bits = a;
            t.scale = domain_scale(src, a);
            q.tensors.push_back(t);
            QOp r;
            r.kind = QOpKind::Rescale;
            r.name = t.name;
            r.inputs = {tin};
            r.output = int(q.tensors.size()) - 1;
            r.input_multipliers = {1};
            r.acc_scale = q.tensors[size_t(tin)].scale;
            r.requant = make_requant(r.acc_scale / t.scale, t);
            q.ops.push_back(r);
            it = rescaled.emplace(key, r.output).first;
          }
          tin = it->second;
          op.inputs[0] = tin;
        }
        const QTensor& in = q.tensors[size_t(tin)];
        op.kind = nd.kind == OpKind::Conv2d ? QOpKind::Conv2d : QOpKind::Dense;
        if (nd.kind == OpKind::Conv2d)
          set_window(op, nd);
        else
          op.kernel = op.kernel_w = 1;
        op.layer = layer;
        op.in_channels = nd.in_channels;
        op.out_channels = nd.out_channels;
        op.groups = nd.kind == OpKind::Conv2d ? nd.groups : 1;
        op.weight_bits = w;
        op.activation_bits = a;
        op.input_signed = in.is_signed;
        op.weight_scale = structure ? 1.0 : weight_scale_for(nd, w, *c, weight_mse);
        const int32_t wlo = qmin(w, true), whi = qmax(w, true);
        op.weight.resize(nd.weight.size());
        for (size_t j = 0; j < nd.weight.size(); ++j)
          op.weight[j] = int16_t(quantize_value(nd.weight[j], op.weight_scale, wlo, whi));
        op.acc_scale = in.scale * op.weight_scale;
        const int64_t in_abs = std::max<int64_t>(-int64_t(in.lo()), in.hi());
        const int64_t per_out = int64_t(op.weight.size()) / op.out_channels;
        op.bias.resize(size_t(op.out_channels));
        for (int o = 0; o < op.out_channels && !structure; ++o) {
          const double b = std::floor(double(nd.bias[size_t(o)]) / op.acc_scale + 0.5);
          int64_t wsum = 0;
          for (int64_t j = 0; j < per_out; ++j) wsum += std::abs(int64_t(op.weight[size_t(o * per_out + j)]));
          const double bound = double(wsum) * double(in_abs) + std::fabs(b);
          if (!(bound < 2147483647.0))
            throw Error("layer '" + nd.name + "': output channel " + std::to_string(o) +
                        " can overflow the int32 accumulator (bound " + std::to_string(bound) +
                        "): the bias or the weights are too large for the scales");
          op.bias[size_t(o)] = int32_t(b);
        }
        const ActDomain& out_dom = plan.domains[size_t(d)];
        op.output = new_tensor(out_dom, nd);
        QTensor& out = q.tensors[size_t(op.output)];
        if (out_dom.int32_output) {
          op.requantize = false;
          out.scale = op.acc_scale;
        } else {
          op.requant = make_requant(op.acc_scale / out.scale, out);
        }
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        q.layers.push_back(int(q.ops.size()));
        ++layer;
        break;
      }
      // Ops that move integers without changing them: the output is the
      // input's integers at its scale.
      case OpKind::Channels:  // channels picked
      case OpKind::Pad:       // bordered
      case OpKind::MaxPool: {
        QTensor t = q.tensors[size_t(op.inputs[0])];
        t.name = nd.name;
        t.shape = nd.shape;
        q.tensors.push_back(t);
        op.output = int(q.tensors.size()) - 1;
        tensor_of[i] = op.output;
        if (nd.kind == OpKind::Channels) {
          op.kind = QOpKind::Channels;
          op.channels = nd.channels;
        } else if (nd.kind == OpKind::Pad) {
          op.kind = QOpKind::Pad;
          op.pad = nd.pad;
          op.pad_integer = pad_level(nd.pad.value, t.scale, t.zero_point, t.lo(), t.hi());
        } else {
          op.kind = QOpKind::MaxPool;
          set_window(op, nd);
        }
        break;
      }
      case OpKind::AvgPool:
      case OpKind::GlobalAvgPool: {
        const ActDomain& dom = plan.domains[size_t(d)];
        const QTensor& in = q.tensors[size_t(op.inputs[0])];
        const double s_in = in.scale;
        const Shape is = g.nodes[size_t(nd.inputs[0])].shape;
        op.kind = nd.kind == OpKind::AvgPool ? QOpKind::AvgPool : QOpKind::GlobalAvgPool;
        set_window(op, nd);
        const double count = nd.kind == OpKind::AvgPool ? double(nd.kernel) * nd.kw() : double(is.h) * is.w;
        if (count * 255.0 >= 2147483647.0) throw Error("node '" + nd.name + "': pooling window too large");
        op.output = new_tensor(dom, nd);
        op.acc_scale = s_in;
        op.requant = make_requant(s_in / (count * q.tensors[size_t(op.output)].scale), q.tensors[size_t(op.output)]);
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        break;
      }
      case OpKind::Add: {
        const ActDomain& dom = plan.domains[size_t(d)];
        const double sa = q.tensors[size_t(op.inputs[0])].scale, sb = q.tensors[size_t(op.inputs[1])].scale;
        op.kind = QOpKind::Add;
        // Common accumulator scale: the larger input scale / 2^20, so the
        // multipliers are <= 2^20 and 2 * 255 * 2^20 < 2^31.
        op.acc_scale = std::max(sa, sb) / double(1 << 20);
        op.input_multipliers = {int32_t(std::llround(sa / op.acc_scale)), int32_t(std::llround(sb / op.acc_scale))};
        op.output = new_tensor(dom, nd);
        op.requant = make_requant(op.acc_scale / q.tensors[size_t(op.output)].scale, q.tensors[size_t(op.output)]);
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        break;
      }
      case OpKind::Relu:
        if (d < 0) {  // fused into its producer, or the identity of unsigned values
          if (tensor_of[i] < 0) tensor_of[i] = tensor_of[size_t(nd.inputs[0])];
          continue;
        }
        [[fallthrough]];  // one no producer could fuse: a table, as an activation's
      case OpKind::Activation: {
        const ActDomain& dom = plan.domains[size_t(d)];
        op.kind = QOpKind::Lut;
        op.output = new_tensor(dom, nd);
        const QTensor& in = q.tensors[size_t(op.inputs[0])];
        const QTensor& out = q.tensors[size_t(op.output)];
        if (in.bits > 8) throw Error("node '" + nd.name + "': an activation of an int32 tensor is not supported");
        const ActivationFn fn = nd.kind == OpKind::Activation ? nd.function
                                : nd.max > 0                   ? ActivationFn(Activation::Clip, 0, nd.max)
                                                               : ActivationFn(Activation::Relu);
        op.table = activation_table(fn, in.lo(), in.hi(), in.scale, in.zero_point, out.scale, out.zero_point,
                                    out.lo(), out.hi());
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        break;
      }
      case OpKind::Softmax: {
        const ActDomain& dom = plan.domains[size_t(d)];
        op.kind = QOpKind::Softmax;
        op.softmax_axis = nd.softmax_axis;
        op.log = nd.log;
        op.output = new_tensor(dom, nd);
        const QTensor& in = q.tensors[size_t(op.inputs[0])];
        const QTensor& out = q.tensors[size_t(op.output)];
        if (in.bits > 8) throw Error("node '" + nd.name + "': a softmax of an int32 tensor is not supported");
        if (in.zero_point != 0 || out.zero_point != 0)
          throw Error("node '" + nd.name + "': a softmax with zero points is not supported");
        op.table = softmax_constants(in.scale, out.scale, out.lo(), out.hi(), nd.log, nd.name);
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        break;
      }
      case OpKind::Mul: {
        const ActDomain& dom = plan.domains[size_t(d)];
        op.kind = QOpKind::Mul;
        op.acc_scale = q.tensors[size_t(op.inputs[0])].scale * q.tensors[size_t(op.inputs[1])].scale;
        op.output = new_tensor(dom, nd);
        op.requant = make_requant(op.acc_scale / q.tensors[size_t(op.output)].scale, q.tensors[size_t(op.output)]);
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        break;
      }
      case OpKind::Concat: {
        // Each input brought to a common accumulator scale (like Add), its
        // channels into their slice, then one requantization of the whole.
        // A channel holds one input's term, so m_i <= 2^20 keeps it in int32.
        const ActDomain& dom = plan.domains[size_t(d)];
        op.kind = QOpKind::Concat;
        double largest = 0;
        for (int t : op.inputs) largest = std::max(largest, q.tensors[size_t(t)].scale);
        op.acc_scale = largest / double(1 << 20);
        for (int t : op.inputs)
          op.input_multipliers.push_back(int32_t(std::llround(q.tensors[size_t(t)].scale / op.acc_scale)));
        op.output = new_tensor(dom, nd);
        op.requant = make_requant(op.acc_scale / q.tensors[size_t(op.output)].scale, q.tensors[size_t(op.output)]);
        tensor_of[i] = op.output;
        tensor_of[size_t(dom.node)] = op.output;
        break;
      }
    }
    q.ops.push_back(std::move(op));
  }
  q.output = tensor_of[size_t(g.output())];
  return q;
}

}  // namespace

QuantizedNetwork quantize(const Graph& g, const Policy& p, const Calibration& c, bool weight_mse) {
  return build_network(g, p, &c, weight_mse);
}

QuantizedNetwork quantize_structure(const Graph& g, const Policy& p) { return build_network(g, p, nullptr, false); }

std::vector<int8_t> quantize_input(const QuantizedNetwork& q, const std::vector<float>& image) {
  const QTensor& t = q.input_tensor();
  if (int64_t(image.size()) != t.shape.size())
    throw Error("input image has " + std::to_string(image.size()) + " values, model '" + q.name + "' expects " +
                std::to_string(t.shape.size()) + " (" + t.shape.str() + ")");
  std::vector<int8_t> out(image.size());
  for (size_t i = 0; i < image.size(); ++i) {
    const int32_t v = t.zero_point == 0 ? quantize_value(image[i], t.scale, t.lo(), t.hi())
                                        : std::clamp(quantize_value(image[i], t.scale, t.lo() - t.zero_point,
                                                                    t.hi() - t.zero_point) + t.zero_point,
                                                     t.lo(), t.hi());
    out[i] = int8_t(uint8_t(v));  // one byte: two's complement when signed, uint8 when not
  }
  return out;
}

}  // namespace cimvp
