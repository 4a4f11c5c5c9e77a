// The training executor: a Graph turned into batched forward and backward
// passes over preallocated buffers, float32, with optional fake quantization
// (quantization-aware training).
//
// Batching and threads. A batch of n images is cut into `shards` contiguous
// slices (the cut depends only on n and the shard count, never on the thread
// count); each shard has its own activation, gradient and parameter-gradient
// buffers, and gradients are summed over shards in shard order. So results
// are bit-identical run to run and for any thread count (1 or 2 threads with
// the default 2 shards). Nodes between two batch norms run per shard without
// synchronization; batch norm in training mode reduces its batch statistics
// over all shards (a fork-join per phase).
//
// Activations are N x C x H x W (image after image, CHW inside). Convolutions
// run as one GEMM per shard: im2col writes the shard's columns side by side
// ([C*k*k] x [n*Ho*Wo]), so Eigen sees large matrices.
//
// Fake quantization (the scheme of nn/quant.h, see docs/training.md): built
// from plan_activations() of a BatchNorm-free graph. Weights: symmetric
// per-tensor, w = s_w * clamp(floor(w / s_w + 0.5), -2^(b-1), 2^(b-1) - 1).
// Biases: rounded onto the accumulator grid s_in * s_w. Activations: every
// domain output (after its fused ReLU) onto clip / clip_level(bits) with the
// domain's range; a layer reading fewer bits than its domain reads a second
// quantization of the domain's values at its own bits (the Rescale op).
// Backward: straight-through estimator (gradient passed where the value lies
// inside the clamp range) and the LSQ gradient for the learned scales
// (weight scale per layer, clip per activation domain; the network-input clip
// stays at its calibrated value).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/policy.h"
#include "nn/quant.h"

namespace cimvp::training {

struct SgdParams {
  float lr = 0.05f;
  float momentum = 0.9f;
  float weight_decay = 0.f;  // L2 on conv/dense weights only (not biases, BN or scales)
  float scale_lr_factor = 1.f;  // learning rate of the quantization scales relative to lr
};

// Knowledge distillation (Hinton et al.): with teacher logits for the
// batch, the loss is (1 - weight) x cross-entropy on the labels
// + weight x T^2 x KL(softmax(teacher / T) || softmax(student / T)).
struct Distillation {
  const float* teacher_logits = nullptr;  // n x output_size(), image after image
  float weight = 0.5f;
  float temperature = 1.f;
};

// Noise-aware training (docs/device.md, "Noise-aware training"): the error
// a crossbar's programming puts on a stored weight, per integer weight
// value q of one layer's bit width, at index q - qmin (q + 2^(bits-1)), in
// weight LSBs (models/device/programmed_weight_error.h computes it).
struct WeightErrorTable {
  std::vector<float> mean, std_dev;
};

// A trainable tensor, for tests and tools: the value and its gradient after
// backward() (summed over shards).
struct ParamView {
  std::string name;  // "<node>.weight", "<node>.bias", "<domain>.act_scale" (step size at the domain bits), "<layer>.weight_scale"
  float* value = nullptr;
  const float* grad = nullptr;
  size_t size = 0;
};

class Network {
 public:
  // `max_batch`: the largest n passed to forward(). For quantization-aware
  // training pass a policy and its calibration (act_clip for every domain;
  // weight_scale for a layer is taken if present, else max|w| / level); the
  // graph must then have no BatchNorm (fold it first). Throws cimvp::Error
  // for graphs it cannot run (e.g. an unfusable ReLU under a policy).
  Network(const Graph& g, int max_batch, int threads = 2, int shards = 2, const Policy* policy = nullptr,
          const Calibration* calibration = nullptr);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  bool quantized() const;
  int max_batch() const;
  int threads() const;
  const Graph& graph() const;  // the structure (parameters there are stale: see write_back)

  // Runs n images (n x input size floats). training: batch norm uses batch
  // statistics (and updates its running statistics); else running ones.
  void forward(const float* images, int n, bool training);
  // After forward(): mean softmax cross-entropy over the n images; also
  // counts correct predictions. With backward, computes every gradient;
  // with `kd`, of the distillation loss above (which it then returns).
  double loss(const uint8_t* labels, int* correct = nullptr, const Distillation* kd = nullptr);
  double loss_backward(const uint8_t* labels, int* correct = nullptr, const Distillation* kd = nullptr);
  // Noise-aware training: from now on every training forward of this
  // quantized network adds to each fake-quantized weight q of layer l
  // (policy order) s_w (mean[q] + std_dev[q] N(0, 1)) from per_layer[l],
  // drawn anew at each forward from the key of set_weight_noise_key() and
  // the layer (never from the thread count). The forward's weight is
  // w' = s_w (q + e), e the drawn error in LSBs, and the backward is the
  // gradient of that: dL/dw' reaches w through the straight-through mask of
  // q (e is piecewise constant in w), and the scale gradient is LSQ's plus
  // sum dL/dw' e over every weight (e scales with s_w: an error in LSBs is
  // an error in conductance steps, whatever the step size). Inference
  // forwards (training false) stay noise free. An empty vector turns the
  // noise off.
  // Throws cimvp::Error for a float network or a table of the wrong size.
  void set_weight_noise(std::vector<WeightErrorTable> per_layer);
  void set_weight_noise_key(uint64_t key);

  // One SGD step with momentum (PyTorch semantics: v = m v + g + wd w; w -= lr v).
  void sgd_step(const SgdParams& p);

  // The output of the last forward for image i (output-shape size values).
  const float* output(int i) const;
  int output_size() const;
  int predict(int i) const;  // argmax of output(i), the first on ties

  std::vector<ParamView> params();
  // Momentum buffers in params() order (for checkpoints).
  std::vector<std::vector<float>*> momentum_buffers();

  // Copies the trained parameters (and batch-norm running statistics) into g,
  // which must be the graph this network was built from (same structure).
  void write_back(Graph& g) const;
  // The current scales: act_clip for every quantized domain (the input's
  // included) and weight_scale for every layer. Empty when not quantized.
  Calibration calibration() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cimvp::training
