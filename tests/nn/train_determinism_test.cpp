// Fixed seeds give bit-identical weights run to run and for 1 or 2 threads.
#include <gtest/gtest.h>

#include "nn/train/network.h"
#include "nn/train/trainer.h"
#include "nn/zoo.h"
#include "tests/support/synthetic_dataset.h"

using namespace cimvp;

namespace {

Dataset synthetic(size_t n, uint64_t seed) { return test::synthetic_bars(n, seed, {0.8f, 64}); }

std::vector<float> weights_after_steps(const std::string& model, int threads, int steps) {
  Graph g = make_model(model, 3);
  Dataset d = synthetic(64 * size_t(steps), 5);
  training::Network net(g, 64, threads, 2);
  training::SgdParams sp;
  sp.lr = 0.02f;
  sp.weight_decay = 5e-4f;
  for (int s = 0; s < steps; ++s) {
    net.forward(d.image(size_t(s) * 64), 64, true);
    net.loss_backward(d.labels.data() + size_t(s) * 64);
    net.sgd_step(sp);
  }
  net.write_back(g);
  std::vector<float> all;
  for (const Node& n : g.nodes) {
    all.insert(all.end(), n.weight.begin(), n.weight.end());
    all.insert(all.end(), n.bias.begin(), n.bias.end());
    all.insert(all.end(), n.mean.begin(), n.mean.end());
    all.insert(all.end(), n.var.begin(), n.var.end());
  }
  return all;
}

}  // namespace

TEST(TrainDeterminism, Lenet5SameSeedSameWeights) {
  const auto a = weights_after_steps("lenet5", 2, 4);
  const auto b = weights_after_steps("lenet5", 2, 4);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b);
  const auto c = weights_after_steps("lenet5", 1, 4);
  EXPECT_TRUE(a == c) << "1 thread and 2 threads differ";
  const auto init = weights_after_steps("lenet5", 2, 0);
  EXPECT_FALSE(a == init);  // training changed the weights
}

TEST(TrainDeterminism, VggSmallWithBatchNormAcrossThreads) {
  const auto a = weights_after_steps("vgg-small", 2, 2);
  const auto b = weights_after_steps("vgg-small", 1, 2);
  EXPECT_TRUE(a == b);
}

TEST(TrainDeterminism, TrainerRunsAreIdentical) {
  TrainData data{synthetic(640, 1), synthetic(100, 2)};
  TrainOptions o;
  o.epochs = 2;
  o.seed = 7;
  ProgressSink quiet;
  const ModelFile a = train(initial_model(o), data, o, quiet);
  const ModelFile b = train(initial_model(o), data, o, quiet);
  o.threads = 1;
  const ModelFile c = train(initial_model(o), data, o, quiet);
  for (size_t i = 0; i < a.graph.nodes.size(); ++i) {
    EXPECT_TRUE(a.graph.nodes[i].weight == b.graph.nodes[i].weight) << a.graph.nodes[i].name;
    EXPECT_TRUE(a.graph.nodes[i].weight == c.graph.nodes[i].weight) << a.graph.nodes[i].name;
  }
  o.seed = 8;
  const ModelFile d = train(initial_model(o), data, o, quiet);
  EXPECT_FALSE(a.graph.nodes[1].weight == d.graph.nodes[1].weight);
}
