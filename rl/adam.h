// Adam (Kingma & Ba) over every weight and bias of one Mlp, with PyTorch's
// defaults (beta1 0.9, beta2 0.999, eps 1e-8) and bias correction, as the
// HAQ agent uses through torch.optim.Adam.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "rl/binary_io.h"
#include "rl/mlp.h"

namespace cimvp::rl {

class Adam {
 public:
  Adam() = default;
  Adam(const Mlp& net, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  // One step from the gradients accumulated in `net` (the network the
  // optimizer was made for); does not clear them.
  void step(Mlp& net);
  uint64_t steps() const { return t_; }

  void save(BinaryWriter& w) const;
  void load(BinaryReader& r);

 private:
  double lr_ = 0, beta1_ = 0.9, beta2_ = 0.999, eps_ = 1e-8;
  uint64_t t_ = 0;
  // First and second moments, per layer: weight then bias.
  std::vector<Eigen::MatrixXd> m_w_, v_w_;
  std::vector<Eigen::VectorXd> m_b_, v_b_;
};

}  // namespace cimvp::rl
