// compile(): checks that every layer maps onto crossbars, then runs the
// code generator (compiler/code_generator.h).
#include "compiler/compile.h"

#include "common/error.h"
#include "compiler/code_generator.h"

namespace cimvp {
namespace {

// Conv2d/Dense layers whose weights no crossbar block can hold (weight bits
// outside 1..kMaxWeightBits, or a weight outside its bits' range), one
// message per layer. Networks built by quantize() and ONNX imports always
// map; this guards hand-built networks before any code is generated.
std::vector<std::string> crossbar_mapping_problems(const QuantizedNetwork& q) {
  std::vector<std::string> out;
  for (const QOp& op : q.ops) {
    if (op.kind != QOpKind::Conv2d && op.kind != QOpKind::Dense) continue;
    const std::string what = "layer '" + op.name + "' (" + qop_name(op.kind) + ")";
    if (op.weight_bits < 1 || op.weight_bits > kMaxWeightBits) {
      out.push_back(what + ": " + std::to_string(op.weight_bits) + "-bit weights, the crossbars hold 1.." +
                    std::to_string(kMaxWeightBits));
      continue;
    }
    const int32_t lo = qmin(op.weight_bits, true), hi = qmax(op.weight_bits, true);
    for (size_t j = 0; j < op.weight.size(); ++j)
      if (op.weight[j] < lo || op.weight[j] > hi) {
        out.push_back(what + ": weight " + std::to_string(j) + " = " + std::to_string(op.weight[j]) +
                      " is outside the " + std::to_string(op.weight_bits) + "-bit range " + std::to_string(lo) +
                      ".." + std::to_string(hi));
        break;
      }
  }
  return out;
}

}  // namespace

const char* placement_name(Placement p) {
  switch (p) {
    case Placement::Auto: return "auto";
    case Placement::Resident: return "resident";
    case Placement::PerLayer: return "per-layer";
    case Placement::Mixed: return "mixed";
  }
  return "?";
}

Placement parse_placement(const std::string& name) {
  for (Placement p : {Placement::Auto, Placement::Resident, Placement::PerLayer, Placement::Mixed})
    if (name == placement_name(p)) return p;
  throw Error("unknown placement '" + name + "' (valid: auto, resident, per-layer, mixed)");
}

CompileResult compile(const QuantizedNetwork& net, const ArchConfig& arch, const CompileOptions& options) {
  const std::vector<std::string> problems = crossbar_mapping_problems(net);
  if (!problems.empty()) {
    std::string message = "model '" + net.name + "' cannot be mapped onto crossbars:";
    for (const std::string& p : problems) message += "\n  " + p;
    throw Error(message);
  }
  return codegen::CodeGenerator(net, arch, options).run();
}

}  // namespace cimvp
