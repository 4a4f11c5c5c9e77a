#include "python/arrays.h"

#include <cmath>
#include <cstring>

namespace cimvp::python {

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// `value` as a C-contiguous float32 array after checking its type, dtype and
// trailing dimensions (`leading` dimensions before C, H, W).
py::array_t<float, py::array::c_style> checked(const py::handle& value, const Shape& shape, int leading,
                                               const std::string& what) {
  const std::string expected = std::string(leading ? "(N, " : "(") + std::to_string(shape.c) + ", " +
                               std::to_string(shape.h) + ", " + std::to_string(shape.w) + ")";
  if (!py::isinstance<py::array>(value))
    throw InputError(what + ": expected a numpy array of shape " + expected + ", got " +
                     std::string(py::str(value.get_type().attr("__name__"))));
  const py::array a = py::reinterpret_borrow<py::array>(value);
  if (a.dtype().kind() != 'f')
    throw InputError(what + ": dtype " + std::string(py::str(a.dtype())) +
                     "; expected float32 or float64 (images as the model was trained on them, e.g. pixels / 255)");
  const py::ssize_t dims[] = {shape.c, shape.h, shape.w};
  bool fits = a.ndim() == 3 + leading;
  for (int i = 0; fits && i < 3; ++i) fits = a.shape(leading + i) == dims[i];
  if (!fits) throw InputError(what + ": shape " + shape_text(a) + "; expected " + expected);
  auto floats = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
  // A NaN or infinity has no integer input; quantizing it would be undefined.
  const float* data = floats.data();
  for (py::ssize_t i = 0; i < floats.size(); ++i)
    if (!std::isfinite(data[i]))
      throw InputError(what + ": element " + std::to_string(i) + " is " + std::to_string(data[i]) +
                       "; inputs must be finite");
  return floats;
}

}  // namespace

std::vector<std::vector<float>> images_of(const py::handle& batch, const Shape& shape, const std::string& what) {
  const auto a = checked(batch, shape, 1, what);
  const size_t size = size_t(shape.size());
  std::vector<std::vector<float>> images(size_t(a.shape(0)));
  for (size_t i = 0; i < images.size(); ++i) images[i].assign(a.data() + i * size, a.data() + (i + 1) * size);
  return images;
}

std::vector<float> image_of(const py::handle& image, const Shape& shape, const std::string& what) {
  const auto a = checked(image, shape, 0, what);
  return {a.data(), a.data() + shape.size()};
}

py::array_t<int32_t> int32_rows(const std::vector<std::vector<int32_t>>& rows, size_t length) {
  py::array_t<int32_t> out({py::ssize_t(rows.size()), py::ssize_t(length)});
  for (size_t i = 0; i < rows.size(); ++i) std::memcpy(out.mutable_data(py::ssize_t(i)), rows[i].data(), length * sizeof(int32_t));
  return out;
}

}  // namespace cimvp::python
