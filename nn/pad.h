// A standalone padding (OpKind::Pad, ONNX Pad and PyTorch's ConstantPad2d,
// ZeroPad2d, ReflectionPad2d and ReplicationPad2d): a border of its own
// width on each side of height and width, holding a constant, a reflection
// of the input (the edge not repeated) or copies of the edge. Zeros on equal
// sides need no node: the reader's padding is the same border (the ONNX
// importer folds them). Every layer of the stack maps an output position to
// the input position it copies with pad_source, so the float forward, the
// trainer, the integer reference and the code agree by construction.
#pragma once

#include <string>

namespace cimvp {

enum class PadMode { Constant, Reflect, Edge };

const char* pad_mode_name(PadMode m);         // "constant", "reflect", "edge" (ONNX's names)
PadMode pad_mode_from_name(const std::string& name);  // throws cimvp::Error naming the valid ones

struct PadSpec {
  int top = 0, left = 0, bottom = 0, right = 0;
  PadMode mode = PadMode::Constant;
  float value = 0;  // Constant: the border's value
  bool operator==(const PadSpec& o) const {
    return top == o.top && left == o.left && bottom == o.bottom && right == o.right && mode == o.mode &&
           value == o.value;
  }
};

// The input index (0 .. size-1) that output index `out` of one axis copies,
// with `before` positions of border in front of the input; -1 for the
// constant. Reflect needs before and after < size, Edge size >= 1.
inline int pad_source(int out, int before, int size, PadMode mode) {
  int i = out - before;
  if (i >= 0 && i < size) return i;
  if (mode == PadMode::Constant) return -1;
  if (mode == PadMode::Edge) return i < 0 ? 0 : size - 1;
  return i < 0 ? -i : 2 * (size - 1) - i;  // Reflect
}

// Calls f(output index, input index or -1) for every output position of a
// C x H x W input padded by `p` (CHW order, output of (H + top + bottom) x
// (W + left + right)).
template <typename F>
void for_pad_positions(int c, int h, int w, const PadSpec& p, F f) {
  const int ho = h + p.top + p.bottom, wo = w + p.left + p.right;
  long long o = 0;
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < ho; ++y) {
      const int sy = pad_source(y, p.top, h, p.mode);
      for (int x = 0; x < wo; ++x, ++o) {
        const int sx = pad_source(x, p.left, w, p.mode);
        f(o, sy < 0 || sx < 0 ? -1 : (static_cast<long long>(ch) * h + sy) * w + sx);
      }
    }
}

}  // namespace cimvp
