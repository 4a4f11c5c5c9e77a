// Noise-aware training: the programmed-weight error is added to the
// fake-quantized weights in training forwards only, drawn from a key (so a
// run is reproducible and independent of the thread count), the weight
// scale's gradient is the gradient of that noisy forward (against finite
// differences), and the trainer refuses noise without a policy or without a
// table for a layer's bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "nn/train/network.h"
#include "nn/train/trainer.h"
#include "nn/zoo.h"
#include "tests/support/synthetic_dataset.h"

using namespace cimvp;

namespace {

Dataset synthetic(size_t n, uint64_t seed) { return test::synthetic_bars(n, seed, {0.6f, 100, 3, 24}); }

// The same error for every value of a `bits`-bit weight.
training::WeightErrorTable flat_table(int bits, float mean, float std_dev) {
  const size_t values = size_t(1) << bits;
  return {std::vector<float>(values, mean), std::vector<float>(values, std_dev)};
}

std::vector<float> outputs(training::Network& net, const Dataset& d, int n, bool training) {
  net.forward(d.image(0), n, training);
  std::vector<float> out;
  for (int i = 0; i < n; ++i) out.insert(out.end(), net.output(i), net.output(i) + net.output_size());
  return out;
}

struct Lenet5W8 {
  Graph g = make_model("lenet5", 3);
  Policy p = uniform_policy(5, 8, 8);
  Dataset d = synthetic(64, 9);
  Calibration cal;
  Lenet5W8() {
    g = fold_batch_norm(g);
    cal = initial_calibration(g, p, d, 64);
  }
  std::vector<training::WeightErrorTable> tables(float mean, float std_dev) const {
    return std::vector<training::WeightErrorTable>(5, flat_table(8, mean, std_dev));
  }
};

}  // namespace

TEST(TrainNoiseAware, NoiseOnlyInTrainingForwardsAndDrawnFromTheKey) {
  Lenet5W8 m;
  training::Network clean(m.g, 32, 2, 2, &m.p, &m.cal);
  training::Network noisy(m.g, 32, 2, 2, &m.p, &m.cal);
  noisy.set_weight_noise(m.tables(0.f, 3.f));
  noisy.set_weight_noise_key(11);
  const std::vector<float> clean_train = outputs(clean, m.d, 32, true);
  const std::vector<float> noisy_train = outputs(noisy, m.d, 32, true);
  EXPECT_NE(clean_train, noisy_train) << "3 LSB of weight noise changes the logits";
  EXPECT_EQ(noisy_train, outputs(noisy, m.d, 32, true)) << "the same key draws the same noise";
  noisy.set_weight_noise_key(12);
  EXPECT_NE(noisy_train, outputs(noisy, m.d, 32, true)) << "another key draws other noise";
  EXPECT_EQ(outputs(clean, m.d, 32, false), outputs(noisy, m.d, 32, false)) << "inference forwards are noise free";
  // A table of zeros is no noise at all.
  noisy.set_weight_noise(m.tables(0.f, 0.f));
  EXPECT_EQ(clean_train, outputs(noisy, m.d, 32, true));
  // A mean of one LSB on every weight moves the logits even without spread.
  noisy.set_weight_noise(m.tables(1.f, 0.f));
  EXPECT_NE(clean_train, outputs(noisy, m.d, 32, true));
  // Turned off, the noise leaves nothing behind.
  noisy.set_weight_noise({});
  EXPECT_EQ(clean_train, outputs(noisy, m.d, 32, true));
}

// The scale gradient is the gradient of the noisy forward. The forward uses
// w' = s (q + e), q = clamp(round(w / s)) and e the drawn error in LSBs.
// Scaling a layer's weights and its scale together by (1 + t) keeps every
// q (and so every e: the same key draws the same normals, the table is
// indexed by q), so along that direction the loss is smooth and its exact
// derivative is s sum dL/dw' (q + e). The straight-through weight gradient
// and LSQ's scale gradient give sum dL/dw w + s dL/ds
// = s sum dL/dw' (q + e) exactly (LSQ's round(w/s) - w/s cancels against
// the weights' term, the clamped weights' bound stands alone), but only if
// the scale gradient has the e term: without it the sum misses
// s sum dL/dw' e. The last layer is checked, whose output (the logits) is
// not quantized, so that central differences of the loss see no rounding;
// its bias is 0, which every scale keeps on the accumulator grid.
TEST(TrainNoiseAware, ScaleGradientIsTheGradientOfTheNoisyForward) {
  Graph g = fold_batch_norm(make_model("lenet5", 3));
  const Policy p = uniform_policy(5, 4, 8);  // 4-bit weights: an error of a few LSBs is large against q
  const int n = 24;
  const Dataset d = synthetic(size_t(n), 9);
  const Calibration cal = initial_calibration(g, p, d, size_t(n));
  for (const bool noisy : {false, true}) {
    training::Network net(g, n, 2, 2, &p, &cal);
    if (noisy) net.set_weight_noise(std::vector<training::WeightErrorTable>(5, flat_table(4, 0.7f, 2.5f)));
    net.set_weight_noise_key(5);
    float *w = nullptr, *s = nullptr, *b = nullptr;
    const float *gw = nullptr, *gs = nullptr;
    size_t nw = 0, nb = 0;
    for (const training::ParamView& v : net.params()) {
      if (v.name == "fc3.weight") w = v.value, gw = v.grad, nw = v.size;
      if (v.name == "fc3.weight_scale") s = v.value, gs = v.grad;
      if (v.name == "fc3.bias") b = v.value, nb = v.size;
    }
    ASSERT_TRUE(w && s && b);
    std::fill(b, b + nb, 0.f);
    net.forward(d.image(0), n, true);
    net.loss_backward(d.labels.data());
    // LSQ's gradient scale 1 / sqrt(weights x 2^(b-1) - 1) (docs/training.md) undone.
    const double ds = double(gs[0]) * std::sqrt(double(nw) * 7.0);
    double analytic = ds * double(s[0]);
    for (size_t k = 0; k < nw; ++k) analytic += double(gw[k]) * double(w[k]);
    const std::vector<float> w0(w, w + nw);
    const float s0 = s[0];
    auto loss_at = [&](double t) {
      for (size_t k = 0; k < nw; ++k) w[k] = float(double(w0[k]) * (1 + t));
      s[0] = float(double(s0) * (1 + t));
      net.forward(d.image(0), n, true);
      const double l = net.loss(d.labels.data());
      std::copy(w0.begin(), w0.end(), w);
      s[0] = s0;
      return l;
    };
    for (const double t : {1e-3, 2e-4}) {
      const double numeric = (loss_at(t) - loss_at(-t)) / (2 * t);
      EXPECT_NEAR(analytic, numeric, 1e-4 + 2e-3 * std::fabs(numeric))
          << (noisy ? "with" : "without") << " noise, step " << t;
    }
  }
}

TEST(TrainNoiseAware, RefusesTablesThatDoNotFitTheNetwork) {
  Lenet5W8 m;
  training::Network net(m.g, 8, 1, 2, &m.p, &m.cal);
  EXPECT_THROW(net.set_weight_noise(std::vector<training::WeightErrorTable>(4, flat_table(8, 0, 1))), Error);
  EXPECT_THROW(net.set_weight_noise(std::vector<training::WeightErrorTable>(5, flat_table(4, 0, 1))), Error);
  training::Network float_net(m.g, 8, 1, 2);
  EXPECT_THROW(float_net.set_weight_noise(m.tables(0, 1)), Error);
}

TEST(TrainNoiseAware, RunIsDeterministicIndependentOfThreadsAndRecorded) {
  TrainData data{synthetic(384, 1), synthetic(128, 2)};
  TrainOptions o;
  o.policy = uniform_policy(5, 8, 8);
  o.epochs = 1;
  o.batch = 32;
  o.lr = 0.005f;
  o.calibration_images = 64;
  o.weight_noise[8] = flat_table(8, 0.f, 2.f);
  o.noise_source = "test noise";
  ProgressSink quiet;
  const ModelFile start = initial_model(o);
  auto run = [&](int threads) {
    TrainOptions t = o;
    t.threads = threads;
    return train(start, data, t, quiet);
  };
  const ModelFile a = run(2);
  EXPECT_EQ(serialize_model(a), serialize_model(run(2))) << "the same run twice";
  EXPECT_EQ(serialize_model(a), serialize_model(run(1))) << "1 and 2 threads";
  TrainOptions plain = o;
  plain.weight_noise.clear();
  const ModelFile b = train(start, data, plain, quiet);
  EXPECT_NE(a.graph.nodes[1].weight, b.graph.nodes[1].weight) << "the noise changes what is learned";
  EXPECT_EQ(a.metadata.at("train.weight_noise"), "test noise, noise scale 1");
  EXPECT_EQ(b.metadata.at("train.weight_noise"), "none");
  TrainOptions scaled = o;
  scaled.noise_scale = 2.f;
  const ModelFile c = train(start, data, scaled, quiet);
  EXPECT_NE(a.graph.nodes[1].weight, c.graph.nodes[1].weight);
  EXPECT_EQ(c.metadata.at("train.weight_noise"), "test noise, noise scale 2");
  // The scales' learning rate factor (cimvp train --scale-lr-factor) moves the scales less, and is recorded.
  EXPECT_EQ(a.metadata.at("train.scale_lr_factor"), "1");
  TrainOptions slow = o;
  slow.scale_lr_factor = 0.2f;
  const ModelFile d = train(start, data, slow, quiet);
  EXPECT_EQ(d.metadata.at("train.scale_lr_factor"), "0.2");
  const Calibration initial = initial_calibration(fold_batch_norm(start.graph), *o.policy, data.train, 64);
  for (const auto& [layer, s0] : initial.weight_scale)
    EXPECT_LT(std::fabs(d.calibration.weight_scale.at(layer) - s0), std::fabs(a.calibration.weight_scale.at(layer) - s0))
        << layer;
}

TEST(TrainNoiseAware, NeedsAPolicyAndATableForEveryLayersBits) {
  TrainData data{synthetic(64, 1), {}};
  TrainOptions o;
  o.epochs = 1;
  o.weight_noise[8] = flat_table(8, 0.f, 2.f);
  ProgressSink quiet;
  const ModelFile start = initial_model(o);
  try {
    train(start, data, o, quiet);
    FAIL() << "noise without a policy was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs quantization-aware training"), std::string::npos) << e.what();
  }
  o.policy = Policy{"", {8, 8, 4, 8, 8}, {8, 8, 8, 8, 8}};
  o.calibration_images = 32;
  try {
    train(start, data, o, quiet);
    FAIL() << "a layer without a noise table was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no weight noise for the 4-bit weights of layer"), std::string::npos)
        << e.what();
  }
}
