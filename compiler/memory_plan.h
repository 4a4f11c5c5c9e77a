// Where feature maps live. Every activation tensor has a region in global
// memory in HWC order with a zero border as wide as the largest padding any
// reader needs, so readers load whole padded rows and never special-case
// borders. Borders stay zero because memory is zeroed for every run and
// writers store only rows of the interior (with zero border columns). A
// tensor with a zero point that a convolution pads has a border of its zero
// point instead, a signed tensor that a max pool pads one of -128 (pad_byte):
// the image initializes its region with it, and writers fill border columns
// with it.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/quant.h"

namespace cimvp {

struct TensorPlace {
  uint64_t address = 0;  // global memory
  Shape shape;           // CHW shape of the tensor
  int pad = 0;           // zero border on every side
  int elem_bytes = 1;    // 1, or 4 for an int32 tensor
  uint8_t pad_byte = 0;  // what the border holds: the tensor's zero point when a convolution pads it
  // The border pattern for Vfill32 (four pad bytes).
  int32_t pad_word() const { return int32_t(uint32_t(pad_byte) * 0x01010101u); }
  int64_t padded_w() const { return shape.w + 2 * pad; }
  int64_t padded_h() const { return shape.h + 2 * pad; }
  int64_t row_bytes() const { return padded_w() * shape.c * elem_bytes; }
  int64_t pixel_bytes() const { return int64_t(shape.c) * elem_bytes; }
  int64_t bytes() const { return padded_h() * row_bytes(); }
  // Byte offset of padded pixel (h, w), both counted from the padded origin.
  int64_t offset(int64_t h, int64_t w) const { return h * row_bytes() + w * pixel_bytes(); }
};

struct MemoryPlan {
  std::vector<TensorPlace> tensors;  // by tensor index of the QuantizedNetwork
  uint64_t input_staging = 0;        // where the host writes the input (HWC, no border)
  bool staged_input = false;         // the input needs copying into its padded region
  uint64_t bytes = 0;                // global memory used
};

// The border a windowed op (Conv2d, MaxPool, AvgPool) needs around its
// input: its padding, or more where a ceil-mode pool's last window hangs
// over the bottom or right edge.
int window_border(const QOp& op, const Shape& in, const Shape& out);

// Throws cimvp::Error if the tensors do not fit `memory_bytes`.
MemoryPlan plan_memory(const QuantizedNetwork& net, uint64_t memory_bytes);

// A bump allocator for a core's local buffer (4-byte aligned regions).
class BufferArena {
 public:
  BufferArena(int64_t base, int64_t capacity) : base_(base), top_(base), capacity_(capacity) {}
  int64_t take(int64_t bytes) {
    const int64_t at = top_;
    top_ += (bytes + 3) / 4 * 4;
    return at;
  }
  bool fits() const { return top_ <= capacity_; }
  int64_t free_bytes() const { return capacity_ - top_; }
  void reset() { top_ = base_; }

 private:
  int64_t base_, top_, capacity_;
};

}  // namespace cimvp
