#include "nn/pad.h"

#include "common/error.h"

namespace cimvp {

const char* pad_mode_name(PadMode m) {
  switch (m) {
    case PadMode::Constant: return "constant";
    case PadMode::Reflect: return "reflect";
    case PadMode::Edge: return "edge";
  }
  return "?";
}

PadMode pad_mode_from_name(const std::string& name) {
  for (PadMode m : {PadMode::Constant, PadMode::Reflect, PadMode::Edge})
    if (name == pad_mode_name(m)) return m;
  throw Error("unknown padding mode '" + name + "' (constant, reflect or edge)");
}

}  // namespace cimvp
