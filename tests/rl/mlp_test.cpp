// The MLP's backward pass against central finite differences, Adam against
// a problem with a known solution, and the target-network soft update.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "rl/adam.h"
#include "rl/mlp.h"

using namespace cimvp::rl;

namespace {

// Loss = sum(c .* f(x)) for fixed c: dLoss/dOutput = c.
double loss(const Mlp& net, const Eigen::MatrixXd& x, const Eigen::MatrixXd& c) {
  return net.predict(x).cwiseProduct(c).sum();
}

void check_gradients(Activation out) {
  Rng rng(7);
  Mlp net({5, 7, 6, 3}, out, rng, 0.5);  // a large final init so the output layer's gradient is not tiny
  Eigen::MatrixXd x(5, 4), c(3, 4);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  for (Eigen::Index i = 0; i < c.size(); ++i) c.data()[i] = rng.uniform(-1, 1);

  net.zero_grad();
  net.forward(x);
  const Eigen::MatrixXd dx = net.backward(c);
  const double h = 1e-6;
  double worst = 0;
  auto compare = [&](double analytic, double& param) {
    const double keep = param;
    param = keep + h;
    const double up = loss(net, x, c);
    param = keep - h;
    const double down = loss(net, x, c);
    param = keep;
    const double numeric = (up - down) / (2 * h);
    worst = std::max(worst, std::abs(numeric - analytic) / std::max(1.0, std::abs(numeric)));
  };
  for (DenseLayer& l : net.layers()) {
    for (Eigen::Index i = 0; i < l.weight.size(); ++i) compare(l.weight_grad.data()[i], l.weight.data()[i]);
    for (Eigen::Index i = 0; i < l.bias.size(); ++i) compare(l.bias_grad[i], l.bias[i]);
  }
  for (Eigen::Index i = 0; i < x.size(); ++i) compare(dx.data()[i], x.data()[i]);
  EXPECT_LT(worst, 1e-6);
}

}  // namespace

TEST(Mlp, GradientsMatchFiniteDifferencesSigmoid) { check_gradients(Activation::Sigmoid); }
TEST(Mlp, GradientsMatchFiniteDifferencesIdentity) { check_gradients(Activation::Identity); }
TEST(Mlp, GradientsMatchFiniteDifferencesTanh) { check_gradients(Activation::Tanh); }

TEST(Mlp, BackwardWithoutAccumulateLeavesGradientsAlone) {
  Rng rng(3);
  Mlp net({2, 4, 1}, Activation::Identity, rng);
  Eigen::MatrixXd x = Eigen::MatrixXd::Ones(2, 3);
  net.zero_grad();
  net.forward(x);
  const Eigen::MatrixXd dx = net.backward(Eigen::MatrixXd::Ones(1, 3), false);
  EXPECT_GT(dx.norm(), 0);
  for (const DenseLayer& l : net.layers()) EXPECT_EQ(l.weight_grad.norm() + l.bias_grad.norm(), 0);
}

TEST(Mlp, ForwardOfABatchEqualsForwardOfEachColumn) {
  Rng rng(5);
  Mlp net({3, 8, 2}, Activation::Sigmoid, rng, 0.3);
  Eigen::MatrixXd x(3, 4);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-2, 2);
  const Eigen::MatrixXd y = net.predict(x);
  for (int j = 0; j < 4; ++j) EXPECT_NEAR((net.predict(x.col(j)) - y.col(j)).norm(), 0, 1e-12);
  EXPECT_TRUE((y.array() > 0).all() && (y.array() < 1).all());
}

TEST(Adam, FitsALinearFunction) {
  // y = 2 x0 - 3 x1 + 0.5 with a linear network: Adam must recover it.
  Rng rng(11);
  Mlp net({2, 1}, Activation::Identity, rng);
  Adam adam(net, 0.05);
  Eigen::MatrixXd x(2, 32);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
  const Eigen::MatrixXd y = ((2 * x.row(0) - 3 * x.row(1)).array() + 0.5).matrix();
  for (int it = 0; it < 2000; ++it) {
    net.zero_grad();
    const Eigen::MatrixXd p = net.forward(x);
    net.backward(2.0 * (p - y) / 32.0);
    adam.step(net);
  }
  EXPECT_NEAR(net.layers()[0].weight(0, 0), 2.0, 1e-3);
  EXPECT_NEAR(net.layers()[0].weight(0, 1), -3.0, 1e-3);
  EXPECT_NEAR(net.layers()[0].bias[0], 0.5, 1e-3);
  EXPECT_EQ(adam.steps(), 2000u);
}

TEST(Adam, FirstStepMovesEveryParameterByTheLearningRate) {
  // With bias correction the first Adam step is lr * sign(grad) (up to eps).
  Rng rng(2);
  Mlp net({3, 2}, Activation::Identity, rng);
  const Mlp before = net;
  Adam adam(net, 0.01);
  net.zero_grad();
  net.forward(Eigen::MatrixXd::Ones(3, 1));
  net.backward(Eigen::MatrixXd::Constant(2, 1, 0.3));
  adam.step(net);
  const Eigen::MatrixXd diff = net.layers()[0].weight - before.layers()[0].weight;
  for (Eigen::Index i = 0; i < diff.size(); ++i) EXPECT_NEAR(diff.data()[i], -0.01, 1e-6);
}

TEST(Mlp, SoftUpdateMovesTauOfTheWay) {
  Rng rng(4);
  Mlp a({2, 3, 1}, Activation::Identity, rng), b({2, 3, 1}, Activation::Identity, rng);
  Mlp t = a;
  t.soft_update(b, 0.25);
  for (size_t k = 0; k < 2; ++k)
    EXPECT_NEAR((t.layers()[k].weight - (0.25 * b.layers()[k].weight + 0.75 * a.layers()[k].weight)).norm(), 0, 1e-15);
}

TEST(Mlp, SaveLoadRoundTripIsExact) {
  Rng rng(9);
  Mlp a({4, 5, 2}, Activation::Sigmoid, rng), b({4, 5, 2}, Activation::Sigmoid, rng);
  BinaryWriter w;
  a.save(w);
  BinaryReader r(w.bytes(), "test");
  b.load(r);
  EXPECT_TRUE(r.at_end());
  for (size_t k = 0; k < 2; ++k) EXPECT_EQ(a.layers()[k].weight, b.layers()[k].weight);
  Mlp wrong({4, 6, 2}, Activation::Sigmoid, rng);
  BinaryReader r2(w.bytes(), "test");
  EXPECT_THROW(wrong.load(r2), cimvp::Error);
}
