// The network graph: a list of nodes in topological order, each a layer with
// its attributes, float parameters and inferred output shape. It is the float
// model that the trainer trains, the quantizer quantizes and the model file
// stores. Tensors are single images in CHW order, as std::vector<float>; the
// batch dimension is the trainer's business.
//
// Parameter layouts (all row-major, the PyTorch layouts):
//   Conv2d    weight [out][in][kh][kw], bias [out]; a grouped convolution
//             (groups > 1; depthwise when groups = in = out) keeps the same
//             dense layout, zero where output o's group differs from input
//             channel c's (o / (out / groups) != c / (in / groups)): every
//             computation of a dense convolution is then exact for it, and
//             the compiler leaves the crossbar tiles it knows to be all
//             zero unprogrammed
//   Dense     weight [out][in],         bias [out]  (`in` = size of the input
//             tensor in CHW order: a Dense node flattens implicitly)
//   BatchNorm gamma [C], beta [C], mean [C], var [C] (running statistics), eps
// Shapes: a Dense/Flatten output is (N, 1, 1); a GlobalAvgPool output (C, 1, 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/activation.h"
#include "nn/pad.h"

namespace cimvp {

enum class OpKind {
  Input,          // the network input (exactly one, node 0)
  Conv2d,         // square kernel, stride, zero padding, with bias
  Dense,          // fully connected, with bias
  Relu,
  MaxPool,        // kernel, stride, padding, dilation (padded positions never win)
  AvgPool,        // kernel, stride, zero padding counted in the divisor kh*kw
  GlobalAvgPool,  // mean over H x W per channel
  BatchNorm,      // per channel, inference form; folded away before deployment
  Add,            // element-wise sum of two inputs of the same shape (residual)
  Flatten,        // (C, H, W) -> (C*H*W, 1, 1); the CHW data does not move
  Concat,         // two or more inputs of the same H x W stacked along channels, in input order
  Activation,     // an element-wise non-linear function (Node::function, nn/activation.h)
  Mul,            // element-wise product; the second input the same shape or C x 1 x 1 (per channel:
                  // squeeze-and-excitation's scaling)
  Channels,       // output channel j is input channel Node::channels[j]: a slice, a shuffle (ShuffleNet)
  Pad,            // a border of Node::pad's widths, value or mode around height and width (nn/pad.h)
  Softmax,        // (log-)softmax over each pixel's channels or each row (nn/softmax.h)
};

// What one softmax normalizes: a pixel's channels (a classifier's K x 1 x 1
// scores), or a row of one channel (the last axis of a 4-D tensor).
enum class SoftmaxAxis { Channels, Width };

// "conv2d", "dense", ...; and back (nullopt-free: throws cimvp::Error for an unknown name).
const char* op_name(OpKind kind);
OpKind op_from_name(const std::string& name);

struct Shape {
  int c = 0, h = 0, w = 0;
  int64_t size() const { return int64_t(c) * h * w; }
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const;  // "16x14x14"
};

struct Node {
  std::string name;         // unique in the graph; names the node in every error
  OpKind kind = OpKind::Input;
  std::vector<int> inputs;  // indices of earlier nodes (Add, Mul: two, Concat: two or more, Input: none, others: one)

  // Attributes (those that do not apply to the kind stay at their defaults).
  int out_channels = 0;  // Conv2d: output channels; Dense: output features
  int kernel = 0;        // Conv2d, MaxPool, AvgPool: kernel height (and width, unless kernel_w says otherwise)
  int stride = 1;        // Conv2d, MaxPool, AvgPool
  int padding = 0;       // Conv2d, MaxPool, AvgPool: on the top and bottom (and left and right, unless padding_w)
  // A non-square window (Inception's 1x7 and 7x1 convolutions): the kernel's
  // width and the padding left and right; 0 and -1 mean "as kernel" and "as padding".
  int kernel_w = 0;
  int padding_w = -1;
  int kw() const { return kernel_w > 0 ? kernel_w : kernel; }
  int dilation = 1;  // Conv2d, MaxPool: the spacing of the kernel's taps (ONNX dilations; 1: adjacent)
  // Rows and columns of the input one window spans: (kernel - 1) * dilation + 1.
  int span_h() const { return (kernel - 1) * dilation + 1; }
  int span_w() const { return (kw() - 1) * dilation + 1; }
  int pw() const { return padding_w >= 0 ? padding_w : padding; }
  int groups = 1;        // Conv2d: channel groups (see the header comment); divides in and out
  // MaxPool: the output size rounds up (PyTorch's ceil_mode): a last window
  // may hang over the bottom/right padding as long as it starts inside the
  // input or the top/left padding; the positions outside never win.
  bool ceil_mode = false;
  float max = 0;         // Relu: the upper bound (6: ReLU6, ONNX Clip(0, 6)); 0 for none
  ActivationFn function;  // Activation: which function, with its parameters
  std::vector<int> channels;  // Channels: the input channel of each output channel
  PadSpec pad;                // Pad: the border on each side and what it holds
  SoftmaxAxis softmax_axis = SoftmaxAxis::Channels;  // Softmax
  bool log = false;                                  // Softmax: log-softmax
  float eps = 1e-5f;     // BatchNorm
  Shape input_shape;     // Input only: the shape of the network input
  // Input only: every input value is >= 0 (images as pixel/255), so the
  // input is quantized unsigned: one more level per bit than signed.
  bool nonnegative = false;
  int in_channels = 0;   // set by infer_shapes: Conv2d input channels, Dense input features

  // Float parameters, layouts in the header comment.
  std::vector<float> weight;  // Conv2d, Dense weights; BatchNorm gamma
  std::vector<float> bias;    // Conv2d, Dense bias; BatchNorm beta
  std::vector<float> mean;    // BatchNorm running mean
  std::vector<float> var;     // BatchNorm running variance

  // Output shape, set by Graph::infer_shapes().
  Shape shape;

  bool quantizable() const { return kind == OpKind::Conv2d || kind == OpKind::Dense; }
  // Conv2d: whether output channel o reads input channel c (same group).
  bool connects(int o, int c) const {
    return groups == 1 || o / (out_channels / groups) == c / (in_channels / groups);
  }
};

// The weights of a Conv2d or Dense reading a tensor of shape `in` (a grouped
// convolution's: only those within its groups); 0 for other kinds.
int64_t weight_count(const Node& n, const Shape& in);

// A grouped convolution's weight [out][in / groups][taps] (the layout of
// ONNX and PyTorch) as the dense [out][in][taps] a Conv2d node keeps, zero
// outside the groups, and back.
template <typename From, typename To>
void expand_groups(const std::vector<From>& compact, int out, int in, int groups, int taps, std::vector<To>& dense) {
  const int in_per_group = in / groups, out_per_group = out / groups;
  dense.assign(size_t(out) * size_t(in) * size_t(taps), To(0));
  for (int o = 0; o < out; ++o)
    for (int j = 0; j < in_per_group; ++j) {
      const int c = (o / out_per_group) * in_per_group + j;
      for (int t = 0; t < taps; ++t)
        dense[(size_t(o) * size_t(in) + size_t(c)) * size_t(taps) + size_t(t)] =
            To(compact[(size_t(o) * size_t(in_per_group) + size_t(j)) * size_t(taps) + size_t(t)]);
    }
}
template <typename T>
std::vector<T> compact_groups(const std::vector<T>& dense, int out, int in, int groups, int taps) {
  const int in_per_group = in / groups, out_per_group = out / groups;
  std::vector<T> compact(size_t(out) * size_t(in_per_group) * size_t(taps));
  for (int o = 0; o < out; ++o)
    for (int j = 0; j < in_per_group; ++j) {
      const int c = (o / out_per_group) * in_per_group + j;
      for (int t = 0; t < taps; ++t)
        compact[(size_t(o) * size_t(in_per_group) + size_t(j)) * size_t(taps) + size_t(t)] =
            dense[(size_t(o) * size_t(in) + size_t(c)) * size_t(taps) + size_t(t)];
    }
  return compact;
}

class Graph {
 public:
  std::string name;         // the model's name ("lenet5"), informational
  std::vector<Node> nodes;  // topological order; node 0 is the Input; the last node is the output
  // A structure-only graph has shapes but no parameters: every weight, bias,
  // mean and var vector is empty (the builders allocate nothing). It is what
  // timing-only compiles of ImageNet-size networks need (quantize_structure()
  // in nn/quant.h); forward(), calibrate() and quantize() refuse it.
  bool structure_only = false;

  // Builders: append a node and return its index. Shapes are inferred on
  // append, so a bad attribute is reported at once, naming the node.
  // Parameters are sized and zero-filled (BatchNorm: gamma 1, var 1).
  int add_input(const std::string& name, Shape shape);
  int add_conv(const std::string& name, int input, int out_channels, int kernel, int stride = 1,
               int padding = 0, int groups = 1);
  // A kernel_h x kernel_w convolution padded by padding_h (top, bottom) and padding_w (left, right).
  int add_conv_rect(const std::string& name, int input, int out_channels, int kernel_h, int kernel_w, int stride,
                    int padding_h, int padding_w, int groups = 1, int dilation = 1);
  int add_dense(const std::string& name, int input, int out_features);
  int add_relu(const std::string& name, int input, float max = 0);
  int add_maxpool(const std::string& name, int input, int kernel, int stride, int padding = 0,
                  bool ceil_mode = false);
  int add_avgpool(const std::string& name, int input, int kernel, int stride, int padding = 0);
  int add_global_avgpool(const std::string& name, int input);
  int add_batchnorm(const std::string& name, int input, float eps = 1e-5f);
  int add_add(const std::string& name, int a, int b);
  int add_flatten(const std::string& name, int input);
  int add_concat(const std::string& name, const std::vector<int>& inputs);
  int add_activation(const std::string& name, int input, ActivationFn function);
  int add_mul(const std::string& name, int a, int b);
  int add_channels(const std::string& name, int input, const std::vector<int>& channels);
  int add_pad(const std::string& name, int input, const PadSpec& pad);
  int add_softmax(const std::string& name, int input, SoftmaxAxis axis, bool log = false);

  // Checks the structure (input indices earlier, arity, unique names,
  // parameter sizes: empty when structure_only) and recomputes every shape
  // (and in_channels). Throws cimvp::Error naming the node and the problem.
  void infer_shapes();

  int output() const { return int(nodes.size()) - 1; }
  const Node& output_node() const { return nodes.back(); }
  Shape input_shape() const { return nodes.at(0).shape; }
  Shape output_shape() const { return nodes.back().shape; }
  // Index of the node called `name`, or -1.
  int find(const std::string& name) const;

  // Conv2d and Dense node indices in topological order. This order defines
  // policies: weight_bits[i] and activation_bits[i] belong to layer i.
  std::vector<int> quantizable_layers() const;
  // For every node, the indices of the nodes that read its output.
  std::vector<std::vector<int>> consumers() const;

  // Parameter count (weights + biases + BN parameters); for a structure-only
  // graph, the count the parameters would have.
  int64_t parameter_count() const;
  // Throws cimvp::Error naming the node and the weight when a grouped
  // convolution's weight is not 0 across groups (once per loaded model:
  // it reads every weight, where infer_shapes() runs at every append).
  void check_grouped_weights() const;

 private:
  int append(Node node);
};

// Golden float forward of one image (CHW, size input_shape().size()).
// Returns the output of the last node. A structure-only graph is an error.
std::vector<float> forward(const Graph& g, const std::vector<float>& input);
// Every node's output (index = node index), for calibration and debugging.
std::vector<std::vector<float>> forward_all(const Graph& g, const std::vector<float>& input);

// Folds every BatchNorm that directly follows a Conv2d or Dense (whose output
// is read by nothing else) into that layer's weights and bias and removes the
// BatchNorm node; the other nodes keep their names and order. A BatchNorm
// that cannot be folded is an error naming it. The float output is unchanged
// (up to float rounding). A structure-only graph stays structure-only.
Graph fold_batch_norm(const Graph& g);
bool has_batch_norm(const Graph& g);

// The graph without its parameters (structure_only), copying no parameter.
Graph structure_of(const Graph& g);

}  // namespace cimvp
