#include "compiler/io_layout.h"

#include <cstring>

#include "common/error.h"

namespace cimvp {

std::vector<uint8_t> input_bytes(const QuantizedNetwork& net, const std::vector<int8_t>& chw) {
  const Shape s = net.input_tensor().shape;
  if (int64_t(chw.size()) != s.size())
    throw Error("the input has " + std::to_string(chw.size()) + " values, the network takes " + s.str());
  std::vector<uint8_t> hwc(chw.size());
  for (int c = 0; c < s.c; ++c)
    for (int h = 0; h < s.h; ++h)
      for (int w = 0; w < s.w; ++w) hwc[(size_t(h) * s.w + w) * s.c + c] = uint8_t(chw[(size_t(c) * s.h + h) * s.w + w]);
  return hwc;
}

std::vector<int32_t> output_values(const FirmwareImage& image, const std::vector<uint8_t>& bytes) {
  const TensorLayout& t = image.outputs.at(0);
  if (bytes.size() != t.bytes()) throw Error("the output has " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(t.bytes()));
  const size_t h = t.shape.size() == 3 ? t.shape[0] : 1, w = t.shape.size() == 3 ? t.shape[1] : 1;
  const size_t c = t.shape.back();
  std::vector<int32_t> chw(t.elements());
  for (size_t y = 0; y < h; ++y)
    for (size_t x = 0; x < w; ++x)
      for (size_t k = 0; k < c; ++k) {
        const size_t i = (y * w + x) * c + k;
        int32_t v;
        switch (t.dtype) {
          case DType::I32: std::memcpy(&v, &bytes[4 * i], 4); break;
          case DType::I8: v = int8_t(bytes[i]); break;
          default: v = bytes[i]; break;
        }
        chw[(k * h + y) * w + x] = v;
      }
  return chw;
}

}  // namespace cimvp
