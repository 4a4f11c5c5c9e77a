// The quantization scheme (docs/quantization.md) and the deployable integer
// model built from a float Graph, a Policy and calibrated scales.
//
// Every integer step is one of the GPEU/crossbar operations of isa.h:
//   conv/dense    acc32 = Mvm(int weights, int inputs); out = Vreq(acc32 + bias32; M, S, 0, lo, hi)
//   max pool      Vmax8 over the window (integers, scale unchanged)
//   avg pool      acc32 = sum of the window (Vmac, multiplier 1); out = Vreq(acc32; M, S, 0, lo, hi)
//   add, rescale  acc32 = sum_i q_i * m_i (Vfill32 0, Vmac per input); out = Vreq(acc32; M, S, 0, lo, hi)
//   concat        acc32 = q_i * m_i in input i's channels (Vmac per pixel and input); out = Vreq as above
//   activation    out8 = table[q] (Vlut), the table computed here from the scales (nn/activation.h)
//   mul           acc32 = q_a * q_b (Vmul8, per channel for a C x 1 x 1 factor); out = Vreq as above
// ReLU is the clamp lo = 0 of the producing Vreq. Networks built by quantize()
// have zero points 0 and round half up; networks imported from ONNX integer
// operators (nn/onnx_import.h) may carry tensor zero points (padding reads
// the zero point, and the Vreq adds the output zero point) and round half to
// even (Vreq's halfeven flag).
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "nn/graph.h"
#include "nn/policy.h"

namespace cimvp {

// ------------------------------------------------------------ integer helpers

struct QuantMultiplier {
  int32_t multiplier = 0;  // M: 0, or normalized to [2^30, 2^31 - 1]
  int shift = 0;           // S: 0..62
};

// M * 2^-S ~= real, |relative error| <= 2^-31 when real is representable
// (2^-32 <= real < 2^31). real == 0 gives {0, 0}. Throws for real < 0, NaN,
// or real too large / too small to be expressed with S in 0..62.
QuantMultiplier quantize_multiplier(double real);

// How Vreq rounds acc * M / 2^S: half up (toward +infinity, the default) or
// half to even (ONNX QLinear*/QuantizeLinear semantics; Vreq flag halfeven).
enum class Rounding { HalfUp, HalfEven };

// Vreq on one value: clamp(floor((acc * M + 2^(S-1)) / 2^S) + zp, lo, hi)
// (round half up, exact in 128-bit; S == 0 means no rounding term); with
// Rounding::HalfEven an exact tie goes to the even neighbour instead.
int64_t requantize(int64_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo, int32_t hi);
int64_t requantize(int64_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo, int32_t hi,
                   Rounding rounding);

// Integer range of a `bits`-wide signed (two's complement) or unsigned value.
inline int32_t qmin(int bits, bool is_signed) { return is_signed ? -(int32_t(1) << (bits - 1)) : 0; }
inline int32_t qmax(int bits, bool is_signed) {
  return is_signed ? (int32_t(1) << (bits - 1)) - 1 : (int32_t(1) << bits) - 1;
}
// The level that the clipping threshold maps to: qmax, but at least 1 (a
// signed 1-bit value has levels {-1, 0}: its threshold maps to -1).
inline int32_t clip_level(int bits, bool is_signed) { return qmax(bits, is_signed) > 0 ? qmax(bits, is_signed) : 1; }

// Float quantization of one value, round half up: clamp(floor(x / scale + 0.5), lo, hi).
int32_t quantize_value(double x, double scale, int32_t lo, int32_t hi);

// A Pad's constant border value on its tensor's grid: round(value / scale)
// (half away from zero) + zero_point, saturated to [lo, hi]. The integer
// reference computes with it, and the ONNX export writes scale times it.
int32_t pad_level(double value, double scale, int32_t zero_point, int32_t lo, int32_t hi);

// ------------------------------------------------------------ activation plan

// Where activations are quantized, for a Graph and a Policy. It is shared by
// quantize() (integer model), the fake-quantized forwards and the trainer.
//
// A "domain" is one quantized activation tensor family: produced by the
// network input or by a requantizing node (Conv2d/Dense with its BatchNorm
// and ReLU fused, AvgPool, GlobalAvgPool, Add, each with a fused ReLU when
// the ReLU is its only reader). MaxPool and Flatten outputs stay in their
// input's domain (same scale, bits and sign). A domain is unsigned when its
// producer ends in a ReLU (or, for pools, when its input domain is unsigned),
// signed otherwise (the network input is signed unless its Input node is
// marked nonnegative). Its bits are the largest
// activation bits of the quantizable layers reading it (8 if none do); a
// layer with fewer bits reads a rescaled copy (same clip, its own bits).
// The network output, when it is a Conv2d/Dense without ReLU, is not
// quantized: it stays int32 (acc + bias) at scale s_in * s_w.
struct ActDomain {
  std::string name;  // the producer's node name: the key of its clip in Calibration
  int root = 0;      // producer node index
  int node = 0;      // the node whose float output is quantized (root, or its fused BatchNorm/ReLU)
  int bits = 8;
  bool is_signed = true;
  bool int32_output = false;  // the network output left as int32: no quantizer
  bool relu = false;          // ReLU fused into the producer's requantization
  // A bounded ReLU's bound (ReLU6: 6), 0 for none: the clip never exceeds
  // it (effective_clip), so the quantizer's saturation is the bound.
  float max = 0;
};

// The clip a domain quantizes with: the calibrated one, at most the
// domain's ReLU bound.
inline float effective_clip(const ActDomain& d, float clip) { return d.max > 0 && clip > d.max ? d.max : clip; }

// The scale of a domain's values at `bits` bits, given its calibrated clip.
inline double activation_scale(const ActDomain& d, float clip, int bits) {
  return double(effective_clip(d, clip)) / clip_level(bits, d.is_signed);
}

struct ActivationPlan {
  std::vector<ActDomain> domains;
  // Per graph node: the domain its output value belongs to, or -1 when the
  // value is never materialized (a Conv2d output read only by its fused BN/ReLU).
  std::vector<int> domain_of;
  // Per quantizable layer (policy order): the domain of its input and the
  // bits it reads (== domain bits, or fewer: then it reads a rescaled copy).
  std::vector<int> layer_input_domain;
  std::vector<int> layer_input_bits;
};

// Throws cimvp::Error naming the node for structures the scheme does not
// cover (a ReLU that cannot be fused, a policy of the wrong length).
ActivationPlan plan_activations(const Graph& g, const Policy& p);

// ------------------------------------------------------------ calibration

// Scales that calibration (or training) chose. Activation scale of a domain
// with b bits = act_clip / clip_level(b, signed); weight scale of a layer =
// weight_scale if given, else max|w| / clip_level(w_bits, true).
struct Calibration {
  std::map<std::string, float> act_clip;      // domain name -> clipping threshold (> 0)
  std::map<std::string, float> weight_scale;  // optional: layer name -> weight scale (learned)
  bool operator==(const Calibration& o) const { return act_clip == o.act_clip && weight_scale == o.weight_scale; }
};

enum class ClipMethod {
  Max,         // the largest magnitude seen
  Percentile,  // the given percentile of magnitudes
  Mse,         // the threshold (of 100 candidates up to the max) minimising the quantization MSE at the domain's bits
};

struct CalibrationOptions {
  ClipMethod method = ClipMethod::Mse;
  double percentile = 99.99;
  bool weight_mse = false;       // also choose weight scales by MSE (default: max|w|)
  size_t max_values = 1 << 16;  // per domain, values kept for the percentile/MSE search (strided subsample)
};

// Runs the float model (BatchNorm folded) on the samples (CHW images) and
// chooses a clipping threshold for every domain of plan_activations(g, p).
Calibration calibrate(const Graph& g, const std::vector<std::vector<float>>& samples, const Policy& p,
                      const CalibrationOptions& opt = {});

// What calibrate() looks at, which does not depend on the policy: for every
// node of the (BatchNorm-folded) graph, a strided subsample of its float
// outputs over the samples (about opt.max_values values) and each sample's
// largest magnitude. Gathered once, it calibrates any number of policies
// (the search) with exactly calibrate()'s result.
struct ActivationSamples {
  std::vector<std::vector<float>> per_node;
  // What calibrate() and calibrate_on_activations() (nn/model_source.h)
  // already chose from these samples and the graph's weights: a search
  // calibrates hundreds of policies whose layers share bit widths, and every
  // choice is an MSE search over 100 clips (it was a sixth of a search's
  // fine-tune). The same values, chosen once.
  // (node, bits, signed, clip method, percentile) -> activation clip
  std::map<std::tuple<int, int, bool, int, double>, float> activation_clips;
  std::map<std::pair<int, int>, float> weight_scales;  // (node, bits) -> MSE weight scale
};
ActivationSamples sample_activations(const Graph& g, const std::vector<std::vector<float>>& samples,
                                     const CalibrationOptions& opt = {});
Calibration calibrate(const Graph& g, ActivationSamples& activations, const Policy& p,
                      const CalibrationOptions& opt = {});

// The clip of a set of values for `bits` (signed or unsigned) by `method`.
float choose_clip(std::vector<float> values, int bits, bool is_signed, const CalibrationOptions& opt);

// The weight scale quantize() uses for a layer.
double weight_scale_for(const Node& layer, int bits, const Calibration& c, bool weight_mse = false);

// ------------------------------------------------------------ the integer model

// One integer activation tensor. Values are stored one per byte in the VP
// (int8 two's complement when signed, uint8 when not); int32 only for the
// network output when it is left unrequantized (bits == 32).
struct QTensor {
  std::string name;   // the graph node whose value it holds (a rescaled copy: "<name>@a<bits>")
  Shape shape;        // CHW; a flattened tensor keeps its CHW shape (Dense reads it in CHW order)
  int bits = 8;       // 1..8, or 32 for the int32 output
  bool is_signed = true;
  double scale = 1;   // real value = scale * (q - zero_point)
  // The integer that means real 0 (0 in networks built by quantize(); ONNX
  // integer models may have others). A convolution's zero padding reads it:
  // padded positions hold zero_point, so they contribute nothing once the
  // layer's bias has folded in -zero_point * sum(weights) (see QOp::bias).
  int32_t zero_point = 0;
  int32_t lo() const { return bits == 32 ? INT32_MIN : qmin(bits, is_signed); }
  int32_t hi() const { return bits == 32 ? INT32_MAX : qmax(bits, is_signed); }
};

// Requantization parameters of one Vreq: clamp(round(x * M / 2^S) + zp, lo, hi).
struct Requant {
  int32_t multiplier = 0;  // M (Vcfg Mult)
  int shift = 0;           // S (Vcfg Shift)
  int32_t zero_point = 0;  // the output tensor's zero point (Vcfg Zp); 0 in networks built by quantize()
  int32_t lo = 0, hi = 0;  // clamp, the output tensor's range (lo = 0 fuses a ReLU)
  double real = 0;         // the real multiplier it approximates (documentation, fake quantization)
  Rounding rounding = Rounding::HalfUp;  // HalfEven: Vreq with the halfeven flag (ONNX semantics)
};

enum class QOpKind {
  Conv2d,         // Mvm + Vreq (bias through the Vreq bias vector)
  Dense,          // Mvm + Vreq
  MaxPool,        // Vmax8 over the window; padded positions are skipped
  AvgPool,        // window sum (zero padding counts) then Vreq with real = s_in / (s_out k k)
  GlobalAvgPool,  // sum over H x W then Vreq with real = s_in / (s_out H W)
  Add,            // acc = q_a m_a + q_b m_b, then Vreq
  Rescale,        // acc = q m (m = 1), then Vreq: a copy with fewer bits for a layer's input
  Concat,         // acc = q_i m_i in input i's channel slice, then Vreq (the inputs' scales may differ)
  Lut,            // out = table[q - lo_in]: a non-linear activation, exact by construction (Vlut)
  Mul,            // acc = q_a q_b (q_b per channel when its tensor is C x 1 x 1), then Vreq (Vmul8)
  Channels,       // output channel j = input channel channels[j] (integers and scale unchanged; Vcopy)
  Pad,            // a border (nn/pad.h) around the same integers at the same scale (Load, Vcopy, Vfill32)
  Softmax,        // (log-)softmax of each group (nn/softmax.h), exact integers (common/softmax_unit.h; Vsoftmax)
};
const char* qop_name(QOpKind k);

struct QOp {
  QOpKind kind = QOpKind::Conv2d;
  std::string name;         // the graph node (Rescale: the copy's tensor name)
  std::vector<int> inputs;  // tensor indices (Add: 2, others: 1)
  int output = 0;           // tensor index

  // Conv2d, MaxPool, AvgPool window: kernel and padding are the height's,
  // kernel_w and padding_w the width's (equal but for non-square windows).
  int kernel = 0, stride = 1, padding = 0;
  int kernel_w = 0, padding_w = 0;
  int dilation = 1;  // Conv2d, MaxPool: spacing of the taps
  // Input rows and columns one window spans (as Node::span_h, span_w).
  int span_h() const { return (kernel - 1) * dilation + 1; }
  int span_w() const { return (kernel_w - 1) * dilation + 1; }

  // Conv2d and Dense.
  int layer = -1;              // index in policy order
  int in_channels = 0;         // Conv2d: input channels; Dense: input features
  int groups = 1;              // Conv2d: channel groups, weights zero across them (nn/graph.h)
  int out_channels = 0;        // Conv2d: output channels; Dense: output features
  int weight_bits = 8;         // values in [-(2^(w-1)), 2^(w-1) - 1]; policies give 1..8, ONNX integer
                               // models with weight zero points need 9 (the crossbars hold up to 16)
  int activation_bits = 8;     // the input tensor's bits (== policy activation_bits[layer])
  bool input_signed = true;    // the input tensor's signedness
  double weight_scale = 1;     // real weight = weight_scale * q
  std::vector<int16_t> weight; // Conv2d [out][in][kh][kw]; Dense [out][in]
  std::vector<int32_t> bias;   // [out], at scale s_in * s_w; includes -zp_in * sum of the channel's
                               // weights when the input tensor has a zero point
  bool requantize = true;      // false: the output is the int32 acc + bias (network output)

  // Add, Rescale, Concat: the per-input Vmac multipliers (common accumulator scale
  // s_acc: real = s_acc * acc, m_i = round(s_i / s_acc)).
  std::vector<int32_t> input_multipliers;
  double acc_scale = 0;        // Add/Rescale/Concat: s_acc; Conv2d/Dense: s_in * s_w; pools: s_in

  // Lut: the output integer of every input integer, from the input's lo().
  // Softmax: the softmax unit's constants (common/softmax_unit.h).
  std::vector<int32_t> table;
  SoftmaxAxis softmax_axis = SoftmaxAxis::Channels;  // Softmax
  bool log = false;                                  // Softmax: log-softmax
  // Channels: the input channel of each output channel.
  std::vector<int> channels;
  // Pad: the border, and the constant's integer (its value on the tensor's
  // grid, saturated to the tensor's range).
  PadSpec pad;
  int32_t pad_integer = 0;

  Requant requant;             // all kinds but MaxPool, Lut, Channels (and Conv2d/Dense with requantize == false)
};

struct QuantizedNetwork {
  std::string name;             // model name
  Policy policy;
  std::vector<QTensor> tensors; // tensors[0] is the network input (signed)
  std::vector<QOp> ops;         // in execution order; each op's inputs are earlier outputs or tensor 0
  int input = 0;                // tensor index of the input
  int output = 0;               // tensor index of the output
  std::vector<int> layers;      // op indices of the Conv2d/Dense ops in policy order

  const QTensor& input_tensor() const { return tensors[size_t(input)]; }
  const QTensor& output_tensor() const { return tensors[size_t(output)]; }
  // The output scale: real logits = output_scale() * q.
  double output_scale() const { return output_tensor().scale; }
};

// Builds the integer model. The graph may contain BatchNorm (it is folded
// first). Every domain of plan_activations(g, p) needs an act_clip in `c`
// (error naming the missing one). Throws if an int32 accumulator could
// overflow (naming the layer).
QuantizedNetwork quantize(const Graph& g, const Policy& p, const Calibration& c,
                          bool weight_mse = false);

// The same network without weights, for timing-only compiles: the ops,
// tensors (names, shapes, bits, signedness), layers and requantization
// ranges of quantize(g, p, c), but every weight vector empty, biases zero
// (sized out_channels), and nominal scales (activation and weight scales 1,
// so every multiplier is valid). Allocates nothing per weight: vgg16 builds in
// microseconds. `g` may be structure-only (make_model(name, 0, false)) or not
// (its parameters are then ignored).
QuantizedNetwork quantize_structure(const Graph& g, const Policy& p);

// The input image (float CHW) as the network's integers: quantize_value with
// the input tensor's scale and range (plus its zero point).
std::vector<int8_t> quantize_input(const QuantizedNetwork& q, const std::vector<float>& image);

}  // namespace cimvp
