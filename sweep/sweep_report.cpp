// The report of a sweep's folder (docs/sweeps.md, "The report"): each
// metric against each swept parameter with one series per combination of
// the others, the Pareto fronts, the breakdowns, the table and the base
// architecture.
#include "sweep/sweep_report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/error.h"
#include "config/arch_config.h"
#include "sweep/chart_axes.h"
#include "sweep/pareto.h"
#include "sweep/report_metrics.h"
#include "sweep/report_page.h"
#include "sweep/report_table.h"
#include "sweep/results_store.h"

namespace cimvp {

namespace {

using json = nlohmann::json;

// More series than this in one chart are split into facets.
constexpr size_t kMaxSeries = 8;
// Fronts of at most this many points have their points named on the chart.
constexpr size_t kMaxLabelledFront = 4;

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool to_number(const std::string& s, double* v) {
  try {
    size_t used = 0;
    *v = std::stod(s, &used);
    return used == s.size();
  } catch (...) {
    return false;
  }
}

// One finished point as the charts see it: its value along every dimension
// (swept parameters, and model and policy when the sweep has several).
struct Point {
  const json* record;
  std::map<std::string, std::string> at;
  std::string label;  // "adc.bits=6, crossbar.cell_bits=1, w8a8": what a tooltip or bar names
};

bool adc_exact(const json& r) { return !r.contains("adc") || !r["adc"].contains("exact") || r["adc"]["exact"].get<bool>(); }

bool has_metric(const json& r, const std::string& key) {
  return r.contains("metrics") && r["metrics"].contains(key) && r["metrics"][key].is_number();
}

std::string param_unit(const std::string& key) {
  for (const ParamInfo& p : arch_params())
    if (p.key == key) return p.unit;
  return "";
}

// The metric's values in the unit the chart shows, and that unit.
Unit metric_unit(const MetricInfo& m, const std::vector<double>& raw) {
  return m.prefixed ? si_unit(raw, m.unit) : Unit{m.unit, m.factor};
}

struct Sweep {
  std::vector<std::string> swept;  // parameter keys, in the sweep file's order
  std::vector<std::string> dims;   // swept + "model", "policy" when they vary
  std::vector<Point> points;       // finished points
  json config;                     // sweep.json (empty for folders written before it existed)
  // "cores" when the sweep varies the mesh: its size is what a reader asks
  // about, so it gets charts of its own, with the mesh.* keys not as series.
  std::string derived;
};

constexpr const char* kMeshPrefix = "mesh.";

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

std::string combination(const Point& p, const std::vector<std::string>& dims) {
  std::vector<std::string> parts;
  for (const std::string& d : dims)
    parts.push_back(d == "model" || d == "policy" ? p.at.at(d) : d + "=" + p.at.at(d));
  return join(parts, ", ");
}

size_t distinct(const std::vector<const Point*>& points, const std::vector<std::string>& dims) {
  std::set<std::string> s;
  for (const Point* p : points) s.insert(combination(*p, dims));
  return s.size();
}

Sweep load_sweep(const std::string& folder, const std::vector<json>& records) {
  Sweep s;
  const std::string config_path = folder + "/sweep.json";
  if (std::filesystem::exists(config_path)) {
    std::ifstream in(config_path);
    try {
      s.config = json::parse(in);
    } catch (const json::exception& e) {
      throw Error(config_path + ": not valid JSON: " + e.what());
    }
    for (const json& axis : s.config.value("grid", json::array())) s.swept.push_back(axis.at("key").get<std::string>());
  }
  for (const json& r : records) {
    const json params = r.value("params", json::object());  // items() must not outlive it
    for (const auto& [k, v] : params.items())
      if (std::find(s.swept.begin(), s.swept.end(), k) == s.swept.end()) s.swept.push_back(k);
  }
  std::set<std::string> models, policies;
  for (const json& r : records) {
    if (r.contains("error") && !r["error"].is_null()) continue;
    Point p{&r, {}, ""};
    const json params = r.value("params", json::object());
    for (const std::string& k : s.swept) p.at[k] = params.contains(k) ? text_of(params[k]) : "base";
    p.at["model"] = r.value("model", "");
    p.at["policy"] = r.value("policy", "");
    models.insert(p.at["model"]);
    policies.insert(p.at["policy"]);
    s.points.push_back(p);
  }
  std::set<int> cores;
  for (Point& p : s.points) {
    p.at["cores"] = std::to_string(p.record->value("cores", 0));
    cores.insert(p.record->value("cores", 0));
  }
  if (cores.size() > 1 && std::any_of(s.swept.begin(), s.swept.end(), [](const std::string& k) { return k.rfind(kMeshPrefix, 0) == 0; }))
    s.derived = "cores";
  s.dims = s.swept;
  if (models.size() > 1) s.dims.push_back("model");
  if (policies.size() > 1 || s.dims.empty()) s.dims.push_back("policy");
  std::vector<std::string> label_dims = s.dims;
  if (std::find(label_dims.begin(), label_dims.end(), "policy") == label_dims.end()) label_dims.push_back("policy");
  for (Point& p : s.points) {
    p.label = combination(p, label_dims);
    if (!adc_exact(*p.record)) p.label += " (ADC not exact)";
  }
  return s;
}

json tooltip(const std::string& x_title, const std::string& y_title) {
  return json::array({{{"field", "label"}, {"type", "nominal"}, {"title", "point"}},
                      {{"field", "x"}, {"type", "quantitative"}, {"title", x_title}, {"format", ".4~g"}},
                      {{"field", "y"}, {"type", "quantitative"}, {"title", y_title}, {"format", ".4~g"}}});
}

// The values of dimension `dim` as facet headers ("adc.bits=4"), numbers
// in numeric order, text in the order first met.
json facet_order(const std::vector<const Point*>& pts, const std::string& dim) {
  std::vector<std::pair<double, std::string>> values;
  for (const Point* p : pts) {
    double v = double(values.size());
    to_number(p->at.at(dim), &v);
    const std::string h = combination(*p, {dim});
    if (std::none_of(values.begin(), values.end(), [&](const auto& x) { return x.second == h; })) values.emplace_back(v, h);
  }
  std::stable_sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json order = json::array();
  for (const auto& [v, h] : values) order.push_back(h);
  return order;
}

// `metric` against swept parameter `key`: one line per combination of the
// other dimensions that vary among these points, faceted by the dimensions
// with the most values while there are more than kMaxSeries lines.
void metric_against_param(ReportPage& page, const Sweep& s, const std::string& key, const MetricInfo& m) {
  std::vector<const Point*> pts;
  std::vector<double> raw;
  bool numeric_x = true;
  for (const Point& p : s.points) {
    if (!has_metric(*p.record, m.key)) continue;
    pts.push_back(&p);
    raw.push_back((*p.record)["metrics"][m.key].get<double>());
    double v;
    numeric_x = numeric_x && to_number(p.at.at(key), &v);
  }
  if (pts.empty()) return;
  std::vector<std::string> others;
  for (const std::string& d : s.dims)
    if (d != key && distinct(pts, {d}) > 1 && !(key == s.derived && d.rfind(kMeshPrefix, 0) == 0)) others.push_back(d);
  std::vector<std::string> facets;
  while (others.size() > 1 && facets.size() < 2 && distinct(pts, others) > kMaxSeries) {
    auto most = std::max_element(others.begin(), others.end(), [&](const std::string& a, const std::string& b) {
      return distinct(pts, {a}) < distinct(pts, {b});
    });
    facets.push_back(*most);
    others.erase(most);
  }
  const Unit unit = metric_unit(m, raw);
  const std::string x_title = with_unit(key, param_unit(key)), y_title = with_unit(m.title, unit.symbol);
  json values = json::array();
  std::vector<double> xs, ys;
  for (size_t i = 0; i < pts.size(); ++i) {
    json v = {{"label", pts[i]->label}, {"y", raw[i] * unit.scale}, {"series", combination(*pts[i], others)}};
    double x = 0;
    if (numeric_x && to_number(pts[i]->at.at(key), &x)) {
      v["x"] = x;
      xs.push_back(x);
    } else {
      v["x"] = pts[i]->at.at(key);
    }
    ys.push_back(raw[i] * unit.scale);
    for (size_t f = 0; f < facets.size(); ++f) v["f" + std::to_string(f)] = combination(*pts[i], {facets[f]});
    values.push_back(v);
  }
  json x = numeric_x ? position("x", x_title, xs, false)
                     : json{{"field", "x"}, {"type", "ordinal"}, {"title", x_title}};
  json encoding = {{"x", x}, {"y", position("y", y_title, ys, m.key != "accuracy")}};
  encoding["tooltip"] = tooltip(x_title, y_title);
  if (!numeric_x) encoding["tooltip"][1]["type"] = "nominal", encoding["tooltip"][1].erase("format");
  if (!others.empty()) {
    encoding["color"] = {{"field", "series"}, {"type", "nominal"}, {"title", join(others, ", ")},
                         {"legend", {{"labelLimit", 320}}}};
    if (distinct(pts, others) > 10) encoding["color"]["scale"] = {{"scheme", "tableau20"}};
  }
  const json mark = {{"type", "line"}, {"point", {{"filled", true}, {"size", 60}}}};
  const std::string title = m.title + " against " + key;
  json spec = {{"title", title}, {"data", {{"values", values}}}};
  if (facets.empty()) {
    spec["width"] = 300, spec["height"] = 220, spec["mark"] = mark, spec["encoding"] = encoding;
  } else {
    // Headers read "adc.bits=4", in the values' order (4 before 10).
    auto header = [&](size_t f) {
      json h = {{"labelFontSize", 11}};
      if (f == 1) h["labelAngle"] = 0, h["labelAlign"] = "right";  // row headers read across, clear of the y title
      return json{{"field", "f" + std::to_string(f)}, {"type", "ordinal"}, {"title", nullptr},
                  {"sort", facet_order(pts, facets[f])}, {"header", h}};
    };
    json facet = {{"column", header(0)}};
    if (facets.size() > 1) facet["row"] = header(1);
    spec["facet"] = facet;
    spec["spec"] = {{"width", 200}, {"height", 150}, {"mark", mark}, {"encoding", encoding}};
  }
  page.chart(spec);
}

// The points no other beats on both objectives, drawn as points (a
// one-point front stays visible) joined by a line, and listed.
void pareto_chart(ReportPage& page, const Sweep& s, const MetricInfo& xm, const MetricInfo& ym) {
  std::vector<const Point*> pts;
  std::vector<double> xr, yr;
  for (const Point& p : s.points)
    if (has_metric(*p.record, xm.key) && has_metric(*p.record, ym.key)) {
      pts.push_back(&p);
      xr.push_back((*p.record)["metrics"][xm.key].get<double>());
      yr.push_back((*p.record)["metrics"][ym.key].get<double>());
    }
  if (pts.empty()) return;
  const std::vector<size_t> front = pareto_front(xr, yr, ym.higher_is_better);
  const Unit xu = metric_unit(xm, xr), yu = metric_unit(ym, yr);
  const std::string x_title = with_unit(xm.title, xu.symbol), y_title = with_unit(ym.title, yu.symbol);
  const std::string on = "on the Pareto front", off = "dominated";
  json values = json::array();
  std::vector<double> xs, ys;
  for (size_t i = 0; i < pts.size(); ++i) {
    const bool in_front = std::find(front.begin(), front.end(), i) != front.end();
    values.push_back({{"label", pts[i]->label}, {"x", xr[i] * xu.scale}, {"y", yr[i] * yu.scale},
                      {"set", in_front ? on : off}});
    xs.push_back(xr[i] * xu.scale), ys.push_back(yr[i] * yu.scale);
  }
  const json x = position("x", x_title, xs, true), y = position("y", y_title, ys, ym.key != "accuracy");
  const std::string title = ym.title + " against " + xm.title + ": Pareto front";
  // Dominated points first, the front on top, larger; one colour scale
  // shared by both gives the legend.
  const json color = {{"field", "set"}, {"type", "nominal"}, {"title", nullptr},
                      {"scale", {{"domain", {on, off}}, {"range", {"#d62728", "#9e9e9e"}}}}};
  auto points_layer = [&](const std::string& set, int size) {
    return json{{"transform", {{{"filter", {{"field", "set"}, {"equal", set}}}}}},
                {"mark", {{"type", "point"}, {"filled", true}, {"size", size}}},
                {"encoding", {{"x", x}, {"y", y}, {"tooltip", tooltip(x_title, y_title)}, {"color", color}}}};
  };
  json line_layer = {{"transform", {{{"filter", {{"field", "set"}, {"equal", on}}}}}},
                     {"mark", {{"type", "line"}, {"color", "#d62728"}, {"strokeWidth", 1.5}}},
                     {"encoding", {{"x", x}, {"y", y}, {"order", {{"field", "x"}, {"type", "quantitative"}}}}}};
  json layers = {line_layer, points_layer(off, 40), points_layer(on, 110)};
  // A short front's points are named on the chart too (a long one in the list below).
  if (front.size() <= kMaxLabelledFront)
    layers.push_back({{"transform", {{{"filter", {{"field", "set"}, {"equal", on}}}}}},
                      {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 8}, {"dy", -6}, {"fontSize", 10}}},
                      {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "label"}}}}}});
  page.chart({{"title", title}, {"width", 420}, {"height", 300}, {"data", {{"values", values}}},
              {"layer", layers}});
  std::vector<std::vector<TableCell>> rows;
  for (size_t i : front)
    rows.push_back({text_cell(pts[i]->label), number_cell(xr[i], 4, xu.scale), number_cell(yr[i], 4, yu.scale)});
  page.html("<p class=\"note\">" + std::to_string(front.size()) + " of " + std::to_string(pts.size()) +
            " points on the front (" + html_escape(ym.higher_is_better ? "higher " : "lower ") + html_escape(ym.title) +
            ", lower " + html_escape(xm.title) + "):</p>\n" +
            html_table({"point", x_title, y_title}, rows, true));
}

// Energy of a run and chip area, by component, as stacked horizontal bars
// named by their parameters: the fastest kMaxBars points.
void breakdowns(ReportPage& page, const Sweep& s) {
  constexpr size_t kMaxBars = 24;
  std::vector<const Point*> pts;
  for (const Point& p : s.points)
    if (p.record->contains("energy_components_j") && p.record->contains("area_components_mm2")) pts.push_back(&p);
  if (pts.empty()) return;
  std::stable_sort(pts.begin(), pts.end(), [](const Point* a, const Point* b) {
    return a->record->value("cycles", uint64_t(0)) < b->record->value("cycles", uint64_t(0));
  });
  if (pts.size() > kMaxBars) pts.resize(kMaxBars);
  json order = json::array();
  for (const Point* p : pts) order.push_back(p->label);
  page.heading("Energy and area by component");
  page.note("Energy of a whole run (set-up included) and area of the whole chip, for the " + std::to_string(pts.size()) +
            " fastest points, fastest first.");
  page.html("<div class=\"charts\">\n");
  for (const bool energy : {true, false}) {
    std::vector<double> totals;
    for (const Point* p : pts) {
      double t = 0;
      for (const auto& [k, v] : (*p->record)[energy ? "energy_components_j" : "area_components_mm2"].items())
        t += v.get<double>();
      totals.push_back(energy ? t : t * p->record->value("cores", 1));
    }
    const Unit u = energy ? si_unit(totals, "J") : Unit{"mm²", 1};
    json values = json::array();
    for (const Point* p : pts)
      for (const auto& [k, v] : (*p->record)[energy ? "energy_components_j" : "area_components_mm2"].items())
        values.push_back({{"point", p->label}, {"component", k},
                          {"value", v.get<double>() * u.scale * (energy ? 1 : p->record->value("cores", 1))}});
    const std::string title = energy ? "energy of a run by component" : "chip area by component";
    const std::string x_title = with_unit(energy ? "energy of a run" : "chip area", u.symbol);
    page.chart({{"title", title}, {"width", 360}, {"height", {{"step", 16}}}, {"data", {{"values", values}}},
                {"mark", {{"type", "bar"}, {"tooltip", true}}},
                {"encoding",
                 {{"y", {{"field", "point"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr},
                         {"axis", {{"labelLimit", 360}}}}},
                  {"x", {{"field", "value"}, {"type", "quantitative"}, {"stack", "zero"}, {"title", x_title},
                         {"axis", {{"format", "~r"}}}}},
                  {"color", {{"field", "component"}, {"type", "nominal"}, {"title", "component"},
                             {"scale", {{"scheme", "tableau20"}}}}},
                  {"tooltip", json::array({{{"field", "point"}, {"type", "nominal"}},
                                           {{"field", "component"}, {"type", "nominal"}},
                                           {{"field", "value"}, {"type", "quantitative"}, {"title", x_title},
                                            {"format", ".4~g"}}})}}}});
  }
  page.html("</div>\n");
}

void flatten(const json& j, const std::string& prefix, std::vector<std::vector<TableCell>>& rows) {
  for (const auto& [k, v] : j.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object())
      flatten(v, key, rows);
    else
      rows.push_back({text_cell(key), text_cell(text_of(v))});
  }
}

void results_table(ReportPage& page, const Sweep& s, const std::vector<json>& records) {
  std::vector<std::string> metric_keys;
  for (const MetricInfo& m : sweep_metrics())
    for (const json& r : records)
      if (has_metric(r, m.key)) {
        metric_keys.push_back(m.key);
        break;
      }
  std::vector<std::string> header = {"id", "model", "policy"};
  header.insert(header.end(), s.swept.begin(), s.swept.end());
  std::vector<Unit> units;
  for (const std::string& k : metric_keys) {
    const MetricInfo& m = *std::find_if(sweep_metrics().begin(), sweep_metrics().end(),
                                        [&](const MetricInfo& i) { return i.key == k; });
    std::vector<double> raw;
    for (const json& r : records)
      if (has_metric(r, k)) raw.push_back(r["metrics"][k].get<double>());
    units.push_back(metric_unit(m, raw));
    header.push_back(with_unit(m.title, units.back().symbol));
  }
  header.push_back("ADC exact");
  header.push_back("error");
  std::vector<std::vector<TableCell>> rows;
  for (const json& r : records) {
    std::vector<TableCell> row = {text_cell(r.value("id", "")), text_cell(r.value("model", "")),
                                  text_cell(r.value("policy", ""))};
    const json params = r.value("params", json::object());
    for (const std::string& k : s.swept) {
      double v;
      const std::string t = params.contains(k) ? text_of(params[k]) : "";
      row.push_back(to_number(t, &v) ? number_cell(v, 6) : text_cell(t));
    }
    for (size_t i = 0; i < metric_keys.size(); ++i)
      row.push_back(has_metric(r, metric_keys[i]) ? number_cell(r["metrics"][metric_keys[i]].get<double>(), 4, units[i].scale)
                                                 : text_cell(""));
    row.push_back(text_cell(r.contains("adc") ? (adc_exact(r) ? "yes" : "no") : ""));
    row.push_back(text_cell(r.contains("error") && r["error"].is_string() ? r["error"].get<std::string>() : "", "err"));
    rows.push_back(row);
  }
  page.heading("Results");
  page.note("Click a column's header to sort by it.");
  page.html(html_table(header, rows, true));
}

}  // namespace

std::string sweep_report_html(const std::string& folder) {
  const std::vector<json> records = read_results(folder + "/results.jsonl");
  if (records.empty()) throw Error(folder + "/results.jsonl: no finished point to report");
  const Sweep s = load_sweep(folder, records);
  ReportPage page("cimvp sweep report");
  page.html("<p>" + std::to_string(records.size()) + " points from <code>" + html_escape(folder) +
            "/results.jsonl</code>, " + std::to_string(records.size() - s.points.size()) +
            " with errors (listed in the table).</p>\n");
  const size_t inexact = size_t(std::count_if(s.points.begin(), s.points.end(), [](const Point& p) { return !adc_exact(*p.record); }));
  if (inexact > 0)
    page.html("<p class=\"warning\">" + std::to_string(inexact) + " of the " + std::to_string(s.points.size()) +
              " points have an ADC that does not digitize every column sum exactly (\"ADC exact\" no in the table, "
              "\"ADC not exact\" in the labels): their latency, energy and area hold, but their accuracy would drop, "
              "possibly to chance. Only a point with a measured accuracy says how much.</p>\n");

  // The mesh size first when the sweep varies it: the question it asks.
  if (!s.derived.empty()) {
    page.heading("Against the number of cores");
    page.note("cores = mesh.rows x mesh.cols of each point.");
    page.html("<div class=\"charts\">\n");
    for (const MetricInfo& m : sweep_metrics()) metric_against_param(page, s, s.derived, m);
    page.html("</div>\n");
  }
  // Every metric against every swept parameter.
  for (const std::string& key : s.swept) {
    page.heading("Against " + key);
    page.html("<div class=\"charts\">\n");
    for (const MetricInfo& m : sweep_metrics()) metric_against_param(page, s, key, m);
    page.html("</div>\n");
  }
  bool accuracy = false;
  for (const Point& p : s.points) accuracy = accuracy || has_metric(*p.record, "accuracy");
  if (!accuracy)
    page.note("No point measured accuracy (it needs a trained model file in models and accuracy in metrics).");

  page.heading("Pareto fronts");
  const std::vector<MetricInfo>& ms = sweep_metrics();
  auto metric = [&](const char* key) { return *std::find_if(ms.begin(), ms.end(), [&](const MetricInfo& m) { return m.key == key; }); };
  if (accuracy) pareto_chart(page, s, metric("latency_s"), metric("accuracy"));
  pareto_chart(page, s, metric("latency_s"), metric("energy_j"));
  pareto_chart(page, s, metric("area_mm2"), metric("energy_j"));

  breakdowns(page, s);
  results_table(page, s, records);

  page.heading("Base architecture");
  if (s.config.contains("base_architecture")) {
    std::vector<std::vector<TableCell>> rows;
    flatten(s.config["base_architecture"], "", rows);
    page.note("Every parameter of " + s.config.value("base", std::string("the base")) +
              " as the sweep resolved it; each point sets its swept parameters on top.");
    page.html("<details><summary>" + std::to_string(rows.size()) + " parameters</summary>\n" +
              html_table({"parameter", "value"}, rows, true) + "</details>\n");
  } else {
    page.note("This folder has no sweep.json (written by cimvp sweep since the report shows it): run the sweep again "
              "with --resume to add it.");
  }
  return page.str();
}

}  // namespace cimvp
