// The graph: shape inference and its errors, quantizable layer order, the
// float forward against hand-computed values, BatchNorm folding.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "common/error.h"
#include "nn/graph.h"
#include "nn/zoo.h"

using namespace cimvp;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void randomize(Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f), pos(0.5f, 2.f);
  for (Node& n : g.nodes) {
    if (n.kind == OpKind::BatchNorm) {
      for (float& v : n.weight) v = pos(rng);
      for (float& v : n.bias) v = u(rng);
      for (float& v : n.mean) v = u(rng);
      for (float& v : n.var) v = pos(rng);
    } else {
      for (float& v : n.weight) v = u(rng) * 0.3f;
      for (float& v : n.bias) v = u(rng);
    }
  }
}

}  // namespace

TEST(Graph, ShapesOfAllOps) {
  Graph g;
  g.name = "t";
  const int in = g.add_input("in", {3, 11, 9});
  const int c = g.add_conv("c", in, 5, 3, 2, 1);  // (11+2-3)/2+1 = 6, (9+2-3)/2+1 = 5
  EXPECT_EQ(g.nodes[size_t(c)].shape, (Shape{5, 6, 5}));
  EXPECT_EQ(g.nodes[size_t(c)].in_channels, 3);
  EXPECT_EQ(g.nodes[size_t(c)].weight.size(), 5u * 3 * 3 * 3);
  const int mp = g.add_maxpool("mp", c, 3, 2, 1);  // (6+2-3)/2+1 = 3, (5+2-3)/2+1 = 3
  EXPECT_EQ(g.nodes[size_t(mp)].shape, (Shape{5, 3, 3}));
  const int ap = g.add_avgpool("ap", c, 2, 2);  // 3, 2
  EXPECT_EQ(g.nodes[size_t(ap)].shape, (Shape{5, 3, 2}));
  const int gp = g.add_global_avgpool("gp", ap);
  EXPECT_EQ(g.nodes[size_t(gp)].shape, (Shape{5, 1, 1}));
  const int f = g.add_flatten("f", mp);
  EXPECT_EQ(g.nodes[size_t(f)].shape, (Shape{45, 1, 1}));
  const int d = g.add_dense("d", f, 7);
  EXPECT_EQ(g.nodes[size_t(d)].in_channels, 45);
  EXPECT_EQ(g.nodes[size_t(d)].weight.size(), 7u * 45);
  const int d2 = g.add_dense("d2", mp, 4);  // a dense flattens implicitly
  EXPECT_EQ(g.nodes[size_t(d2)].in_channels, 45);
  EXPECT_EQ(g.quantizable_layers(), (std::vector<int>{c, d, d2}));
  const auto cons = g.consumers();
  EXPECT_EQ(cons[size_t(c)], (std::vector<int>{mp, ap}));
}

TEST(Graph, ErrorsNameTheNode) {
  Graph g;
  g.name = "t";
  const int in = g.add_input("in", {1, 4, 4});
  std::string e = error_of([&] { g.add_conv("big", in, 2, 7); });
  EXPECT_NE(e.find("'big'"), std::string::npos) << e;
  EXPECT_NE(e.find("does not fit"), std::string::npos) << e;
  EXPECT_EQ(g.nodes.size(), 1u);  // a failed append leaves the graph unchanged
  e = error_of([&] { g.add_conv("zero", in, 0, 3); });
  EXPECT_NE(e.find("'zero' (conv2d): out_channels"), std::string::npos) << e;
  e = error_of([&] { g.add_maxpool("mp", in, 2, 0); });
  EXPECT_NE(e.find("'mp' (maxpool): stride"), std::string::npos) << e;
  const int a = g.add_conv("a", in, 2, 3);
  const int b = g.add_conv("b", in, 2, 1);
  e = error_of([&] { g.add_add("sum", a, b); });
  EXPECT_NE(e.find("'sum' (add): input shapes differ: 'a' is 2x2x2, 'b' is 2x4x4"), std::string::npos) << e;
  e = error_of([&] { g.add_relu("a", in); });
  EXPECT_NE(e.find("duplicate node name"), std::string::npos) << e;
  e = error_of([&] { g.add_relu("r", 17); });
  EXPECT_NE(e.find("'r' (relu): input index 17"), std::string::npos) << e;
  e = error_of([&] { g.add_input("in2", {1, 2, 2}); });
  EXPECT_NE(e.find("only the first node may be an input"), std::string::npos) << e;
  g.nodes[size_t(a)].weight.pop_back();
  e = error_of([&] { g.infer_shapes(); });
  EXPECT_NE(e.find("'a' (conv2d): weight [out][in][kh][kw] has 17 values, expected 18"), std::string::npos) << e;
  EXPECT_THROW(op_from_name("attention"), Error);
  EXPECT_EQ(op_from_name("global_avgpool"), OpKind::GlobalAvgPool);
}

TEST(Graph, ForwardMatchesHandComputation) {
  Graph g;
  const int in = g.add_input("in", {1, 3, 3});
  const int c = g.add_conv("c", in, 1, 2, 1, 1);  // 4x4 output
  Node& cn = g.nodes[size_t(c)];
  cn.weight = {1, 2, 3, 4};  // [[1,2],[3,4]]
  cn.bias = {0.5f};
  const int r = g.add_relu("r", c);
  const int mp = g.add_maxpool("mp", r, 2, 2);
  g.add_dense("d", mp, 1);
  g.nodes.back().weight = {1, -1, 2, 0.5f};
  g.nodes.back().bias = {-1};
  const std::vector<float> x = {1, -2, 3, 0, 1, -1, 2, 2, 1};
  const auto all = forward_all(g, x);
  // out[oy][ox] = sum w[ky][kx] * x[oy-1+ky][ox-1+kx] + 0.5
  auto X = [&](int y, int xx) { return (y < 0 || y > 2 || xx < 0 || xx > 2) ? 0.f : x[size_t(y * 3 + xx)]; };
  for (int oy = 0; oy < 4; ++oy)
    for (int ox = 0; ox < 4; ++ox) {
      const float want = 1 * X(oy - 1, ox - 1) + 2 * X(oy - 1, ox) + 3 * X(oy, ox - 1) + 4 * X(oy, ox) + 0.5f;
      EXPECT_FLOAT_EQ(all[size_t(c)][size_t(oy * 4 + ox)], want);
      EXPECT_FLOAT_EQ(all[size_t(r)][size_t(oy * 4 + ox)], std::max(want, 0.f));
    }
  const auto& m = all[size_t(mp)];
  const auto& rv = all[size_t(r)];
  EXPECT_FLOAT_EQ(m[0], std::max({rv[0], rv[1], rv[4], rv[5]}));
  EXPECT_FLOAT_EQ(m[3], std::max({rv[10], rv[11], rv[14], rv[15]}));
  EXPECT_FLOAT_EQ(all.back()[0], m[0] - m[1] + 2 * m[2] + 0.5f * m[3] - 1);
  EXPECT_THROW(forward(g, {1, 2}), Error);
}

TEST(Graph, PoolsAndAdd) {
  Graph g;
  const int in = g.add_input("in", {1, 2, 2});
  const int ap = g.add_avgpool("ap", in, 2, 1, 1);  // 3x3, zero padding counted
  const int mp = g.add_maxpool("mp", in, 2, 1, 1);  // 3x3, padding never wins
  const int s = g.add_add("s", ap, mp);
  g.add_global_avgpool("gp", s);
  const auto all = forward_all(g, {-1, -2, -3, -4});
  EXPECT_FLOAT_EQ(all[size_t(ap)][0], -1.f / 4);
  EXPECT_FLOAT_EQ(all[size_t(ap)][4], -10.f / 4);
  EXPECT_FLOAT_EQ(all[size_t(mp)][0], -1.f);
  EXPECT_FLOAT_EQ(all[size_t(mp)][4], -1.f);
  EXPECT_FLOAT_EQ(all[size_t(mp)][8], -4.f);
  float sum = 0;
  for (float v : all[size_t(s)]) sum += v;
  EXPECT_FLOAT_EQ(all.back()[0], sum / 9);
}

TEST(Graph, BatchNormFoldingPreservesTheOutput) {
  for (const char* name : {"vgg-small", "resnet-small"}) {
    Graph g = make_model(name, 3);
    randomize(g, 5);
    ASSERT_TRUE(has_batch_norm(g));
    const Graph f = fold_batch_norm(g);
    EXPECT_FALSE(has_batch_norm(f));
    EXPECT_EQ(f.quantizable_layers().size(), g.quantizable_layers().size());
    for (int i : f.quantizable_layers()) EXPECT_GE(g.find(f.nodes[size_t(i)].name), 0);
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> x(784);
    for (float& v : x) v = u(rng);
    const auto a = forward(g, x), b = forward(f, x);
    ASSERT_EQ(a.size(), b.size());
    double scale = 0;
    for (float v : a) scale = std::max(scale, double(std::fabs(v)));
    ASSERT_GT(scale, 0);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4 * scale) << name << " output " << i;
  }
}

TEST(Graph, UnfoldableBatchNormIsAnError) {
  Graph g;
  const int in = g.add_input("in", {2, 3, 3});
  const int c = g.add_conv("c", in, 2, 1);
  const int bn = g.add_batchnorm("bn", c);
  g.add_add("sum", bn, c);  // the conv output is read twice
  std::string e = error_of([&] { fold_batch_norm(g); });
  EXPECT_NE(e.find("'bn' (batchnorm): cannot be folded"), std::string::npos) << e;
  Graph h;
  const int hin = h.add_input("in", {2, 3, 3});
  h.add_batchnorm("bn0", hin);
  e = error_of([&] { fold_batch_norm(h); });
  EXPECT_NE(e.find("'bn0'"), std::string::npos) << e;
}
