// Axes a reader of a paper expects, for the report's Vega-Lite charts: a
// unit with an SI prefix chosen from the data (latency in us, not 1.2e-05 s),
// log axes with 1-2-5 ticks when the data spans decades, and integer
// parameters with ticks at their values only (no 1.5 bits).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cimvp {

struct Unit {
  std::string symbol;  // e.g. "µs"; "" for a count
  double scale = 1;    // multiply a value in the base unit by this
};

// The prefix (p, n, µ, m, none, k, M, G) that puts the largest magnitude in
// [1, 1000). An empty base unit (a count) is never prefixed.
Unit si_unit(const std::vector<double>& values, const std::string& base_unit);

// 1, 2, 5 x 10^k from below `lo` to above `hi` (both > 0); only the powers of
// ten when that would be more than about 12 ticks.
std::vector<double> log_ticks(double lo, double hi);

// The position channel of a chart (x or y) for `field`, whose values are
// `values`: title, scale and axis. `may_log`: a log scale when the positive
// values span more than a factor of 30.
nlohmann::json position(const std::string& field, const std::string& title, const std::vector<double>& values,
                        bool may_log);

// "title (unit)", or the title alone without a unit.
std::string with_unit(const std::string& title, const std::string& unit);

}  // namespace cimvp
