#include "rl/precision_proxy.h"

#include <cmath>
#include <string>

#include "common/error.h"

namespace cimvp::rl {

double effective_bits(const Policy& p) {
  if (p.weight_bits.empty() || p.weight_bits.size() != p.activation_bits.size())
    throw Error("precision proxy: the policy needs one weight and one activation width per layer (got " +
                std::to_string(p.weight_bits.size()) + " and " + std::to_string(p.activation_bits.size()) + ")");
  double noise = 0;
  for (size_t l = 0; l < p.size(); ++l) noise += std::pow(4.0, -p.weight_bits[l]) + std::pow(4.0, -p.activation_bits[l]);
  return -std::log(noise / double(2 * p.size())) / std::log(4.0);
}

double precision_proxy(const Policy& p) { return effective_bits(p) / kBaselineBits; }

}  // namespace cimvp::rl
