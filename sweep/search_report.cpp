#include "sweep/search_report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "nn/model_source.h"
#include "nn/policy.h"
#include "sweep/bar_chart.h"
#include "sweep/chart_axes.h"
#include "sweep/policy_layer_times.h"
#include "sweep/report_page.h"
#include "sweep/report_table.h"

namespace cimvp {

namespace {

using json = nlohmann::json;

struct Episode {
  int episode = 0;
  std::string kind, search;
  double accuracy = 0, speedup = 0, reward = 0;
  bool meets = false;
};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  std::string cell;
  while (std::getline(s, cell, sep)) cells.push_back(cell);
  return cells;
}

// episodes.csv of one search (docs/search.md, "Files").
std::vector<Episode> read_episodes(const std::string& path, const std::string& search) {
  std::ifstream in(path);
  if (!in) return {};
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line, ',');
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw Error(path + ": no column '" + name + "'");
    return size_t(it - header.begin());
  };
  const size_t c_ep = column("episode"), c_kind = column("kind"), c_acc = column("accuracy"),
               c_speed = column("speedup"), c_reward = column("reward"), c_meets = column("meets_target");
  std::vector<Episode> episodes;
  for (int row = 2; std::getline(in, line); ++row) {
    const std::vector<std::string> c = split(line, ',');
    if (c.size() < header.size()) continue;  // a row a killed search left half written
    try {
      episodes.push_back({std::stoi(c[c_ep]), c[c_kind], search, std::stod(c[c_acc]), std::stod(c[c_speed]),
                          std::stod(c[c_reward]), c[c_meets] == "1"});
    } catch (const std::exception&) {
      throw Error(path + ":" + std::to_string(row) + ": not a number where one is expected");
    }
  }
  return episodes;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

std::string bits_text(const json& j) {
  auto joined = [&](const char* key) {
    std::string s;
    for (const json& b : j.value(key, json::array())) s += (s.empty() ? "" : "-") + std::to_string(b.get<int>());
    return s;
  };
  return "W " + joined("weight_bits") + " / A " + joined("activation_bits");
}

// The rows of the summary table: the found policy, then the baselines in a
// fixed order.
std::vector<std::pair<std::string, json>> summary_rows(const json& s) {
  std::vector<std::pair<std::string, json>> rows;
  if (s.contains("policy")) rows.emplace_back("policy (found)", s["policy"]);
  const json baselines = s.value("baselines", json::object());
  for (const char* name : {"w8a8", "w4a8", "w4a4", "random", "analytic"})
    if (baselines.contains(name)) rows.emplace_back(name, baselines[name]);
  for (const auto& [name, j] : baselines.items())
    if (std::none_of(rows.begin(), rows.end(), [&](const auto& r) { return r.first == name; })) rows.emplace_back(name, j);
  return rows;
}

TableCell maybe_number(const json& j, const char* key, double scale = 1) {
  return j.contains(key) && j[key].is_number() ? number_cell(j[key].get<double>(), 4, scale) : text_cell("");
}

void summary_table(ReportPage& page, const json& s) {
  const auto rows_in = summary_rows(s);
  std::vector<double> lat;
  for (const auto& [n, j] : rows_in)
    if (j.contains("latency_seconds")) lat.push_back(j["latency_seconds"].get<double>());
  const Unit u = si_unit(lat, "s");
  std::vector<std::vector<TableCell>> rows;
  for (const auto& [name, j] : rows_in)
    rows.push_back({text_cell(name), maybe_number(j, "speedup"), text_cell(j.value("placement", "")),
                    maybe_number(j, "validation_accuracy_in_search", 100), maybe_number(j, "test_accuracy", 100),
                    maybe_number(j, "test_accuracy_vp", 100), maybe_number(j, "accuracy_drop_points"),
                    maybe_number(j, "latency_seconds", u.scale), maybe_number(j, "effective_bits"),
                    text_cell(bits_text(j))});
  page.heading("Summary");
  std::string verdict;
  if (s.contains("within_accuracy_budget"))
    verdict = s["within_accuracy_budget"].get<bool>() ? "within" : "outside";
  page.html("<p>Model <code>" + html_escape(s.value("model", "")) + "</code> on <code>" +
            html_escape(s.value("arch", "")) + "</code>, " + html_escape(s.value("method", "")) + " search, " +
            std::to_string(s.value("episodes", 0)) + " episodes" +
            (s.contains("speedup") ? ": the found policy is " + format_number(s["speedup"].get<double>(), 4) +
                                         "x faster than W8A8" : ": no policy met the target") +
            (verdict.empty() ? "" : ", " + verdict + " the accuracy budget of " +
                                        format_number(s.value("accuracy_budget_points", 0.0)) + " point(s)") +
            ".</p>\n");
  std::vector<std::string> header = {"policy", "speedup over W8A8", "placement", "validation accuracy in search (%)",
                                     "test accuracy (%)", "test accuracy on the VP (%)", "drop against W8A8 (points)",
                                     with_unit("latency", u.symbol), "effective bits", "bits per layer"};
  // Columns no row has (VP accuracy without a noisy VP, effective bits
  // outside latency-only searches) are left out.
  for (size_t c = header.size(); c-- > 0;)
    if (std::all_of(rows.begin(), rows.end(), [&](const std::vector<TableCell>& r) { return r[c].text.empty(); })) {
      header.erase(header.begin() + std::ptrdiff_t(c));
      for (auto& r : rows) r.erase(r.begin() + std::ptrdiff_t(c));
    }
  page.html(html_table(header, rows, true));
}

// Every episode's accuracy against its speedup, the target as a rule and
// the baselines and the found policy as labelled marks.
void accuracy_against_speedup(ReportPage& page, const json& s, const std::vector<Episode>& episodes) {
  const bool proxy = s.value("accuracy", "") == "none";
  const std::string y_title = proxy ? "precision proxy (effective bits / 8, %)" : "validation accuracy (%)";
  json values = json::array();
  std::vector<double> xs;
  for (const Episode& e : episodes) {
    values.push_back({{"x", e.speedup}, {"y", e.accuracy * 100},
                      {"set", e.search + " episodes"}, {"label", e.search + " episode " + std::to_string(e.episode)}});
    xs.push_back(e.speedup);
  }
  json marks = json::array();
  for (const auto& [name, j] : summary_rows(s)) {
    const double acc = proxy ? j.value("effective_bits", 0.0) / 8 : j.value("validation_accuracy_in_search", -1.0);
    if (!j.contains("speedup") || acc < 0) continue;
    // Policies at the same place (the analytic search often finds the
    // policy itself) share one diamond and one label.
    const double x = j["speedup"].get<double>(), y = acc * 100;
    auto same = std::find_if(marks.begin(), marks.end(), [&](const json& m) { return m["x"] == x && m["y"] == y; });
    if (same != marks.end()) {
      (*same)["label"] = (*same)["label"].get<std::string>() + ", " + name;
      continue;
    }
    marks.push_back({{"x", x}, {"y", y}, {"label", name}});
    xs.push_back(x);
  }
  const bool cost_target = s.value("cost_target", 0.0) > 0 && s.value("objective", "") == "latency";
  if (cost_target) xs.push_back(1 / s["cost_target"].get<double>());  // keep the target's rule in the chart
  const json x = position("x", "speedup over W8A8 (×)", xs, false);
  const json y = {{"field", "y"}, {"type", "quantitative"}, {"title", y_title},
                  {"scale", {{"zero", false}, {"padding", 12}}}, {"axis", {{"format", "~r"}}}};
  const json tip = json::array({{{"field", "label"}, {"type", "nominal"}, {"title", "policy"}},
                                {{"field", "x"}, {"type", "quantitative"}, {"title", "speedup (×)"}, {"format", ".4~g"}},
                                {{"field", "y"}, {"type", "quantitative"}, {"title", y_title}, {"format", ".4~g"}}});
  json layers = json::array();
  layers.push_back({{"data", {{"values", values}}},
                    {"mark", {{"type", "point"}, {"filled", true}, {"opacity", 0.6}}},
                    {"encoding", {{"x", x}, {"y", y}, {"tooltip", tip},
                                  {"color", {{"field", "set"}, {"type", "nominal"}, {"title", nullptr}}}}}});
  layers.push_back({{"data", {{"values", marks}}},
                    {"mark", {{"type", "point"}, {"shape", "diamond"}, {"size", 160}, {"filled", true},
                              {"color", "#000"}}},
                    {"encoding", {{"x", x}, {"y", y}, {"tooltip", tip}}}});
  layers.push_back({{"data", {{"values", marks}}},
                    {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 8}, {"dy", -8}, {"fontSize", 11}}},
                    {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "label"}}}}}});
  std::string note = "Diamonds: the found policy and the baselines at the accuracy the search measured for them.";
  if (!proxy && s.contains("search") && s["search"].contains("base_validation_accuracy")) {
    const double target = s["search"]["base_validation_accuracy"].get<double>() * 100 - s.value("accuracy_budget_points", 0.0);
    layers.push_back({{"data", {{"values", {{{"y", target}, {"label", "accuracy target"}}}}}},
                      {"mark", {{"type", "rule"}, {"strokeDash", {6, 4}}, {"color", "#d62728"}}},
                      {"encoding", {{"y", y}, {"tooltip", {{"field", "label"}}}}}});
    note += " Dashed: the accuracy target (W8A8's validation accuracy, " +
            format_number(s["search"]["base_validation_accuracy"].get<double>() * 100) + " %, less the budget of " +
            format_number(s.value("accuracy_budget_points", 0.0)) + " point(s)).";
  }
  // A latency cost target is a speedup to reach: cost ratio = 1 / speedup.
  if (cost_target) {
    const double speedup = 1 / s["cost_target"].get<double>();
    layers.push_back({{"data", {{"values", {{{"x", speedup}, {"label", "cost target"}}}}}},
                      {"mark", {{"type", "rule"}, {"strokeDash", {6, 4}}, {"color", "#1f77b4"}}},
                      {"encoding", {{"x", x}, {"tooltip", {{"field", "label"}}}}}});
    note += " Dashed vertical: the cost target (" + format_number(s["cost_target"].get<double>()) +
            " of W8A8's latency, a speedup of " + format_number(speedup) + ").";
  }
  page.chart({{"title", proxy ? "precision proxy against speedup" : "accuracy against speedup"}, {"width", 480},
              {"height", 320}, {"layer", layers}});
  page.note(note);
}

void progress(ReportPage& page, const std::vector<Episode>& episodes) {
  json reward = json::array(), best = json::array();
  double best_speedup = 0;
  for (const Episode& e : episodes) {
    if (e.search != "search") continue;
    reward.push_back({{"x", e.episode}, {"y", e.reward}, {"kind", e.kind}});
    if (e.meets) best_speedup = std::max(best_speedup, e.speedup);
    if (best_speedup > 0) best.push_back({{"x", e.episode}, {"y", best_speedup}});
  }
  const json ex = {{"field", "x"}, {"type", "quantitative"}, {"title", "episode"}, {"axis", {{"format", "d"}, {"tickMinStep", 1}}}};
  page.html("<div class=\"charts\">\n");
  page.chart({{"title", "reward per episode"}, {"width", 380}, {"height", 220}, {"data", {{"values", reward}}},
              {"mark", {{"type", "point"}, {"filled", true}, {"tooltip", true}}},
              {"encoding", {{"x", ex}, {"y", {{"field", "y"}, {"type", "quantitative"}, {"title", "reward"}}},
                            {"color", {{"field", "kind"}, {"type", "nominal"}, {"title", "episode kind"}}}}}});
  if (!best.empty())
    page.chart({{"title", "best speedup meeting the target"}, {"width", 380}, {"height", 220},
                {"data", {{"values", best}}},
                {"mark", {{"type", "line"}, {"interpolate", "step-after"}, {"point", true}, {"tooltip", true}}},
                {"encoding", {{"x", ex}, {"y", {{"field", "y"}, {"type", "quantitative"}, {"title", "speedup over W8A8 (×)"},
                                                {"scale", {{"zero", false}}}}}}}});
  page.html("</div>\n");
}

// The quantizable layers' names, from the model the search ran on; "layer
// K" when it cannot be loaded here (moved, or a zoo this build lacks).
std::vector<std::string> layer_names(const json& s, size_t layers, std::string* why) {
  std::vector<std::string> names;
  try {
    const ModelFile m = load_model_structure(s.value("model", ""));
    for (int i : m.graph.quantizable_layers()) names.push_back(m.graph.nodes[size_t(i)].name);
  } catch (const std::exception& e) {
    *why = e.what();
    names.clear();
  }
  if (names.size() != layers) {
    if (why->empty()) *why = "the model has " + std::to_string(names.size()) + " quantizable layers, the policy " + std::to_string(layers);
    names.clear();
    for (size_t i = 0; i < layers; ++i) names.push_back("layer " + std::to_string(i));
  }
  return names;
}

// Returns the chart's note (where the bits come from).
std::string bits_per_layer(ReportPage& page, const json& s, const std::string& folder) {
  Policy p;
  std::string from;
  if (s.contains("policy") && s["policy"].contains("weight_bits")) {
    p.weight_bits = s["policy"]["weight_bits"].get<std::vector<int>>();
    p.activation_bits = s["policy"]["activation_bits"].get<std::vector<int>>();
    from = "summary.json";
  } else if (std::filesystem::exists(folder + "/best-policy.yaml")) {
    p = load_policy(folder + "/best-policy.yaml");
    from = "best-policy.yaml (the search's best so far)";
  } else {
    return "No policy met the target yet: no summary.json policy, no best-policy.yaml.";
  }
  std::string why;
  const std::vector<std::string> names = layer_names(s, p.size(), &why);
  json values = json::array(), order = json::array();
  for (size_t i = 0; i < p.size(); ++i) {
    order.push_back(names[i]);
    values.push_back({{"layer", names[i]}, {"kind", "weights"}, {"bits", p.weight_bits[i]}});
    values.push_back({{"layer", names[i]}, {"kind", "activations (input)"}, {"bits", p.activation_bits[i]}});
  }
  page.chart({{"title", "bits per layer of the found policy"}, {"width", {{"step", 14}}}, {"height", 200},
              {"data", {{"values", values}}}, {"mark", {{"type", "bar"}, {"tooltip", true}}},
              {"encoding",
               {{"x", {{"field", "layer"}, {"type", "nominal"}, {"sort", order}, {"title", "quantizable layer"},
                       {"axis", {{"labelAngle", -45}, {"labelLimit", 160}}}}},
                {"xOffset", {{"field", "kind"}, {"type", "nominal"}, {"sort", {"weights", "activations (input)"}}}},
                {"y", {{"field", "bits"}, {"type", "quantitative"}, {"title", "bits"},
                       {"scale", {{"domain", {0, 8}}}}, {"axis", {{"values", {0, 1, 2, 3, 4, 5, 6, 7, 8}}}}}},
                {"color", {{"field", "kind"}, {"type", "nominal"}, {"title", nullptr},
                           {"sort", {"weights", "activations (input)"}}}}}}});
  return "Bits from " + from + "." + (why.empty() ? "" : " Layers by index: " + why + ".");
}

Policy policy_of(const json& j) {
  Policy p;
  p.weight_bits = j.at("weight_bits").get<std::vector<int>>();
  p.activation_bits = j.at("activation_bits").get<std::vector<int>>();
  return p;
}

// The found policy's time per layer against W8A8's, both run now on the
// search's architecture (summary.json holds whole-network latencies only).
// Returns the chart's note.
std::string layer_times(ReportPage& page, const json& s, const std::string& cimvp) {
  if (!s.contains("policy") || !s["policy"].contains("weight_bits") || !s.contains("architecture") || cimvp.empty())
    return "";
  const std::string placement = s["policy"].value("placement", "");
  const Policy found = policy_of(s["policy"]);
  const LayerTimes a = vp_layer_times(cimvp, s.value("model", ""), found, s["architecture"], placement);
  const LayerTimes b = vp_layer_times(cimvp, s.value("model", ""), uniform_policy(found.size(), 8, 8),
                                      s["architecture"], placement);
  if (!a.error.empty() || !b.error.empty()) {
    return "Time per layer not measured: " + (a.error.empty() ? b.error : a.error);
  }
  std::vector<double> raw;
  for (const auto& l : a.seconds) raw.push_back(l.second);
  for (const auto& l : b.seconds) raw.push_back(l.second);
  const Unit u = si_unit(raw, "s");
  json values = json::array(), order = json::array();
  for (const auto& [name, seconds] : a.seconds) {
    order.push_back(name);
    values.push_back({{"category", name}, {"part", "found policy"}, {"value", seconds * u.scale}});
  }
  for (const auto& [name, seconds] : b.seconds)
    values.push_back({{"category", name}, {"part", "W8A8"}, {"value", seconds * u.scale}});
  page.chart(bar_chart("time per layer: found policy against W8A8", "layer", order, with_unit("time", u.symbol),
                       values, Bars::Grouped, true));
  return "Time per layer: both run now on the VP (timing only) on the search's architecture" +
         (placement.empty() ? std::string() : ", " + placement + " placement") + "; the weight set-up is left out.";
}

}  // namespace

std::string search_report_html(const std::string& folder, const std::string& cimvp) {
  json s = json::object();
  const bool has_summary = std::filesystem::exists(folder + "/summary.json");
  if (has_summary) s = read_json(folder + "/summary.json");
  std::vector<Episode> episodes = read_episodes(folder + "/episodes.csv", "search");
  for (const char* baseline : {"random", "analytic"}) {
    const std::vector<Episode> more = read_episodes(folder + "/" + baseline + "/episodes.csv", baseline);
    episodes.insert(episodes.end(), more.begin(), more.end());
  }
  ReportPage page("cimvp search report");
  if (has_summary)
    summary_table(page, s);
  else
    page.note("No summary.json yet (the search has not finished): the search's episodes only.");
  if (!episodes.empty()) {
    page.heading("Accuracy and speedup of every episode");
    accuracy_against_speedup(page, s, episodes);
    page.heading("Search progress");
    progress(page, episodes);
  }
  page.heading("Found policy");
  page.html("<div class=\"charts\">\n");
  const std::string bits_note = bits_per_layer(page, s, folder);
  const std::string times_note = layer_times(page, s, cimvp);
  page.html("</div>\n");
  page.note(bits_note);
  if (!times_note.empty()) page.note(times_note);
  return page.str();
}

}  // namespace cimvp
