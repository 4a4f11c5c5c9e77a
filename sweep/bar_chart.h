// Horizontal bar charts for the report pages (per layer, per core, per
// component): one bar per category in a given order, optionally split by a
// `part` (stacked: busy and waiting; grouped: a policy against W8A8), on a
// log axis when the values span decades.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cimvp {

enum class Bars { Single, Stacked, Grouped };

// `values`: {"category", "value"[, "part"]}. `may_log`: a log axis when the
// positive values span more than a factor of 30; its bars start at the
// lowest tick (a log axis has no zero), so the smallest stays visible.
nlohmann::json bar_chart(const std::string& title, const std::string& category_title, const nlohmann::json& order,
                         const std::string& value_title, const nlohmann::json& values, Bars bars, bool may_log);

}  // namespace cimvp
