#include "rl/quantization_env.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace cimvp::rl {

std::array<double, 8> layer_features(const Graph& g, int node) {
  const Node& n = g.nodes.at(size_t(node));
  if (!n.quantizable()) throw Error("node '" + n.name + "' is not a quantizable layer");
  const Shape in = g.nodes.at(size_t(n.inputs.at(0))).shape;
  const bool conv = n.kind == OpKind::Conv2d;
  const double k = conv ? std::sqrt(double(n.kernel) * n.kw()) : 1;  // a non-square kernel: the same area
  std::array<double, 8> f{};
  f[0] = conv ? 1 : 0;
  f[1] = n.in_channels;
  f[2] = n.out_channels;
  f[3] = conv ? n.stride : 0;
  f[4] = k;
  f[5] = double(n.out_channels) * n.in_channels * k * k;
  f[6] = conv ? double(in.h) * in.w : 1;
  f[7] = 0;  // the index: set by the caller, who knows the order
  return f;
}

int action_to_bits(double action, int min_bits, int max_bits) {
  const double x = (min_bits - 0.5) + std::clamp(action, 0.0, 1.0) * (max_bits - min_bits + 1);
  return std::clamp(int(std::nearbyint(x)), min_bits, max_bits);  // nearbyint: half to even
}

QuantizationEnvironment::QuantizationEnvironment(const Graph& g, const EnvironmentOptions& options)
    : options_(options), model_(g.name) {
  if (options.min_bits < kMinBits || options.max_bits > kMaxBits || options.min_bits > options.max_bits)
    throw Error("bit range " + std::to_string(options.min_bits) + ".." + std::to_string(options.max_bits) +
                " must lie within 1..8 with min <= max");
  if (options.weight_multiple_of < 0) throw Error("weight bits multiple must be >= 0");
  if (options.weight_multiple_of > 0) {
    bool any = false;
    for (int b = options.min_bits; b <= options.max_bits; ++b) any = any || b % options.weight_multiple_of == 0;
    if (!any)
      throw Error("no weight bit width in " + std::to_string(options.min_bits) + ".." +
                  std::to_string(options.max_bits) + " is a multiple of the cell bits (" +
                  std::to_string(options.weight_multiple_of) + ")");
  }
  const std::vector<int> q = g.quantizable_layers();
  if (q.empty()) throw Error("model '" + g.name + "' has no quantizable (conv or dense) layer to search over");
  Eigen::MatrixXd raw(Eigen::Index(q.size()), 8);
  for (size_t i = 0; i < q.size(); ++i) {
    std::array<double, 8> f = layer_features(g, q[i]);
    f[7] = double(i);
    for (int j = 0; j < 8; ++j) raw(Eigen::Index(i), j) = f[size_t(j)];
  }
  static_features_ = raw;
  for (int j = 0; j < 8; ++j) {
    const double lo = raw.col(j).minCoeff(), hi = raw.col(j).maxCoeff();
    if (hi > lo) static_features_.col(j) = (raw.col(j).array() - lo) / (hi - lo);
    else static_features_.col(j).setZero();
  }
  reset();
}

Eigen::VectorXd QuantizationEnvironment::state_for(size_t step, int previous_bits) const {
  if (step >= steps()) throw Error("environment: step " + std::to_string(step) + " is past the episode");
  Eigen::VectorXd s(kStateFeatures);
  s.head(8) = static_features_.row(Eigen::Index(step / 2)).transpose();
  s[8] = double(previous_bits) / options_.max_bits;
  s[9] = double(step % 2);
  return s;
}

int QuantizationEnvironment::bits_for(size_t step, double action) const {
  const size_t layer = step / 2;
  const bool weight = step % 2 == 0;
  if (options_.first_last_w8a8 && (layer == 0 || layer + 1 == layers())) return 8;
  int bits = action_to_bits(action, options_.min_bits, options_.max_bits);
  if (weight && options_.weight_multiple_of > 0) {
    const int m = options_.weight_multiple_of;
    int best = -1;
    for (int b = options_.min_bits; b <= options_.max_bits; ++b)
      if (b % m == 0 && (best < 0 || std::abs(b - bits) <= std::abs(best - bits))) best = b;  // <=: ties go up
    bits = best;
  }
  return bits;
}

namespace {

// The next allowed width below `bits` (multiples of `multiple` when > 0), or
// `bits` itself when there is none.
int next_lower(int bits, int min_bits, int multiple) {
  for (int b = bits - 1; b >= min_bits; --b)
    if (multiple <= 0 || b % multiple == 0) return b;
  return bits;
}

// The next allowed width above `bits`, at most `limit`, or `bits` itself.
int next_higher(int bits, int limit, int multiple) {
  for (int b = bits + 1; b <= limit; ++b)
    if (multiple <= 0 || b % multiple == 0) return b;
  return bits;
}

}  // namespace

Policy QuantizationEnvironment::lowered_until(Policy p, const std::function<bool(const Policy&)>& fits) const {
  const size_t n = layers();
  if (p.weight_bits.size() != n || p.activation_bits.size() != n)
    throw Error("lowered_until: the policy has " + std::to_string(p.weight_bits.size()) + " layers, the model " +
                std::to_string(n));
  while (!fits(p)) {
    bool changed = false;
    for (size_t k = n; k-- > 0;) {
      if (options_.first_last_w8a8 && (k == 0 || k + 1 == n)) continue;
      const int w = next_lower(p.weight_bits[k], options_.min_bits, options_.weight_multiple_of);
      const int a = next_lower(p.activation_bits[k], options_.min_bits, 0);
      if (w == p.weight_bits[k] && a == p.activation_bits[k]) continue;
      p.weight_bits[k] = w, p.activation_bits[k] = a;
      changed = true;
      if (fits(p)) return p;
    }
    if (!changed) return p;
  }
  return p;
}

Policy QuantizationEnvironment::restored_within(Policy p, const Policy& proposal,
                                                const std::function<bool(const Policy&)>& fits) const {
  const size_t n = layers();
  if (p.weight_bits.size() != n || proposal.weight_bits.size() != n)
    throw Error("restored_within: the policies have " + std::to_string(p.weight_bits.size()) + " and " +
                std::to_string(proposal.weight_bits.size()) + " layers, the model " + std::to_string(n));
  for (const bool weights : {true, false})
    for (size_t k = 0; k < n; ++k) {
      int& bits = (weights ? p.weight_bits : p.activation_bits)[k];
      const int limit = (weights ? proposal.weight_bits : proposal.activation_bits)[k];
      const int multiple = weights ? options_.weight_multiple_of : 0;
      for (int up = next_higher(bits, limit, multiple); up != bits; up = next_higher(bits, limit, multiple)) {
        const int was = bits;
        bits = up;
        if (!fits(p)) {
          bits = was;
          break;
        }
      }
    }
  return p;
}

Policy QuantizationEnvironment::lowest_policy() const {
  Policy p = uniform_policy(layers(), 8, 8);
  p.model = model_;
  return lowered_until(p, [](const Policy&) { return false; });
}

Eigen::VectorXd QuantizationEnvironment::reset() {
  step_ = 0;
  previous_bits_ = options_.max_bits;
  policy_ = Policy{};
  policy_.model = model_;
  policy_.weight_bits.assign(layers(), 0);
  policy_.activation_bits.assign(layers(), 0);
  return state();
}

Eigen::VectorXd QuantizationEnvironment::state() const { return state_for(step_, previous_bits_); }

int QuantizationEnvironment::step(double action) {
  if (done()) throw Error("environment: step() after the episode ended; call reset()");
  const int bits = bits_for(step_, action);
  (step_ % 2 == 0 ? policy_.weight_bits : policy_.activation_bits)[step_ / 2] = bits;
  previous_bits_ = bits;
  ++step_;
  return bits;
}

Policy QuantizationEnvironment::policy() const {
  if (!done()) throw Error("environment: the policy is complete only at the end of an episode");
  return policy_;
}

}  // namespace cimvp::rl
