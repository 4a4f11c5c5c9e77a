#include "models/dac.h"

#include <string>

#include "common/error.h"

namespace cimvp {

Dac::Dac(int dac_bits) : bits_(dac_bits) {
  if (dac_bits < 1 || dac_bits > 16)
    throw Error("DAC: resolution of " + std::to_string(dac_bits) + " bits is outside 1..16");
  mask_ = (uint32_t(1) << dac_bits) - 1;
}

}  // namespace cimvp
