#include "sweep/pareto.h"

#include <algorithm>
#include <numeric>

namespace cimvp {

std::vector<size_t> pareto_front(const std::vector<double>& x, const std::vector<double>& y, bool maximize_y) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), size_t(0));
  auto better_y = [&](double a, double b) { return maximize_y ? a > b : a < b; };
  // By x ascending, then the better y first: walk and keep each point that
  // improves on the best y so far.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return x[a] != x[b] ? x[a] < x[b] : better_y(y[a], y[b]);
  });
  std::vector<size_t> front;
  for (size_t i : order)
    if (front.empty() || better_y(y[i], y[front.back()])) front.push_back(i);
  return front;
}

}  // namespace cimvp
