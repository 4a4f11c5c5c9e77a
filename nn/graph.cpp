#include "nn/graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/error.h"
#include "nn/softmax.h"

namespace cimvp {

namespace {

struct KindName {
  OpKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {OpKind::Input, "input"},       {OpKind::Conv2d, "conv2d"},
    {OpKind::Dense, "dense"},       {OpKind::Relu, "relu"},
    {OpKind::MaxPool, "maxpool"},   {OpKind::AvgPool, "avgpool"},
    {OpKind::GlobalAvgPool, "global_avgpool"}, {OpKind::BatchNorm, "batchnorm"},
    {OpKind::Add, "add"},           {OpKind::Flatten, "flatten"},
    {OpKind::Concat, "concat"},     {OpKind::Activation, "activation"},
    {OpKind::Mul, "mul"},           {OpKind::Channels, "channels"},
    {OpKind::Pad, "pad"},           {OpKind::Softmax, "softmax"},
};

[[noreturn]] void fail(const Node& n, const std::string& what) {
  throw Error("node '" + n.name + "' (" + op_name(n.kind) + "): " + what);
}

// Whether a node may have `inputs` inputs.
bool arity_fits(OpKind k, size_t inputs) {
  switch (k) {
    case OpKind::Input: return inputs == 0;
    case OpKind::Add:
    case OpKind::Mul: return inputs == 2;
    case OpKind::Concat: return inputs >= 2;
    default: return inputs == 1;
  }
}
const char* arity_text(OpKind k) {
  switch (k) {
    case OpKind::Input: return "0";
    case OpKind::Add:
    case OpKind::Mul: return "2";
    case OpKind::Concat: return "2 or more";
    default: return "1";
  }
}

// Output size of a windowed op along one axis (the kernel and padding of
// that axis), or an error. With ceil_mode the division rounds up, but a last
// window that would start in the bottom/right padding is dropped (PyTorch's rule).
int window_out(const Node& n, int in, int kernel, int padding, const char* axis) {
  const int span = in + 2 * padding - kernel;
  if (span < 0)
    fail(n, std::string("kernel ") + std::to_string(kernel) + " with padding " + std::to_string(padding) +
                " does not fit the input " + axis + " of " + std::to_string(in));
  if (!n.ceil_mode) return span / n.stride + 1;
  int out = (span + n.stride - 1) / n.stride + 1;
  if ((out - 1) * n.stride >= in + padding) --out;
  return out;
}

void check_size(const Node& n, const std::vector<float>& v, int64_t want, const char* what,
                bool structure_only) {
  if (structure_only) {
    if (!v.empty())
      fail(n, std::string(what) + " has " + std::to_string(v.size()) +
                  " values in a structure-only graph, expected none");
    return;
  }
  if (int64_t(v.size()) != want)
    fail(n, std::string(what) + " has " + std::to_string(v.size()) + " values, expected " + std::to_string(want));
}

// The number of parameter values a node has (or would have when structure-only).
int64_t node_parameters(const Node& n, const Shape& in) {
  if (n.quantizable()) return weight_count(n, in) + n.out_channels;
  return n.kind == OpKind::BatchNorm ? 4 * int64_t(in.c) : 0;
}

}  // namespace

int64_t weight_count(const Node& n, const Shape& in) {
  switch (n.kind) {
    case OpKind::Conv2d:  // a grouped convolution's zeros are not weights
      return int64_t(n.out_channels) * (in.c / std::max(1, n.groups)) * n.kernel * n.kw();
    case OpKind::Dense: return int64_t(n.out_channels) * in.size();
    default: return 0;
  }
}

const char* op_name(OpKind kind) {
  for (const auto& kn : kKindNames)
    if (kn.kind == kind) return kn.name;
  return "unknown";
}

OpKind op_from_name(const std::string& name) {
  for (const auto& kn : kKindNames)
    if (name == kn.name) return kn.kind;
  std::string valid;
  for (const auto& kn : kKindNames) valid += std::string(valid.empty() ? "" : ", ") + kn.name;
  throw Error("unknown layer kind '" + name + "' (valid: " + valid + ")");
}

std::string Shape::str() const {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

// ---------------------------------------------------------------- building

int Graph::append(Node node) {
  nodes.push_back(std::move(node));
  try {
    infer_shapes();
  } catch (...) {
    nodes.pop_back();
    throw;
  }
  return int(nodes.size()) - 1;
}

int Graph::add_input(const std::string& name, Shape shape) {
  Node n;
  n.name = name;
  n.kind = OpKind::Input;
  n.input_shape = shape;
  return append(std::move(n));
}

namespace {
Node unary(const std::string& name, OpKind kind, int input) {
  Node n;
  n.name = name;
  n.kind = kind;
  n.inputs = {input};
  return n;
}
}  // namespace

int Graph::add_conv(const std::string& name, int input, int out_channels, int kernel, int stride, int padding,
                    int groups) {
  return add_conv_rect(name, input, out_channels, kernel, kernel, stride, padding, padding, groups);
}

int Graph::add_conv_rect(const std::string& name, int input, int out_channels, int kernel_h, int kernel_w, int stride,
                         int padding_h, int padding_w, int groups, int dilation) {
  Node n = unary(name, OpKind::Conv2d, input);
  n.out_channels = out_channels;
  n.kernel = kernel_h;
  n.stride = stride;
  n.padding = padding_h;
  if (kernel_w != kernel_h) n.kernel_w = kernel_w;
  if (padding_w != padding_h) n.padding_w = padding_w;
  n.groups = groups;
  n.dilation = dilation;
  if (input >= 0 && input < int(nodes.size())) {
    const int64_t cin = nodes[size_t(input)].shape.c;
    if (out_channels > 0 && kernel_h > 0 && kernel_w > 0 && !structure_only) {
      n.weight.assign(size_t(out_channels * cin * kernel_h * kernel_w), 0.f);
      n.bias.assign(size_t(out_channels), 0.f);
    }
  }
  return append(std::move(n));
}

int Graph::add_dense(const std::string& name, int input, int out_features) {
  Node n = unary(name, OpKind::Dense, input);
  n.out_channels = out_features;
  if (input >= 0 && input < int(nodes.size()) && out_features > 0 && !structure_only) {
    n.weight.assign(size_t(out_features * nodes[size_t(input)].shape.size()), 0.f);
    n.bias.assign(size_t(out_features), 0.f);
  }
  return append(std::move(n));
}

int Graph::add_relu(const std::string& name, int input, float max) {
  Node n = unary(name, OpKind::Relu, input);
  n.max = max;
  return append(std::move(n));
}

int Graph::add_maxpool(const std::string& name, int input, int kernel, int stride, int padding, bool ceil_mode) {
  Node n = unary(name, OpKind::MaxPool, input);
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  n.ceil_mode = ceil_mode;
  return append(std::move(n));
}

int Graph::add_avgpool(const std::string& name, int input, int kernel, int stride, int padding) {
  Node n = unary(name, OpKind::AvgPool, input);
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  return append(std::move(n));
}

int Graph::add_global_avgpool(const std::string& name, int input) {
  return append(unary(name, OpKind::GlobalAvgPool, input));
}

int Graph::add_batchnorm(const std::string& name, int input, float eps) {
  Node n = unary(name, OpKind::BatchNorm, input);
  n.eps = eps;
  if (input >= 0 && input < int(nodes.size()) && !structure_only) {
    const size_t c = size_t(nodes[size_t(input)].shape.c);
    n.weight.assign(c, 1.f);
    n.bias.assign(c, 0.f);
    n.mean.assign(c, 0.f);
    n.var.assign(c, 1.f);
  }
  return append(std::move(n));
}

int Graph::add_add(const std::string& name, int a, int b) {
  Node n;
  n.name = name;
  n.kind = OpKind::Add;
  n.inputs = {a, b};
  return append(std::move(n));
}

int Graph::add_flatten(const std::string& name, int input) { return append(unary(name, OpKind::Flatten, input)); }

int Graph::add_activation(const std::string& name, int input, ActivationFn function) {
  Node n = unary(name, OpKind::Activation, input);
  n.function = function;
  return append(std::move(n));
}

int Graph::add_mul(const std::string& name, int a, int b) {
  Node n;
  n.name = name;
  n.kind = OpKind::Mul;
  n.inputs = {a, b};
  return append(std::move(n));
}

int Graph::add_channels(const std::string& name, int input, const std::vector<int>& channels) {
  Node n = unary(name, OpKind::Channels, input);
  n.channels = channels;
  return append(std::move(n));
}

int Graph::add_pad(const std::string& name, int input, const PadSpec& pad) {
  Node n = unary(name, OpKind::Pad, input);
  n.pad = pad;
  return append(std::move(n));
}

int Graph::add_softmax(const std::string& name, int input, SoftmaxAxis axis, bool log) {
  Node n = unary(name, OpKind::Softmax, input);
  n.softmax_axis = axis;
  n.log = log;
  return append(std::move(n));
}

int Graph::add_concat(const std::string& name, const std::vector<int>& inputs) {
  Node n;
  n.name = name;
  n.kind = OpKind::Concat;
  n.inputs = inputs;
  return append(std::move(n));
}

// ---------------------------------------------------------------- shapes

void Graph::infer_shapes() {
  if (nodes.empty()) throw Error("graph '" + name + "' has no nodes");
  std::set<std::string> names;
  for (size_t i = 0; i < nodes.size(); ++i) {
    Node& n = nodes[i];
    if (n.name.empty()) throw Error("node " + std::to_string(i) + " (" + op_name(n.kind) + ") has no name");
    if (!names.insert(n.name).second) fail(n, "duplicate node name");
    if ((i == 0) != (n.kind == OpKind::Input))
      fail(n, i == 0 ? "the first node must be the input" : "only the first node may be an input");
    if (!arity_fits(n.kind, n.inputs.size()))
      fail(n, "has " + std::to_string(n.inputs.size()) + " inputs, expected " + arity_text(n.kind));
    for (int in : n.inputs)
      if (in < 0 || size_t(in) >= i)
        fail(n, "input index " + std::to_string(in) + " does not name an earlier node");
    const Shape in = n.inputs.empty() ? Shape{} : nodes[size_t(n.inputs[0])].shape;
    switch (n.kind) {
      case OpKind::Input:
        if (n.input_shape.c <= 0 || n.input_shape.h <= 0 || n.input_shape.w <= 0)
          fail(n, "input shape " + n.input_shape.str() + " must be positive");
        n.shape = n.input_shape;
        break;
      case OpKind::Conv2d: {
        if (n.out_channels <= 0) fail(n, "out_channels must be positive");
        if (n.kernel <= 0 || n.kw() <= 0) fail(n, "kernel must be positive");
        if (n.stride <= 0) fail(n, "stride must be positive");
        if (n.padding < 0 || n.pw() < 0) fail(n, "padding must not be negative");
        if (n.dilation < 1) fail(n, "dilation must be positive");
        if (n.groups < 1 || in.c % n.groups != 0 || n.out_channels % n.groups != 0)
          fail(n, "groups = " + std::to_string(n.groups) + " must be positive and divide the " + std::to_string(in.c) +
                      " input and " + std::to_string(n.out_channels) + " output channels");
        n.in_channels = in.c;
        n.shape = {n.out_channels, window_out(n, in.h, n.span_h(), n.padding, "height"),
                   window_out(n, in.w, n.span_w(), n.pw(), "width")};
        check_size(n, n.weight, int64_t(n.out_channels) * in.c * n.kernel * n.kw(), "weight [out][in][kh][kw]", structure_only);
        check_size(n, n.bias, n.out_channels, "bias", structure_only);
        break;
      }
      case OpKind::Dense:
        if (n.out_channels <= 0) fail(n, "out_features must be positive");
        n.in_channels = int(in.size());
        n.shape = {n.out_channels, 1, 1};
        check_size(n, n.weight, int64_t(n.out_channels) * in.size(), "weight [out][in]", structure_only);
        check_size(n, n.bias, n.out_channels, "bias", structure_only);
        break;
      case OpKind::Relu:
        if (!(n.max >= 0) || !std::isfinite(n.max)) fail(n, "max must be 0 (none) or positive");
        n.shape = in;
        break;
      case OpKind::MaxPool:
      case OpKind::AvgPool:
        if (n.kernel <= 0 || n.kw() <= 0) fail(n, "kernel must be positive");
        if (n.stride <= 0) fail(n, "stride must be positive");
        if (n.padding < 0 || n.padding >= n.kernel || n.pw() < 0 || n.pw() >= n.kw())
          fail(n, "padding must be in 0..kernel-1");
        if (n.ceil_mode && n.kind != OpKind::MaxPool) fail(n, "ceil_mode is only supported for max pooling");
        if (n.dilation < 1) fail(n, "dilation must be positive");
        if (n.dilation != 1 && n.kind != OpKind::MaxPool) fail(n, "dilation is only supported for max pooling");
        n.shape = {in.c, window_out(n, in.h, n.span_h(), n.padding, "height"),
                   window_out(n, in.w, n.span_w(), n.pw(), "width")};
        break;
      case OpKind::GlobalAvgPool:
        n.shape = {in.c, 1, 1};
        break;
      case OpKind::BatchNorm:
        n.shape = in;
        check_size(n, n.weight, in.c, "gamma", structure_only);
        check_size(n, n.bias, in.c, "beta", structure_only);
        check_size(n, n.mean, in.c, "running mean", structure_only);
        check_size(n, n.var, in.c, "running variance", structure_only);
        if (!(n.eps > 0)) fail(n, "eps must be positive");
        break;
      case OpKind::Add: {
        const Shape b = nodes[size_t(n.inputs[1])].shape;
        if (in != b)
          fail(n, "input shapes differ: '" + nodes[size_t(n.inputs[0])].name + "' is " + in.str() + ", '" +
                      nodes[size_t(n.inputs[1])].name + "' is " + b.str());
        n.shape = in;
        break;
      }
      case OpKind::Flatten:
        n.shape = {int(in.size()), 1, 1};
        break;
      case OpKind::Activation:
      case OpKind::Softmax:
        n.shape = in;
        break;
      case OpKind::Channels:
        if (n.channels.empty()) fail(n, "selects no channels");
        for (int c : n.channels)
          if (c < 0 || c >= in.c)
            fail(n, "channel " + std::to_string(c) + " is not one of the input's " + std::to_string(in.c));
        n.shape = {int(n.channels.size()), in.h, in.w};
        break;
      case OpKind::Pad: {
        const PadSpec& p = n.pad;
        if (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0) fail(n, "padding must not be negative");
        if (p.mode == PadMode::Reflect && (std::max(p.top, p.bottom) >= in.h || std::max(p.left, p.right) >= in.w))
          fail(n, "a reflection must be narrower than the input " + in.str() + " on every side");
        if (!std::isfinite(p.value)) fail(n, "the padding value must be finite");
        n.shape = {in.c, in.h + p.top + p.bottom, in.w + p.left + p.right};
        break;
      }
      case OpKind::Mul: {
        const Shape b = nodes[size_t(n.inputs[1])].shape;
        if (b != in && b != Shape{in.c, 1, 1})
          fail(n, "'" + nodes[size_t(n.inputs[1])].name + "' is " + b.str() + ": the second input must have the shape of '" +
                      nodes[size_t(n.inputs[0])].name + "' (" + in.str() + ") or one value per channel (" +
                      Shape{in.c, 1, 1}.str() + ")");
        n.shape = in;
        break;
      }
      case OpKind::Concat:
        n.shape = {0, in.h, in.w};
        for (int j : n.inputs) {
          const Node& src = nodes[size_t(j)];
          if (src.shape.h != in.h || src.shape.w != in.w)
            fail(n, "inputs differ in height x width: '" + nodes[size_t(n.inputs[0])].name + "' is " + in.str() +
                        ", '" + src.name + "' is " + src.shape.str());
          n.shape.c += src.shape.c;
        }
        break;
    }
  }
}

int Graph::find(const std::string& nm) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == nm) return int(i);
  return -1;
}

std::vector<int> Graph::quantizable_layers() const {
  std::vector<int> out;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].quantizable()) out.push_back(int(i));
  return out;
}

std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> out(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (int in : nodes[i].inputs) out[size_t(in)].push_back(int(i));
  return out;
}

void Graph::check_grouped_weights() const {
  for (const Node& n : nodes) {
    if (n.kind != OpKind::Conv2d || n.groups == 1 || n.weight.empty()) continue;
    const size_t taps = size_t(n.kernel) * size_t(n.kw());
    for (int o = 0; o < n.out_channels; ++o)
      for (int c = 0; c < n.in_channels; ++c)
        if (!n.connects(o, c))
          for (size_t k = 0; k < taps; ++k)
            if (n.weight[(size_t(o) * size_t(n.in_channels) + size_t(c)) * taps + k] != 0)
              fail(n, "weight [" + std::to_string(o) + "][" + std::to_string(c) + "] is not 0, but output " +
                          std::to_string(o) + " and input channel " + std::to_string(c) + " are in different of the " +
                          std::to_string(n.groups) + " groups");
  }
}

int64_t Graph::parameter_count() const {
  int64_t n = 0;
  for (const Node& nd : nodes)  // what the parameters hold, or would: a grouped convolution's zeros are none
    n += nd.inputs.empty() ? 0 : node_parameters(nd, nodes[size_t(nd.inputs[0])].shape);
  return n;
}

Graph structure_of(const Graph& g) {
  Graph s;
  s.name = g.name;
  s.structure_only = true;
  s.nodes.reserve(g.nodes.size());
  for (const Node& n : g.nodes) {
    Node m;  // every field but the parameters
    m.name = n.name;
    m.kind = n.kind;
    m.inputs = n.inputs;
    m.out_channels = n.out_channels;
    m.kernel = n.kernel;
    m.kernel_w = n.kernel_w;
    m.dilation = n.dilation;
    m.padding_w = n.padding_w;
    m.stride = n.stride;
    m.padding = n.padding;
    m.groups = n.groups;
    m.ceil_mode = n.ceil_mode;
    m.max = n.max;
    m.function = n.function;
    m.channels = n.channels;
    m.eps = n.eps;
    m.input_shape = n.input_shape;
    m.nonnegative = n.nonnegative;
    m.in_channels = n.in_channels;
    m.shape = n.shape;
    s.nodes.push_back(std::move(m));
  }
  s.infer_shapes();
  return s;
}

bool has_batch_norm(const Graph& g) {
  return std::any_of(g.nodes.begin(), g.nodes.end(), [](const Node& n) { return n.kind == OpKind::BatchNorm; });
}

// ---------------------------------------------------------------- forward

namespace {

void conv_forward(const Node& n, const Shape& is, const float* x, float* y) {
  const int cin = is.c, H = is.h, W = is.w, kh = n.kernel, kw = n.kw(), s = n.stride, ph = n.padding, pw = n.pw();
  const int d = n.dilation;
  const int Ho = n.shape.h, Wo = n.shape.w;
  // A grouped convolution's output reads only its group's inputs (its other
  // weights are 0: skipping them changes no bit of the sum).
  const int in_per_group = cin / n.groups, out_per_group = n.out_channels / n.groups;
  for (int o = 0; o < n.out_channels; ++o) {
    float* yo = y + int64_t(o) * Ho * Wo;
    for (int i = 0; i < Ho * Wo; ++i) yo[i] = n.bias[size_t(o)];
    const int c0 = o / out_per_group * in_per_group;
    for (int c = c0; c < c0 + in_per_group; ++c) {
      const float* xc = x + int64_t(c) * H * W;
      for (int ky = 0; ky < kh; ++ky)
        for (int kx = 0; kx < kw; ++kx) {
          const float wv = n.weight[size_t(((int64_t(o) * cin + c) * kh + ky) * kw + kx)];
          // outputs whose input column ox * s - pw + kx lies inside [0, W)
          const int ox_lo = std::min(Wo, std::max(0, (pw - kx * d + s - 1) / s));
          const int ox_hi = std::max(ox_lo, std::min(Wo, (W + pw - kx * d + s - 1) / s));
          for (int oy = 0; oy < Ho; ++oy) {
            const int iy = oy * s - ph + ky * d;
            if (iy < 0 || iy >= H) continue;
            float* yr = yo + oy * Wo;
            const float* xr = xc + iy * W;
            const int shift = kx * d - pw;
            if (s == 1)
              for (int ox = ox_lo; ox < ox_hi; ++ox) yr[ox] += wv * xr[ox + shift];
            else
              for (int ox = ox_lo; ox < ox_hi; ++ox) yr[ox] += wv * xr[ox * s + shift];
          }
        }
    }
  }
}

void pool_forward(const Node& n, const Shape& is, const float* x, float* y) {
  const int kh = n.kernel, kw = n.kw(), s = n.stride, ph = n.padding, pw = n.pw(), d = n.dilation;
  const int Ho = n.shape.h, Wo = n.shape.w;
  for (int c = 0; c < is.c; ++c)
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        float m = -std::numeric_limits<float>::infinity(), sum = 0;
        for (int ky = 0; ky < kh; ++ky)
          for (int kx = 0; kx < kw; ++kx) {
            const int iy = oy * s - ph + ky * d, ix = ox * s - pw + kx * d;
            if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue;
            const float v = x[(int64_t(c) * is.h + iy) * is.w + ix];
            m = std::max(m, v);
            sum += v;
          }
        y[(int64_t(c) * Ho + oy) * Wo + ox] = n.kind == OpKind::MaxPool ? m : sum / float(kh * kw);
      }
}

}  // namespace

std::vector<std::vector<float>> forward_all(const Graph& g, const std::vector<float>& input) {
  if (g.structure_only)
    throw Error("model '" + g.name + "' is structure-only (no weights): it cannot be run");
  if (int64_t(input.size()) != g.input_shape().size())
    throw Error("input of model '" + g.name + "' has " + std::to_string(input.size()) + " values, expected " +
                std::to_string(g.input_shape().size()) + " (" + g.input_shape().str() + ")");
  std::vector<std::vector<float>> out(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::vector<float>& y = out[i];
    if (n.kind == OpKind::Input) {
      y = input;
      continue;
    }
    const std::vector<float>& x = out[size_t(n.inputs[0])];
    const Shape is = g.nodes[size_t(n.inputs[0])].shape;
    y.assign(size_t(n.shape.size()), 0.f);
    switch (n.kind) {
      case OpKind::Input: break;
      case OpKind::Conv2d: conv_forward(n, is, x.data(), y.data()); break;
      case OpKind::Dense: {
        const int64_t in = is.size();
        for (int o = 0; o < n.out_channels; ++o) {
          const float* w = n.weight.data() + int64_t(o) * in;
          double acc = 0;
          for (int64_t j = 0; j < in; ++j) acc += double(w[j]) * x[size_t(j)];
          y[size_t(o)] = float(acc) + n.bias[size_t(o)];
        }
        break;
      }
      case OpKind::Relu:
        for (size_t j = 0; j < y.size(); ++j) y[j] = std::max(x[j], 0.f);
        if (n.max > 0)
          for (float& v : y) v = std::min(v, n.max);
        break;
      case OpKind::MaxPool:
      case OpKind::AvgPool: pool_forward(n, is, x.data(), y.data()); break;
      case OpKind::GlobalAvgPool: {
        const int64_t hw = int64_t(is.h) * is.w;
        for (int c = 0; c < is.c; ++c) {
          double s = 0;
          for (int64_t j = 0; j < hw; ++j) s += x[size_t(c * hw + j)];
          y[size_t(c)] = float(s / double(hw));
        }
        break;
      }
      case OpKind::BatchNorm: {
        const int64_t hw = int64_t(is.h) * is.w;
        for (int c = 0; c < is.c; ++c) {
          const float a = n.weight[size_t(c)] / std::sqrt(n.var[size_t(c)] + n.eps);
          const float b = n.bias[size_t(c)] - a * n.mean[size_t(c)];
          for (int64_t j = 0; j < hw; ++j) y[size_t(c * hw + j)] = a * x[size_t(c * hw + j)] + b;
        }
        break;
      }
      case OpKind::Add: {
        const std::vector<float>& b = out[size_t(n.inputs[1])];
        for (size_t j = 0; j < y.size(); ++j) y[j] = x[j] + b[j];
        break;
      }
      case OpKind::Flatten: y = x; break;
      case OpKind::Activation:
        for (size_t j = 0; j < y.size(); ++j) y[j] = float(activation_value(n.function, x[j]));
        break;
      case OpKind::Channels: {
        const size_t hw = size_t(is.h) * size_t(is.w);
        for (size_t j = 0; j < n.channels.size(); ++j)
          std::copy_n(x.begin() + std::ptrdiff_t(size_t(n.channels[j]) * hw), hw, y.begin() + std::ptrdiff_t(j * hw));
        break;
      }
      case OpKind::Pad:
        for_pad_positions(is.c, is.h, is.w, n.pad,
                          [&](long long o, long long i) { y[size_t(o)] = i < 0 ? n.pad.value : x[size_t(i)]; });
        break;
      case OpKind::Softmax: softmax_forward(is, n.softmax_axis, n.log, x.data(), y.data()); break;
      case OpKind::Mul: {  // per channel when the second input is C x 1 x 1
        const std::vector<float>& b = out[size_t(n.inputs[1])];
        const size_t per = b.size() == y.size() ? 1 : size_t(is.h) * size_t(is.w);
        for (size_t j = 0; j < y.size(); ++j) y[j] = x[j] * b[j / per];
        break;
      }
      case OpKind::Concat: {  // CHW: each input's channels are one contiguous block
        size_t at = 0;
        for (int j : n.inputs) {
          const std::vector<float>& part = out[size_t(j)];
          std::copy(part.begin(), part.end(), y.begin() + std::ptrdiff_t(at));
          at += part.size();
        }
        break;
      }
    }
  }
  return out;
}

std::vector<float> forward(const Graph& g, const std::vector<float>& input) {
  auto all = forward_all(g, input);
  return std::move(all.back());
}

// ---------------------------------------------------------------- BN folding

Graph fold_batch_norm(const Graph& g) {
  const auto cons = g.consumers();
  Graph out;
  out.name = g.name;
  out.structure_only = g.structure_only;
  std::vector<int> remap(g.nodes.size(), -1);  // old index -> new index
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.kind == OpKind::BatchNorm) {
      const int src = n.inputs[0];
      const Node& p = g.nodes[size_t(src)];
      if (!p.quantizable())
        fail(n, "cannot be folded: its input '" + p.name + "' is not a conv2d or dense layer");
      if (cons[size_t(src)].size() != 1)
        fail(n, "cannot be folded: the output of '" + p.name + "' is also read by other nodes");
      remap[i] = remap[size_t(src)];
      if (g.structure_only) continue;  // no parameters to fold
      Node& f = out.nodes[size_t(remap[size_t(src)])];
      const int64_t per_out = int64_t(f.weight.size()) / f.out_channels;
      for (int o = 0; o < f.out_channels; ++o) {
        const double a = double(n.weight[size_t(o)]) / std::sqrt(double(n.var[size_t(o)]) + double(n.eps));
        for (int64_t j = 0; j < per_out; ++j) {
          float& w = f.weight[size_t(o * per_out + j)];
          w = float(double(w) * a);
        }
        f.bias[size_t(o)] =
            float(a * (double(f.bias[size_t(o)]) - double(n.mean[size_t(o)])) + double(n.bias[size_t(o)]));
      }
      continue;
    }
    Node c = n;
    for (int& in : c.inputs) in = remap[size_t(in)];
    out.nodes.push_back(std::move(c));
    remap[i] = int(out.nodes.size()) - 1;
  }
  out.infer_shapes();
  return out;
}

}  // namespace cimvp
