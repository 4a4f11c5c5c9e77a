#include "sweep/bar_chart.h"

#include <algorithm>
#include <vector>

#include "sweep/chart_axes.h"

namespace cimvp {

using json = nlohmann::json;

json bar_chart(const std::string& title, const std::string& category_title, const json& order,
               const std::string& value_title, const json& values, Bars bars, bool may_log) {
  std::vector<double> v;
  for (const json& x : values) v.push_back(x["value"].get<double>());
  json x = {{"field", "value"}, {"type", "quantitative"}, {"title", value_title}, {"axis", {{"format", "~r"}}}};
  const double lo = v.empty() ? 0 : *std::min_element(v.begin(), v.end());
  const double hi = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  const bool log = may_log && bars != Bars::Stacked && lo > 0 && hi / lo > 30;
  if (log) {
    const std::vector<double> ticks = log_ticks(lo, hi);
    x["scale"] = {{"type", "log"}, {"domain", {ticks.front(), ticks.back()}}};
    x["axis"]["values"] = ticks;
  }
  if (bars != Bars::Stacked) x["stack"] = nullptr;
  json spec = {{"title", title}, {"width", 380}, {"height", {{"step", bars == Bars::Grouped ? 10 : 18}}},
               {"data", {{"values", values}}}, {"mark", {{"type", "bar"}, {"tooltip", true}}},
               {"encoding",
                {{"y", {{"field", "category"}, {"type", "nominal"}, {"sort", order}, {"title", category_title},
                        {"axis", {{"labelLimit", 240}}}}},
                 {"x", x}}}};
  if (log) spec["encoding"]["x2"] = {{"datum", x["scale"]["domain"][0]}};
  json tip = json::array({{{"field", "category"}, {"type", "nominal"}, {"title", category_title}}});
  if (bars != Bars::Single) {
    spec["encoding"]["color"] = {{"field", "part"}, {"type", "nominal"}, {"title", nullptr}};
    tip.push_back({{"field", "part"}, {"type", "nominal"}});
  }
  if (bars == Bars::Grouped) spec["encoding"]["yOffset"] = {{"field", "part"}, {"type", "nominal"}};
  tip.push_back({{"field", "value"}, {"type", "quantitative"}, {"title", value_title}, {"format", ".4~g"}});
  spec["encoding"]["tooltip"] = tip;
  return spec;
}

}  // namespace cimvp
