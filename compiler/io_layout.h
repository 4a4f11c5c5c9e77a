// The layout contract between a compiled image and its host: the input is
// written HWC (the order feature maps have on the accelerator), the output
// is read back HWC. These helpers convert from and to the CHW order of the
// integer reference and the float model.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/image.h"
#include "nn/quant.h"

namespace cimvp {

// The input tensor's bytes for the image, from the network's CHW integers.
std::vector<uint8_t> input_bytes(const QuantizedNetwork& net, const std::vector<int8_t>& chw);

// The output tensor's integers in CHW order, from the bytes a run returned.
std::vector<int32_t> output_values(const FirmwareImage& image, const std::vector<uint8_t>& bytes);

}  // namespace cimvp
