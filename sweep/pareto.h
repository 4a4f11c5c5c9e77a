// The Pareto front of points that trade two objectives: the points no other
// point beats in both (lower x is better; higher y is better when
// `maximize_y`, else lower).
#pragma once

#include <cstddef>
#include <vector>

namespace cimvp {

// Indices of the front, sorted by x.
std::vector<size_t> pareto_front(const std::vector<double>& x, const std::vector<double>& y, bool maximize_y);

}  // namespace cimvp
