#include "nn/train/trainer.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/random.h"
#include "common/seconds_since.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "nn/train/network.h"
#include "nn/zoo.h"

namespace cimvp {

namespace {

using Clock = std::chrono::steady_clock;

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The image order of an epoch: a Fisher-Yates shuffle seeded by (seed, epoch).
std::vector<uint32_t> epoch_order(size_t n, uint64_t seed, int epoch) {
  std::vector<uint32_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = uint32_t(i);
  uint64_t s = seed * 0xd1b54a32d192ed03ull + uint64_t(epoch + 1) * 0x8cb92ba72f3d8dd7ull;
  for (size_t i = n; i > 1; --i) std::swap(p[i - 1], p[splitmix(s) % i]);
  return p;
}

// ---------------------------------------------------------------- checkpoint state
// <checkpoint>.state: "CIMVPTRS", u32 version, u32 epochs done, u32 buffer
// count, per buffer u64 length + float32 values, u32 CRC-32 of all before.
constexpr char kStateMagic[8] = {'C', 'I', 'M', 'V', 'P', 'T', 'R', 'S'};

template <class T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void save_state(const std::string& path, int epochs_done, const std::vector<std::vector<float>*>& buffers) {
  std::string s(kStateMagic, 8);
  put<uint32_t>(s, 1);
  put<uint32_t>(s, uint32_t(epochs_done));
  put<uint32_t>(s, uint32_t(buffers.size()));
  for (const auto* b : buffers) {
    put<uint64_t>(s, b->size());
    s.append(reinterpret_cast<const char*>(b->data()), b->size() * sizeof(float));
  }
  put<uint32_t>(s, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(s.data()), uInt(s.size()))));
  write_file_atomically(path, s);
}

int load_state(const std::string& path, const std::vector<std::vector<float>*>& buffers) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open the training state of the checkpoint");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto bad = [&](const std::string& why) { return Error(path + ": corrupt training state: " + why); };
  if (s.size() < 24 || std::memcmp(s.data(), kStateMagic, 8) != 0) throw bad("bad magic or too short");
  uint32_t crc;
  std::memcpy(&crc, s.data() + s.size() - 4, 4);
  if (crc != uint32_t(crc32(0, reinterpret_cast<const Bytef*>(s.data()), uInt(s.size() - 4))))
    throw bad("checksum mismatch");
  size_t pos = 8;
  auto get32 = [&] {
    uint32_t v;
    std::memcpy(&v, s.data() + pos, 4);
    pos += 4;
    return v;
  };
  if (get32() != 1) throw bad("unknown version");
  const int epochs_done = int(get32());
  if (get32() != buffers.size()) throw bad("buffer count differs from the model's parameters");
  for (auto* b : buffers) {
    if (pos + 8 > s.size() - 4) throw bad("truncated");
    uint64_t len;
    std::memcpy(&len, s.data() + pos, 8);
    pos += 8;
    if (len != b->size() || pos + len * 4 > s.size() - 4) throw bad("buffer size differs from the model's");
    std::memcpy(b->data(), s.data() + pos, len * 4);
    pos += len * 4;
  }
  return epochs_done;
}

bool file_exists(const std::string& p) { return std::ifstream(p).good(); }

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// The run parameters a checkpoint must share with the options that resume it.
std::map<std::string, std::string> run_keys(const TrainOptions& o) {
  return {{"train.epochs", std::to_string(o.epochs)}, {"train.batch", std::to_string(o.batch)},
          {"train.lr", fmt(o.lr)},                     {"train.seed", std::to_string(o.seed)},
          {"train.policy", o.policy ? to_yaml(*o.policy) : "float"},
          {"train.images", std::to_string(o.train_images)},
          {"train.augment", o.augment ? "flip+shift" + std::to_string(o.augment_shift) : "none"},
          {"train.distill", o.teacher ? o.teacher_name + " weight " + fmt(o.distill_weight) + " temperature " +
                                            fmt(o.distill_temperature)
                                      : "none"},
          {"train.weight_noise", o.weight_noise.empty() ? "none" : o.noise_source + ", noise scale " + fmt(o.noise_scale)}};
}

// The per-layer error tables of noise-aware training, at each layer's bits.
std::vector<training::WeightErrorTable> layer_weight_noise(const TrainOptions& o, const Graph& g) {
  if (o.weight_noise.empty()) return {};
  if (!o.policy) throw Error("noise-aware training needs quantization-aware training: give a policy (--bits or --policy)");
  if (!(o.noise_scale >= 0)) throw Error("noise scale must be >= 0, got " + fmt(o.noise_scale));
  std::vector<training::WeightErrorTable> out;
  const std::vector<int> layers = g.quantizable_layers();
  for (size_t l = 0; l < layers.size(); ++l) {
    const int bits = o.policy->weight_bits[l];
    auto it = o.weight_noise.find(bits);
    if (it == o.weight_noise.end())
      throw Error("noise-aware training: no weight noise for the " + std::to_string(bits) + "-bit weights of layer '" +
                  g.nodes[size_t(layers[l])].name + "'");
    training::WeightErrorTable t = it->second;
    for (float& s : t.std_dev) s *= o.noise_scale;
    out.push_back(std::move(t));
  }
  return out;
}

// Copies image `src` (C x H x W) to `dst`, flipped left-right when `flip`,
// shifted by (dy, dx) pixels with zero fill.
void augment_image(const float* src, float* dst, const Shape& s, bool flip, int dy, int dx) {
  for (int c = 0; c < s.c; ++c)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x) {
        const int sy = y - dy, sx0 = x - dx;
        const int sx = flip ? s.w - 1 - sx0 : sx0;
        const bool inside = sy >= 0 && sy < s.h && sx0 >= 0 && sx0 < s.w;
        dst[(size_t(c) * size_t(s.h) + size_t(y)) * size_t(s.w) + size_t(x)] =
            inside ? src[(size_t(c) * size_t(s.h) + size_t(sy)) * size_t(s.w) + size_t(sx)] : 0.f;
      }
}

// Evaluation of a Network on a dataset in chunks of its max batch.
EvalResult run_network(training::Network& net, const Dataset& d) {
  EvalResult r;
  const auto t0 = Clock::now();
  double loss = 0;
  for (size_t i = 0; i < d.size(); i += size_t(net.max_batch())) {
    const int n = int(std::min(d.size() - i, size_t(net.max_batch())));
    net.forward(d.image(i), n, false);
    int c = 0;
    loss += net.loss(d.labels.data() + i, &c) * n;
    r.correct += size_t(c);
    for (int k = 0; k < n; ++k) r.predictions.push_back(net.predict(k));
  }
  r.images = d.size();
  r.accuracy = r.images ? double(r.correct) / double(r.images) : 0;
  r.loss = r.images ? loss / double(r.images) : 0;
  r.seconds = seconds_since(t0);
  return r;
}

void check_data(const Graph& g, const Dataset& d, const std::string& what) {
  if (d.shape != g.input_shape())
    throw Error("model '" + g.name + "' takes " + g.input_shape().str() + " inputs, the " + what + " images of '" +
                d.name + "' are " + d.shape.str());
  if (g.output_shape().size() != d.classes)
    throw Error("model '" + g.name + "' has " + std::to_string(g.output_shape().size()) + " outputs, dataset '" +
                d.name + "' has " + std::to_string(d.classes) + " classes");
}

}  // namespace

TrainData load_train_data(const std::string& dataset) {
  return {load_dataset(dataset, Split::Train), load_dataset(dataset, Split::Validation)};
}

ModelFile initial_model(const TrainOptions& o) {
  if (!o.from.empty()) return load_model_file(o.from);
  ModelFile m;
  m.graph = make_model(o.model, o.seed);
  return m;
}

Calibration initial_calibration(const Graph& folded, const Policy& p, const Dataset& d, size_t n) {
  n = std::max<size_t>(1, std::min(n, d.size()));
  std::vector<std::vector<float>> samples;
  for (size_t i = 0; i < n; ++i) samples.push_back(d.image_vector(i));
  ActivationSamples activations = sample_activations(folded, samples);
  return calibrate_on_activations(folded, p, activations);
}

ModelFile train(const ModelFile& start, const TrainData& data, const TrainOptions& o, ProgressSink& sink) {
  return train(start, data.train, data.validation, o, sink);
}

ModelFile train(const ModelFile& start_model, const Dataset& tr, const Dataset& validation, const TrainOptions& o,
                ProgressSink& sink) {
  if (o.epochs < 1) throw Error("epochs must be at least 1, got " + std::to_string(o.epochs));
  if (o.batch < 1 || o.batch > 65536) throw Error("batch must be in 1..65536, got " + std::to_string(o.batch));
  if (!(o.lr > 0)) throw Error("learning rate must be positive");
  if (!(o.scale_lr_factor > 0)) throw Error("the scales' learning rate factor must be positive, got " + fmt(o.scale_lr_factor));
  if (o.augment && (o.augment_shift < 0 || o.augment_shift > 8))
    throw Error("augment_shift must be in 0..8, got " + std::to_string(o.augment_shift));
  if (tr.size() == 0) throw Error("the training set is empty");
  ModelFile start = start_model;
  int first_epoch = 0;
  const bool resuming = o.resume && !o.checkpoint.empty() && file_exists(o.checkpoint);
  if (resuming) {
    start = load_model_file(o.checkpoint);
    for (const auto& [k, v] : run_keys(o)) {
      auto it = start.metadata.find(k);
      if (it == start.metadata.end() || it->second != v)
        throw Error(o.checkpoint + ": checkpoint of another run: " + k + " is '" +
                    (it == start.metadata.end() ? std::string("missing") : it->second) + "', the options say '" + v +
                    "' (delete the checkpoint or use the same options)");
    }
  }
  Graph g = start.graph;
  check_data(g, tr, "training");
  Calibration cal;
  if (o.policy) {
    if (has_batch_norm(g)) g = fold_batch_norm(g);
    check_policy(*o.policy, g.quantizable_layers().size(), "policy for model '" + g.name + "'");
    if (start.has_policy() && start.policy == *o.policy && !start.calibration.act_clip.empty()) {
      cal = start.calibration;
    } else {
      sink.on_message("calibrating activation clips on " + std::to_string(std::min(o.calibration_images,
                                                                                  tr.size())) + " images");
      cal = initial_calibration(g, *o.policy, tr, o.calibration_images);
    }
  }
  const size_t n_train = o.train_images ? std::min(o.train_images, tr.size()) : tr.size();
  // The network holds buffers for its largest batch: validation runs 500
  // images at a time, training only o.batch. Sized for 500 when nothing is
  // validated, a search's 30-batch fine-tune spent half its time allocating.
  const bool validating = o.validate && validation.size() > 0;
  const int val_batch = 500;
  training::Network net(g, validating ? std::max(o.batch, val_batch) : o.batch, o.threads, 2,
                        o.policy ? &*o.policy : nullptr, o.policy ? &cal : nullptr);
  net.set_weight_noise(layer_weight_noise(o, g));
  if (resuming) {
    first_epoch = load_state(o.checkpoint + ".state", net.momentum_buffers());
    sink.on_message("resuming " + o.checkpoint + " after epoch " + std::to_string(first_epoch));
  }

  std::unique_ptr<training::Network> teacher;
  std::vector<float> teacher_logits;
  if (o.teacher) {
    const Graph& tg = o.teacher->graph;
    if (tg.input_shape() != g.input_shape() || tg.output_shape() != g.output_shape())
      throw Error("teacher " + o.teacher_name + " (model '" + tg.name + "') does not match model '" + g.name +
                  "': its input or output shape differs");
    teacher = std::make_unique<training::Network>(tg, o.batch, o.threads, 2);
    teacher_logits.resize(size_t(o.batch) * size_t(teacher->output_size()));
  }

  const size_t batches = (n_train + size_t(o.batch) - 1) / size_t(o.batch);
  const double total_steps = double(batches) * o.epochs;
  std::vector<float> xb(size_t(o.batch) * tr.image_size());
  std::vector<uint8_t> yb(size_t(o.batch));
  training::SgdParams sp;
  sp.momentum = o.momentum;
  sp.weight_decay = o.weight_decay;
  sp.scale_lr_factor = o.scale_lr_factor;
  ModelFile out;
  out.graph = g;
  out.metadata = start.metadata;
  for (const auto& [k, v] : run_keys(o)) out.metadata[k] = v;
  if (o.policy) out.metadata["train.scale_lr_factor"] = fmt(o.scale_lr_factor);
  out.metadata["dataset"] = o.dataset;
  out.metadata["normalization"] = "pixel/255";
  double val_acc = -1;
  const auto run_start = Clock::now();
  size_t images_done = 0;
  for (int epoch = first_epoch; epoch < o.epochs; ++epoch) {
    const auto t0 = Clock::now();
    const std::vector<uint32_t> order = epoch_order(n_train, o.seed, epoch);
    double loss_sum = 0;
    size_t correct = 0, seen = 0;
    for (size_t b = 0; b < batches; ++b) {
      const size_t first = b * size_t(o.batch);
      const int n = int(std::min(size_t(o.batch), n_train - first));
      for (int i = 0; i < n; ++i) {
        const uint32_t idx = order[first + size_t(i)];
        float* dst = xb.data() + size_t(i) * tr.image_size();
        if (o.augment) {
          uint64_t s = o.seed * 0x9e3779b97f4a7c15ull + uint64_t(epoch + 1) * 0xbf58476d1ce4e5b9ull +
                       uint64_t(first + size_t(i)) * 0x94d049bb133111ebull;
          const uint64_t r = splitmix(s);
          const int span = 2 * o.augment_shift + 1;
          const int dy = int((r >> 8) % uint64_t(span)) - o.augment_shift;
          const int dx = int((r >> 24) % uint64_t(span)) - o.augment_shift;
          augment_image(tr.image(idx), dst, tr.shape, (r & 1) != 0, dy, dx);
        } else {
          std::copy(tr.image(idx), tr.image(idx) + tr.image_size(), dst);
        }
        yb[size_t(i)] = tr.labels[idx];
      }
      const double step = double(epoch) * double(batches) + double(b);
      sp.lr = o.cosine ? float(o.lr * 0.5 * (1 + std::cos(M_PI * step / total_steps))) : o.lr;
      training::Distillation kd{nullptr, o.distill_weight, o.distill_temperature};
      if (teacher) {
        teacher->forward(xb.data(), n, false);
        const size_t C = size_t(teacher->output_size());
        for (int i = 0; i < n; ++i) std::copy(teacher->output(i), teacher->output(i) + C, &teacher_logits[size_t(i) * C]);
        kd.teacher_logits = teacher_logits.data();
      }
      net.set_weight_noise_key(derive_seed({o.seed, uint64_t(epoch), uint64_t(b)}));
      net.forward(xb.data(), n, true);
      int c = 0;
      const double loss = net.loss_backward(yb.data(), &c, teacher ? &kd : nullptr);
      if (!std::isfinite(loss))
        throw Error("training diverged (loss " + fmt(loss) + " in epoch " + std::to_string(epoch + 1) + ", batch " +
                    std::to_string(b + 1) + "): lower the learning rate");
      net.sgd_step(sp);
      loss_sum += loss * n;
      correct += size_t(c);
      seen += size_t(n);
      images_done += size_t(n);
      BatchProgress p;
      p.epoch = epoch;
      p.epochs = o.epochs;
      p.batch = b;
      p.batches = batches;
      p.loss = loss_sum / double(seen);
      p.accuracy = double(correct) / double(seen);
      p.lr = sp.lr;
      const double el = seconds_since(t0);
      p.images_per_second = el > 0 ? double(seen) / el : 0;
      const double rate = double(images_done) / std::max(1e-9, seconds_since(run_start));
      p.seconds_left = double(n_train * size_t(o.epochs - epoch) - seen) / rate;
      sink.on_batch(p);
    }
    EpochReport rep;
    rep.epoch = epoch;
    rep.epochs = o.epochs;
    rep.train_loss = loss_sum / double(seen);
    rep.train_accuracy = double(correct) / double(seen);
    rep.seconds = seconds_since(t0);
    rep.images_per_second = double(seen) / rep.seconds;
    if (validating) {
      check_data(g, validation, "validation");
      val_acc = run_network(net, validation).accuracy;
      rep.validation_accuracy = val_acc;
    }
    net.write_back(out.graph);
    if (o.policy) {
      out.policy = *o.policy;
      out.calibration = net.calibration();
    }
    out.metadata["train.epochs_done"] = std::to_string(epoch + 1);
    out.metadata["train.loss"] = fmt(rep.train_loss);
    if (val_acc >= 0) out.metadata["validation_accuracy"] = fmt(val_acc);
    if (!o.checkpoint.empty()) {
      // The state first: a kill between the two writes leaves an older model
      // file with a newer state, which load_state() would accept; so write the
      // model to a temporary name and rename it last.
      save_state(o.checkpoint + ".state", epoch + 1, net.momentum_buffers());
      save_model_file(out, o.checkpoint + ".tmp");
      if (std::rename((o.checkpoint + ".tmp").c_str(), o.checkpoint.c_str()) != 0)
        throw Error(o.checkpoint + ": cannot write the checkpoint");
      rep.checkpoint = o.checkpoint;
    }
    sink.on_epoch(rep);
  }
  if (first_epoch >= o.epochs) {  // nothing left to do: the checkpoint is the result
    out = start;
  }
  return out;
}

const char* eval_mode_name(EvalMode m) {
  switch (m) {
    case EvalMode::Float: return "float";
    case EvalMode::FakeQuant: return "fake-quant";
    case EvalMode::Integer: return "integer";
  }
  return "?";
}

EvalResult evaluate(const ModelFile& m, const Dataset& d, EvalMode mode, int threads, const std::optional<Policy>& policy,
                    const Dataset* calibration_data) {
  check_data(m.graph, d, "evaluation");
  if (mode == EvalMode::Float) {
    training::Network net(m.graph, 500, threads, 2);
    return run_network(net, d);
  }
  const Policy p = policy ? *policy : m.policy;
  if (p.weight_bits.empty())
    throw Error("model '" + m.graph.name + "' has no policy: give one (--policy or --bits) for " +
                eval_mode_name(mode) + " evaluation");
  const Graph g = has_batch_norm(m.graph) ? fold_batch_norm(m.graph) : m.graph;
  const Calibration cal = calibration_for(m, p, calibration_data);
  if (mode == EvalMode::FakeQuant) {
    training::Network net(g, 500, threads, 2, &p, &cal);
    return run_network(net, d);
  }
  const QuantizedNetwork q = quantize(g, p, cal);
  EvalResult r;
  const auto t0 = Clock::now();
  r.images = d.size();
  r.predictions.assign(d.size(), -1);
  const int T = std::max(1, threads);
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(T));
  for (int t = 0; t < T; ++t)
    pool.emplace_back([&, t] {
      try {
        // Batches of images through run_batch(): one GEMM per layer (and a
        // few images) instead of one small product per image.
        ReferenceExecutor ex(q);
        constexpr size_t kBatch = 64;
        const size_t in_size = size_t(q.input_tensor().shape.size());
        const size_t out_size = size_t(q.tensors[size_t(q.output)].shape.size());
        std::vector<int8_t> in;
        std::vector<int32_t> out;
        const size_t lo = d.size() * size_t(t) / size_t(T), hi = d.size() * size_t(t + 1) / size_t(T);
        for (size_t b = lo; b < hi; b += kBatch) {
          const size_t nb = std::min(kBatch, hi - b);
          in.resize(nb * in_size);
          for (size_t i = 0; i < nb; ++i) {
            const std::vector<int8_t> qi = quantize_input(q, d.image_vector(b + i));
            std::copy(qi.begin(), qi.end(), in.begin() + ptrdiff_t(i * in_size));
          }
          ex.run_batch(in.data(), int(nb), out);
          for (size_t i = 0; i < nb; ++i) {
            const int32_t* o = out.data() + i * out_size;
            r.predictions[b + i] = int(std::max_element(o, o + out_size) - o);
          }
        }
      } catch (...) {
        errors[size_t(t)] = std::current_exception();
      }
    });
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (size_t i = 0; i < d.size(); ++i) r.correct += r.predictions[i] == d.labels[i];
  r.accuracy = r.images ? double(r.correct) / double(r.images) : 0;
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace cimvp
