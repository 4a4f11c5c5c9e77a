#include "sweep/run_report.h"

#include <algorithm>
#include <fstream>

#include "common/error.h"
#include "firmware/image.h"
#include "sweep/bar_chart.h"
#include "sweep/chart_axes.h"
#include "sweep/report_page.h"
#include "sweep/report_table.h"

namespace cimvp {

namespace {

using json = nlohmann::json;

const json& need(const json& j, const std::string& key, const std::string& path) {
  if (!j.contains(key)) throw Error(path + ": no '" + key + "' (is it a report of `cimvp run --report`?)");
  return j[key];
}

double number(const json& j, const std::string& key, const std::string& path) {
  const json& v = need(j, key, path);
  if (!v.is_number()) throw Error(path + ": '" + key + "' is not a number");
  return v.get<double>();
}

}  // namespace

std::string run_report_html(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  json r;
  try {
    r = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  ReportPage page("cimvp run report");
  const json& layers = need(r, "layers", path);
  const json& cores = need(r, "cores", path);
  const json& fom = need(r, "figures_of_merit", path);
  const double seconds = number(r, "seconds", path), cycles = number(r, "cycles", path);
  const double cycle_s = cycles > 0 ? seconds / cycles : 0;
  page.html("<p>Architecture <code>" + html_escape(r.value("arch", "")) + "</code>, " +
            html_escape(r.value("mode", "")) + " run, from <code>" + html_escape(path) + "</code>.</p>\n");

  // Figures of merit and the run's totals, set-up apart.
  {
    std::vector<std::vector<TableCell>> rows;
    auto row = [&](const std::string& what, double v, const std::string& unit) {
      const Unit u = si_unit({v}, unit);
      rows.push_back({text_cell(what), number_cell(v, 4, u.scale), text_cell(u.symbol)});
    };
    row("inference time", number(r, "inference_seconds", path), "s");
    row("inference energy", number(r, "inference_energy_joules", path), "J");
    row("weight set-up time (before the inference)", number(r, "setup_seconds", path), "s");
    row("weight set-up energy", number(r, "setup_energy_joules", path), "J");
    row("whole run: time", seconds, "s");
    row("whole run: energy", number(r, "energy_joules", path), "J");
    row("operations", number(fom, "operations", path), "");
    row("throughput", number(fom, "tops", path) * 1e12, "OPS");
    row("efficiency", number(fom, "tops_per_watt", path) * 1e12, "OPS/W");
    row("area efficiency", number(fom, "tops_per_mm2", path) * 1e12, "OPS/mm²");
    row("average power", number(fom, "average_power_watts", path), "W");
    row("inferences per second", number(fom, "inferences_per_second", path), "");
    rows.push_back({text_cell("crossbar utilization"), number_cell(number(fom, "crossbar_utilization", path) * 100, 4),
                    text_cell("%")});
    if (r.contains("area")) rows.push_back({text_cell("chip area"), number_cell(number(r["area"], "chip_mm2", path), 4), text_cell("mm²")});
    page.heading("Figures of merit");
    page.html(html_table({"figure", "value", "unit"}, rows, false));
  }

  // Per layer, the weight set-up apart: it programs every resident crossbar
  // and would dwarf the layers on a shared axis.
  json order = json::array(), time = json::array(), energy = json::array(), xbars = json::array(),
       share = json::array();
  std::vector<double> t_raw, e_raw;
  const json* setup = nullptr;
  for (const json& l : layers) {
    if (l.value("name", "") == kSetupLayerName) {
      setup = &l;
      continue;
    }
    t_raw.push_back(number(l, "seconds", path));
    e_raw.push_back(number(l, "energy_joules", path));
  }
  const Unit tu = si_unit(t_raw, "s"), eu = si_unit(e_raw, "J");
  for (const json& l : layers) {
    if (&l == setup) continue;
    const std::string name = l.value("name", "");
    order.push_back(name);
    time.push_back({{"category", name}, {"value", number(l, "seconds", path) * tu.scale}});
    energy.push_back({{"category", name}, {"value", number(l, "energy_joules", path) * eu.scale}});
    xbars.push_back({{"category", name}, {"value", number(l, "crossbars_used", path)}});
    share.push_back({{"category", name}, {"value", number(l, "programmed_cell_share", path) * 100}});
  }
  page.heading("Per layer");
  if (setup)
    page.note("The weight set-up (layer '" + std::string(kSetupLayerName) + "': " +
              format_number(number(*setup, "seconds", path) * tu.scale) + " " + tu.symbol + ", " +
              format_number(number(*setup, "energy_joules", path) * eu.scale) + " " + eu.symbol +
              ") runs once before the inference and is not drawn. Log axes when the layers span more than 30x.");
  page.html("<div class=\"charts\">\n");
  page.chart(bar_chart("time per layer", "layer", order, with_unit("time", tu.symbol), time, Bars::Single, true));
  page.chart(bar_chart("energy per layer", "layer", order, with_unit("energy", eu.symbol), energy, Bars::Single, true));
  page.chart(bar_chart("crossbars used per layer", "layer", order, "crossbar tiles", xbars, Bars::Single, false));
  page.chart(bar_chart("programmed cells per layer", "layer", order, "programmed share of its crossbars' cells (%)",
                       share, Bars::Single, false));
  page.html("</div>\n");

  // Per core: busy and waiting time; the rest of the run it idles.
  {
    json corder = json::array(), values = json::array();
    const Unit u = si_unit({seconds}, "s");
    for (const json& c : cores) {
      const std::string name = "core " + std::to_string(c.value("id", 0));
      corder.push_back(name);
      values.push_back({{"category", name}, {"part", "busy"}, {"value", number(c, "busy_cycles", path) * cycle_s * u.scale}});
      values.push_back({{"category", name}, {"part", "waiting"}, {"value", number(c, "wait_cycles", path) * cycle_s * u.scale}});
    }
    page.heading("Per core");
    page.note("Busy: executing instructions; waiting: blocked on data from another core or memory. The whole run is " +
              format_number(seconds * u.scale) + " " + u.symbol + ".");
    page.chart(bar_chart("busy and waiting time per core", "core", corder, with_unit("time", u.symbol), values, Bars::Stacked, false));
  }

  // Energy and area by component.
  {
    json values = json::array(), order_e = json::array();
    std::vector<std::pair<double, std::string>> comps;
    std::string zero;  // components that spent nothing have no bar on a log axis
    for (const auto& [k, v] : need(r, "components", path).items()) {
      if (v.get<double>() > 0)
        comps.push_back({v.get<double>(), k});
      else
        zero += (zero.empty() ? "" : ", ") + k;
    }
    std::sort(comps.rbegin(), comps.rend());
    std::vector<double> raw;
    for (const auto& c : comps) raw.push_back(c.first);
    const Unit u = si_unit(raw, "J");
    for (const auto& [v, k] : comps) {
      order_e.push_back(k);
      values.push_back({{"category", k}, {"value", v * u.scale}});
    }
    json area_values = json::array(), order_a = json::array();
    std::vector<std::pair<double, std::string>> parts;
    if (r.contains("area") && r["area"].contains("core_components_mm2"))
      for (const auto& [k, v] : r["area"]["core_components_mm2"].items()) parts.push_back({v.get<double>(), k});
    std::sort(parts.rbegin(), parts.rend());
    for (const auto& [v, k] : parts) {
      order_a.push_back(k);
      area_values.push_back({{"category", k}, {"value", v}});
    }
    page.heading("Energy and area by component");
    if (!zero.empty()) page.note("No energy spent by: " + zero + ".");
    page.html("<div class=\"charts\">\n");
    page.chart(bar_chart("energy of the run by component", "component", order_e, with_unit("energy", u.symbol), values,
                         Bars::Single, true));
    if (!parts.empty())
      page.chart(bar_chart("area of one core by component", "component", order_a, "area (mm²)", area_values, Bars::Single, true));
    page.html("</div>\n");
  }
  return page.str();
}

}  // namespace cimvp
