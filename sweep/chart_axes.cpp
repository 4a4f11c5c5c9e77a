#include "sweep/chart_axes.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace cimvp {

namespace {

bool all_integers(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x) && x == std::round(x); });
}

bool powers_of_two(const std::set<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x >= 1 && std::exp2(std::round(std::log2(x))) == x; });
}

}  // namespace

Unit si_unit(const std::vector<double>& values, const std::string& base_unit) {
  if (base_unit.empty()) return {"", 1};
  double largest = 0;
  for (double v : values)
    if (std::isfinite(v)) largest = std::max(largest, std::abs(v));
  if (largest == 0) return {base_unit, 1};
  static const char* const prefixes[] = {"p", "n", "µ", "m", "", "k", "M", "G"};
  int k = int(std::floor(std::log10(largest) / 3));  // 10^(3k) <= largest
  k = std::clamp(k, -4, 3);
  return {std::string(prefixes[k + 4]) + base_unit, std::pow(10.0, -3.0 * k)};
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  const int first = int(std::floor(std::log10(lo))), last = int(std::ceil(std::log10(hi)));
  const bool dense = last - first <= 4;
  for (int e = first; e <= last; ++e)
    for (double m : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
      const double t = m * std::pow(10.0, e);
      ticks.push_back(t);
    }
  // Keep one tick at or below lo and one at or above hi, so every point sits
  // between labelled ticks.
  std::vector<double> kept;
  for (size_t i = 0; i < ticks.size(); ++i) {
    const bool below_needed = i + 1 < ticks.size() && ticks[i + 1] <= lo;
    const bool above_needed = i > 0 && ticks[i - 1] >= hi;
    if (!below_needed && !above_needed) kept.push_back(ticks[i]);
  }
  return kept;
}

nlohmann::json position(const std::string& field, const std::string& title, const std::vector<double>& values,
                        bool may_log) {
  nlohmann::json p = {{"field", field}, {"type", "quantitative"}, {"title", title}};
  const std::set<double> distinct(values.begin(), values.end());
  if (distinct.empty()) return p;
  const double lo = *distinct.begin(), hi = *distinct.rbegin();
  if (all_integers(values) && distinct.size() <= 12) {
    // A swept integer parameter (or a small count): ticks at its values only.
    p["axis"] = {{"values", std::vector<double>(distinct.begin(), distinct.end())}, {"format", "d"}};
    if (lo >= 1 && hi / lo >= 8 && powers_of_two(distinct))
      p["scale"] = {{"type", "log"}, {"base", 2}};
    else
      p["scale"] = {{"zero", false}, {"padding", 12}};
    return p;
  }
  if (may_log && lo > 0 && hi / lo > 30) {
    p["scale"] = {{"type", "log"}, {"domain", {log_ticks(lo, hi).front(), log_ticks(lo, hi).back()}}};
    p["axis"] = {{"values", log_ticks(lo, hi)}, {"format", "~r"}};
    return p;
  }
  p["scale"] = {{"zero", false}, {"nice", true}, {"padding", 12}};  // no point on the frame
  p["axis"] = {{"format", "~r"}};
  if (all_integers(values)) p["axis"]["tickMinStep"] = 1;
  return p;
}

std::string with_unit(const std::string& title, const std::string& unit) {
  return unit.empty() ? title : title + " (" + unit + ")";
}

}  // namespace cimvp
