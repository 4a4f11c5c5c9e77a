#include "sweep/html_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "nn/policy.h"
#include "sweep/pareto.h"
#include "sweep/results_store.h"
#include "sweep/svg_plot.h"

namespace cimvp {

namespace {

const char* const kStyle =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    ".plots{display:flex;flex-wrap:wrap;gap:12px}"
    "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    "th{background:#f0f0f0}td.err{color:#b00;text-align:left}.note{color:#555;font-size:13px}";

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_escape(title) +
         "</title><style>" + kStyle + "</style></head><body>\n<h1>" + xml_escape(title) + "</h1>\n" + body +
         "</body></html>\n";
}

bool has_metric(const nlohmann::json& r, const char* key) {
  return r.contains("metrics") && r["metrics"].contains(key) && r["metrics"][key].is_number();
}
double metric(const nlohmann::json& r, const char* key) { return r["metrics"][key].get<double>(); }

// False when the point's ADC loses column sums (run_point.h, adc_json).
bool adc_exact(const nlohmann::json& r) {
  return !r.contains("adc") || !r["adc"].contains("exact") || r["adc"]["exact"].get<bool>();
}

std::string label(const nlohmann::json& r) {
  std::string s = r.value("model", "") + " " + r.value("policy", "");
  const nlohmann::json params = r.value("params", nlohmann::json::object());  // items() must not outlive it
  for (const auto& [k, v] : params.items())
    s += " " + k.substr(k.find('.') + 1) + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return adc_exact(r) ? s : s + " (ADC not exact)";
}

std::string short_label(const nlohmann::json& r) { return r.value("id", "").substr(0, 6) + " " + r.value("policy", ""); }

bool numeric(const std::string& s, double* v) {
  try {
    size_t used = 0;
    *v = std::stod(s, &used);
    return used == s.size();
  } catch (...) {
    return false;
  }
}

std::string param_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// One series per model and policy.
std::map<std::string, std::vector<const nlohmann::json*>> by_model_policy(const std::vector<const nlohmann::json*>& ok) {
  std::map<std::string, std::vector<const nlohmann::json*>> m;
  for (const nlohmann::json* r : ok) m[r->value("model", "") + " " + r->value("policy", "")].push_back(r);
  return m;
}

}  // namespace

std::string sweep_report_html(const std::string& folder) {
  const std::vector<nlohmann::json> records = read_results(folder + "/results.jsonl");
  std::vector<const nlohmann::json*> ok;
  for (const nlohmann::json& r : records)
    if (!r.contains("error") || r["error"].is_null()) ok.push_back(&r);
  std::ostringstream b;
  b << "<p>" << records.size() << " points from <code>" << xml_escape(folder) << "/results.jsonl</code>, "
    << records.size() - ok.size() << " with errors (listed in the table).</p>\n";
  const size_t inexact = size_t(std::count_if(ok.begin(), ok.end(), [](const nlohmann::json* r) { return !adc_exact(*r); }));
  if (inexact > 0)
    b << "<p class=\"warning\">" << inexact << " of the " << ok.size()
      << " points have an ADC that does not digitize every column sum exactly (\"ADC exact\" no in the table, "
         "\"ADC not exact\" in the plots' labels): their latency, energy and area hold, but their accuracy would "
         "drop, possibly to chance. Only a point with a measured accuracy says how much.</p>\n";

  // 1. latency against accuracy (or energy), with the Pareto front
  {
    std::vector<const nlohmann::json*> acc;
    for (const nlohmann::json* r : ok)
      if (has_metric(*r, "latency_s") && has_metric(*r, "accuracy")) acc.push_back(r);
    const bool with_accuracy = !acc.empty();
    if (!with_accuracy)
      for (const nlohmann::json* r : ok)
        if (has_metric(*r, "latency_s") && has_metric(*r, "energy_j")) acc.push_back(r);
    const char* ykey = with_accuracy ? "accuracy" : "energy_j";
    b << "<h2>Latency against " << (with_accuracy ? "accuracy" : "energy") << ", with the Pareto front</h2>\n";
    if (!with_accuracy)
      b << "<p class=\"note\">No point measured accuracy (it needs a trained model file in <code>models</code> and "
           "<code>accuracy</code> in <code>metrics</code>), so the front is latency against energy.</p>\n";
    XyPlot p;
    p.title = with_accuracy ? "latency vs accuracy" : "latency vs energy";
    p.x_label = "inference latency [s]";
    p.y_label = with_accuracy ? "accuracy" : "inference energy [J]";
    p.log_x = true;
    p.log_y = !with_accuracy;
    Series all{"points", {}, {}, {}, false};
    std::vector<double> xs, ys;
    for (const nlohmann::json* r : acc) {
      xs.push_back(metric(*r, "latency_s"));
      ys.push_back(metric(*r, ykey));
      all.tips.push_back(label(*r));
    }
    all.x = xs, all.y = ys;
    Series front{"Pareto front", {}, {}, {}, true};
    for (size_t i : pareto_front(xs, ys, with_accuracy)) front.x.push_back(xs[i]), front.y.push_back(ys[i]);
    p.series = {all, front};
    if (!acc.empty()) b << "<div class=\"plots\">" << svg_xy(p) << "</div>\n";
  }

  // 2. energy and area per component, for up to 16 points: the fastest ones
  {
    std::vector<const nlohmann::json*> sel;
    for (const nlohmann::json* r : ok)
      if (r->contains("energy_components_j")) sel.push_back(r);
    std::sort(sel.begin(), sel.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
      return a->value("cycles", uint64_t(0)) < b->value("cycles", uint64_t(0));
    });
    if (sel.size() > 16) sel.resize(16);
    if (!sel.empty()) {
      BarPlot e{"energy of a run by component (16 fastest points)", "energy [uJ]", {}, {}};
      BarPlot a{"chip area by component (same points)", "area [mm2]", {}, {}};
      std::map<std::string, std::vector<double>> ec, ac;
      for (size_t i = 0; i < sel.size(); ++i) {
        e.categories.push_back(short_label(*sel[i]));
        for (const auto& [k, v] : (*sel[i])["energy_components_j"].items()) {
          ec[k].resize(sel.size());
          ec[k][i] = v.get<double>() * 1e6;
        }
        const double cores = sel[i]->value("cores", 1);
        for (const auto& [k, v] : (*sel[i])["area_components_mm2"].items()) {
          ac[k].resize(sel.size());
          ac[k][i] = v.get<double>() * cores;
        }
      }
      a.categories = e.categories;
      for (auto& [k, v] : ec) e.stacks.emplace_back(k, v);
      for (auto& [k, v] : ac) a.stacks.emplace_back(k, v);
      b << "<h2>Energy and area by component</h2>\n<p class=\"note\">Energy of the whole run (set-up included), "
           "area of the whole chip; points named by id and policy (table below).</p>\n<div class=\"plots\">"
        << svg_bars(e) << svg_bars(a) << "</div>\n";
    }
  }

  // 3. per-layer bit widths of each policy; 4. latency per layer of the fastest point
  {
    std::map<std::string, const nlohmann::json*> policies;
    for (const nlohmann::json* r : ok)
      if (r->contains("weight_bits")) policies.emplace(r->value("model", "") + " " + r->value("policy", ""), r);
    if (!policies.empty()) {
      XyPlot p{"bits per layer of each policy", "quantizable layer", "bits", false, false, {}};
      for (const auto& [name, r] : policies)
        for (const char* kind : {"weight_bits", "activation_bits"}) {
          Series s{name + (kind[0] == 'w' ? " W" : " A"), {}, {}, {}, true};
          const std::vector<int> bits = (*r)[kind].get<std::vector<int>>();
          for (size_t i = 0; i < bits.size(); ++i) s.x.push_back(double(i)), s.y.push_back(bits[i]);
          p.series.push_back(s);
        }
      if (p.series.size() > 10) p.series.resize(10);
      const nlohmann::json* fastest = nullptr;
      for (const nlohmann::json* r : ok)
        if (r->contains("layers") && (!fastest || r->value("cycles", uint64_t(0)) < fastest->value("cycles", uint64_t(0))))
          fastest = r;
      b << "<h2>Policies and layers</h2>\n<div class=\"plots\">" << svg_xy(p);
      if (fastest) {
        BarPlot l{"cycles per layer of the fastest point (" + short_label(*fastest) + ")", "cycles", {}, {}};
        std::vector<double> cycles;
        for (const auto& layer : (*fastest)["layers"]) {
          l.categories.push_back(layer.value("name", ""));
          cycles.push_back(layer.value("cycles", 0.0));
        }
        l.stacks.emplace_back("cycles", cycles);
        b << svg_bars(l);
      }
      b << "</div>\n";
    }
  }

  // 5. every numeric swept parameter against latency, energy and area
  std::vector<std::string> keys;
  for (const nlohmann::json& r : records) {
    const nlohmann::json params = r.value("params", nlohmann::json::object());
    for (const auto& [k, v] : params.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const std::string& key : keys) {
    std::vector<const nlohmann::json*> with;
    for (const nlohmann::json* r : ok) {
      double v;
      if ((*r)["params"].contains(key) && numeric(param_text((*r)["params"][key]), &v)) with.push_back(r);
    }
    if (with.empty()) continue;
    b << "<h2>" << xml_escape(key) << "</h2>\n<div class=\"plots\">";
    for (const auto& [mkey, title] : std::vector<std::pair<const char*, const char*>>{
             {"latency_s", "latency [s]"}, {"energy_j", "energy [J]"}, {"area_mm2", "chip area [mm2]"}}) {
      XyPlot p{key + " vs " + title, key, title, false, true, {}};
      for (const auto& [name, rs] : by_model_policy(with)) {
        Series s{name, {}, {}, {}, false};
        for (const nlohmann::json* r : rs) {
          if (!has_metric(*r, mkey)) continue;
          double v;
          numeric(param_text((*r)["params"][key]), &v);
          s.x.push_back(v);
          s.y.push_back(metric(*r, mkey));
          s.tips.push_back(label(*r));
        }
        if (!s.x.empty()) p.series.push_back(s);
      }
      if (p.series.size() > 10) p.series.resize(10);
      if (!p.series.empty()) b << svg_xy(p);
    }
    b << "</div>\n";
  }

  // 6. the table
  std::vector<std::string> metric_keys;
  for (const nlohmann::json& r : records) {
    const nlohmann::json metrics = r.value("metrics", nlohmann::json::object());
    for (const auto& [k, v] : metrics.items())
      if (std::find(metric_keys.begin(), metric_keys.end(), k) == metric_keys.end()) metric_keys.push_back(k);
  }
  b << "<h2>Results</h2>\n<table><tr><th>id</th><th>model</th><th>policy</th>";
  for (const std::string& k : keys) b << "<th>" << xml_escape(k) << "</th>";
  for (const std::string& k : metric_keys) b << "<th>" << xml_escape(k) << "</th>";
  b << "<th>ADC exact</th><th>error</th></tr>\n";
  for (const nlohmann::json& r : records) {
    b << "<tr><td>" << xml_escape(r.value("id", "")) << "</td><td>" << xml_escape(r.value("model", "")) << "</td><td>"
      << xml_escape(r.value("policy", "")) << "</td>";
    const nlohmann::json params = r.value("params", nlohmann::json::object());
    for (const std::string& k : keys) b << "<td>" << (params.contains(k) ? xml_escape(param_text(params[k])) : "") << "</td>";
    const nlohmann::json m = r.value("metrics", nlohmann::json::object());
    for (const std::string& k : metric_keys) {
      char buf[32] = "";
      if (m.contains(k) && m[k].is_number()) std::snprintf(buf, sizeof buf, "%.4g", m[k].get<double>());
      b << "<td>" << buf << "</td>";
    }
    b << "<td>" << (r.contains("adc") ? (adc_exact(r) ? "yes" : "no") : "") << "</td>";
    b << "<td class=\"err\">" << (r.contains("error") && r["error"].is_string() ? xml_escape(r["error"].get<std::string>()) : "")
      << "</td></tr>\n";
  }
  b << "</table>\n";
  return page("cimvp sweep report", b.str());
}

std::string search_report_html(const std::string& folder) {
  std::ifstream in(folder + "/episodes.csv");
  if (!in) throw Error(folder + "/episodes.csv: cannot open");
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::string> header;
  {
    std::stringstream h(line);
    std::string cell;
    while (std::getline(h, cell, ',')) header.push_back(cell);
  }
  auto column = [&](const std::string& name) -> size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw Error(folder + "/episodes.csv: no column '" + name + "'");
    return size_t(it - header.begin());
  };
  const size_t c_ep = column("episode"), c_reward = column("reward"), c_speed = column("speedup"),
               c_meets = column("meets_target");
  Series reward{"reward", {}, {}, {}, false}, best{"best speedup so far (meeting the accuracy target)", {}, {}, {}, true};
  double best_speedup = 0;
  size_t episodes = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (cells.size() < header.size()) continue;
    const double ep = std::stod(cells[c_ep]);
    reward.x.push_back(ep);
    reward.y.push_back(std::stod(cells[c_reward]));
    if (cells[c_meets] == "1") best_speedup = std::max(best_speedup, std::stod(cells[c_speed]));
    if (best_speedup > 0) best.x.push_back(ep), best.y.push_back(best_speedup);
    ++episodes;
  }
  std::ostringstream b;
  b << "<p>" << episodes << " episodes from <code>" << xml_escape(folder) << "/episodes.csv</code>.</p>\n"
    << "<h2>Search progress</h2>\n<div class=\"plots\">"
    << svg_xy({"reward per episode", "episode", "reward", false, false, {reward}});
  if (!best.x.empty()) b << svg_xy({"best speedup over W8A8", "episode", "speedup", false, false, {best}});
  b << "</div>\n";
  const std::string policy_path = folder + "/best-policy.yaml";
  if (std::filesystem::exists(policy_path)) {
    const Policy p = load_policy(policy_path);
    Series w{"weight bits", {}, {}, {}, true}, a{"activation bits", {}, {}, {}, true};
    for (size_t i = 0; i < p.size(); ++i) {
      w.x.push_back(double(i)), w.y.push_back(p.weight_bits[i]);
      a.x.push_back(double(i)), a.y.push_back(p.activation_bits[i]);
    }
    b << "<h2>Final policy</h2>\n<div class=\"plots\">"
      << svg_xy({"bits per layer of best-policy.yaml", "quantizable layer", "bits", false, false, {w, a}})
      << "</div>\n";
  } else {
    b << "<p class=\"note\">No best-policy.yaml: no policy met the accuracy target yet.</p>\n";
  }
  return page("cimvp search report", b.str());
}

std::string report_html(const std::string& folder) {
  if (std::filesystem::exists(folder + "/results.jsonl")) return sweep_report_html(folder);
  if (std::filesystem::exists(folder + "/episodes.csv")) return search_report_html(folder);
  throw Error(folder + ": neither a sweep's results.jsonl nor a search's episodes.csv is there");
}

}  // namespace cimvp
