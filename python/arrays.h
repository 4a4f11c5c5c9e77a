// numpy arrays in and out of runs: a batch of float images checked against
// the network's input shape (InputError naming the array's shape or dtype
// and the one expected), and integer outputs as an int32 array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pybind11/numpy.h>

#include "nn/graph.h"
#include "python/bindings.h"

namespace cimvp::python {

// The images of `batch`, shape (N, C, H, W) of `shape`, dtype float32 or
// float64, as CHW float vectors. `what` names the argument in errors.
std::vector<std::vector<float>> images_of(const py::handle& batch, const Shape& shape, const std::string& what);

// One image, shape (C, H, W) of `shape`.
std::vector<float> image_of(const py::handle& image, const Shape& shape, const std::string& what);

// Rows of equal length as an int32 array (rows, length).
py::array_t<int32_t> int32_rows(const std::vector<std::vector<int32_t>>& rows, size_t length);

}  // namespace cimvp::python
