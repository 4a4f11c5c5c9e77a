// Activation samples gathered once calibrate many policies: every clip and
// weight scale chosen from them is remembered and reused. The reused values
// must be exactly what calibrate() and weight_scale_for() choose afresh.
#include <gtest/gtest.h>

#include "common/error.h"
#include "nn/model_source.h"
#include "nn/zoo.h"

namespace cimvp {
namespace {

std::vector<std::vector<float>> images(const Shape& s, int n) {
  std::vector<std::vector<float>> out(size_t(n), std::vector<float>(size_t(s.size())));
  uint64_t x = 12345;
  for (auto& im : out)
    for (float& v : im) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      v = float((x >> 40) % 1000) / 1000.f;
    }
  return out;
}

TEST(CalibrationMemo, ReusedScalesEqualFreshlyChosenOnes) {
  const Graph g = fold_batch_norm(make_model("lenet5", 3));
  const auto samples = images(g.input_shape(), 4);
  ActivationSamples shared = sample_activations(g, samples);
  const size_t layers = g.quantizable_layers().size();
  Policy mixed = uniform_policy(layers, 8, 8);
  mixed.weight_bits[0] = 4, mixed.activation_bits[1] = 3;  // 4-bit weights and 3-bit activations seen before
  Policy mixed2 = uniform_policy(layers, 4, 3);
  mixed2.weight_bits[2] = 8;
  for (const Policy& p : {uniform_policy(layers, 8, 8), uniform_policy(layers, 4, 3), mixed, mixed2, mixed}) {
    const Calibration reused = calibrate_on_activations(g, p, shared);
    // Independently: calibrate() on samples of its own, and every weight scale by MSE.
    const Calibration fresh = calibrate(g, samples, p);
    EXPECT_EQ(reused.act_clip, fresh.act_clip) << p.str();
    const std::vector<int> ids = g.quantizable_layers();
    ASSERT_EQ(reused.weight_scale.size(), ids.size());
    for (size_t l = 0; l < ids.size(); ++l) {
      const Node& nd = g.nodes[size_t(ids[l])];
      EXPECT_EQ(reused.weight_scale.at(nd.name), float(weight_scale_for(nd, p.weight_bits[l], Calibration{}, true)))
          << nd.name << " at " << p.str();
    }
  }
  // Remembered once per (layer, bits): 8 and 4 bits for every layer's weights.
  EXPECT_EQ(shared.weight_scales.size(), 2 * layers);
}

TEST(CalibrationMemo, RefusesSamplesOfAnotherGraph) {
  const Graph lenet = fold_batch_norm(make_model("lenet5", 1));
  const Graph vgg = fold_batch_norm(make_model("vgg-small", 1));
  ActivationSamples a = sample_activations(lenet, images(lenet.input_shape(), 1));
  EXPECT_THROW(calibrate_on_activations(vgg, uniform_policy(vgg.quantizable_layers().size(), 8, 8), a), Error);
}

}  // namespace
}  // namespace cimvp
