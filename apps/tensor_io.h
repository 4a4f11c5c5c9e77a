// Reading and writing the tensors of an image's inputs and outputs: raw
// little-endian bytes (all tensors back to back), or whitespace-separated
// integers when the file name ends in .txt.
#pragma once

#include <string>
#include <vector>

#include "firmware/image.h"

namespace cimvp::cli {

std::vector<std::vector<uint8_t>> read_tensors(const std::string& path, const std::vector<TensorLayout>& layouts);
void write_tensors(const std::string& path, const std::vector<TensorLayout>& layouts,
                   const std::vector<std::vector<uint8_t>>& tensors);
// The integer value of element i of a tensor.
int64_t element(const TensorLayout& layout, const std::vector<uint8_t>& bytes, size_t i);

}  // namespace cimvp::cli
