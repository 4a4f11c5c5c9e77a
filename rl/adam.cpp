#include "rl/adam.h"

#include <cmath>

#include "common/error.h"

namespace cimvp::rl {

Adam::Adam(const Mlp& net, double lr, double beta1, double beta2, double eps)
    : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (const DenseLayer& l : net.layers()) {
    m_w_.push_back(Eigen::MatrixXd::Zero(l.weight.rows(), l.weight.cols()));
    v_w_.push_back(m_w_.back());
    m_b_.push_back(Eigen::VectorXd::Zero(l.bias.size()));
    v_b_.push_back(m_b_.back());
  }
}

namespace {
template <class P>
void update(P& param, const P& grad, P& m, P& v, double lr, double b1, double b2, double eps, double c1, double c2) {
  m = b1 * m + (1 - b1) * grad;
  v = b2 * v + (1 - b2) * grad.cwiseProduct(grad);
  // PyTorch's form: p -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps).
  param.array() -= (lr / c1) * m.array() / (v.array().sqrt() / std::sqrt(c2) + eps);
}
}  // namespace

void Adam::step(Mlp& net) {
  auto& layers = net.layers();
  if (layers.size() != m_w_.size()) throw Error("Adam: optimizer and network differ in depth");
  ++t_;
  const double c1 = 1 - std::pow(beta1_, double(t_)), c2 = 1 - std::pow(beta2_, double(t_));
  for (size_t k = 0; k < layers.size(); ++k) {
    update(layers[k].weight, layers[k].weight_grad, m_w_[k], v_w_[k], lr_, beta1_, beta2_, eps_, c1, c2);
    update(layers[k].bias, layers[k].bias_grad, m_b_[k], v_b_[k], lr_, beta1_, beta2_, eps_, c1, c2);
  }
}

void Adam::save(BinaryWriter& w) const {
  w.u64(t_);
  w.u64(m_w_.size());
  for (size_t k = 0; k < m_w_.size(); ++k) {
    w.matrix(m_w_[k]);
    w.matrix(v_w_[k]);
    w.vector(m_b_[k]);
    w.vector(v_b_[k]);
  }
}

void Adam::load(BinaryReader& r) {
  t_ = r.u64();
  if (r.u64() != m_w_.size()) r.fail("optimizer depth differs from the settings");
  for (size_t k = 0; k < m_w_.size(); ++k) {
    Eigen::MatrixXd mw = r.matrix(), vw = r.matrix();
    Eigen::VectorXd mb = r.vector(), vb = r.vector();
    if (mw.rows() != m_w_[k].rows() || mw.cols() != m_w_[k].cols() || vw.rows() != mw.rows() ||
        vw.cols() != mw.cols() || mb.size() != m_b_[k].size() || vb.size() != mb.size())
      r.fail("optimizer moment shape differs from the settings");
    m_w_[k] = std::move(mw), v_w_[k] = std::move(vw), m_b_[k] = std::move(mb), v_b_[k] = std::move(vb);
  }
}

}  // namespace cimvp::rl
