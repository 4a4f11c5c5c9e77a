// `cimvp report` pages as a reader sees them: each kind (a sweep's folder,
// a search's folder, a run's report.json) is rendered in headless Chromium;
// every chart must have rendered with no console error, and the charts the
// question needs must hold the expected number of marks and axis titles
// with units. The folders are built here: a small real sweep and run, and a
// search summary written by hand in the format docs/search.md gives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "config/arch_config.h"
#include "tests/support/cli.h"
#include "tests/support/rendered_report.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Renders `html` and checks what every report page must be: self-contained,
// no console error, every chart rendered.
test::RenderedPage render_clean(const std::string& html, const std::string& dir) {
  const std::string text = test::read_text(html);
  EXPECT_EQ(text.find("src=\"http"), std::string::npos) << "a script fetched from the network";
  EXPECT_EQ(text.find("href=\"http"), std::string::npos) << "a style sheet fetched from the network";
  const test::RenderedPage page = test::render_report(html, dir);
  EXPECT_EQ(page.console, "") << "console errors in the page";
  EXPECT_GT(page.charts.size(), 0u);
  EXPECT_EQ(page.charts_rendered, page.charts.size()) << "not every chart rendered";
  return page;
}

// `cimvp report INPUT -o DIR/report.html`, rendered by render_clean.
test::RenderedPage report_page(const std::string& input, const std::string& dir) {
  const test::Outcome o = test::cimvp("report " + input + " -o " + dir + "/report.html");
  EXPECT_EQ(o.status, 0) << o.output;
  return o.status == 0 ? render_clean(dir + "/report.html", dir) : test::RenderedPage{};
}

// An episodes.csv (docs/search.md, "Files") with these rows.
void write_episodes(const std::string& path, const std::string& rows) {
  test::write_text(path,
                   "episode,kind,weight_bits,activation_bits,accuracy,latency_seconds,cycles,energy_joules,cost_ratio,"
                   "speedup,reward,meets_target,placement\n" + rows);
}

const test::RenderedChart& chart(const test::RenderedPage& page, const std::string& title) {
  static const test::RenderedChart none;
  const auto it = page.charts.find(title);
  EXPECT_NE(it, page.charts.end()) << "no chart '" << title << "'";
  return it == page.charts.end() ? none : it->second;
}

// A time or energy title carries its unit with an SI prefix.
const char* const kTimeTitle = "(time|latency) \\((ps|ns|µs|ms|s)\\)";
const char* const kEnergyTitle = "energy( of a run)? \\((pJ|nJ|µJ|mJ|J)\\)";

TEST(ReportCli, SweepReportPlotsAccuracyAgainstAdcBitsPerCellBits) {
  const std::string dir = test::temp_folder("report_sweep");
  test::write_text(dir + "/sweep.yaml",
                   "base: " + std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml\n"
                   "grid:\n  crossbar.cell_bits: [1, 2]\n  adc.bits: [4, 10]\n"
                   "models:\n  - {model: " + std::string(CIMVP_SOURCE_DIR) + "/pretrained/lenet5-fmnist-w8a8.cimvp, "
                   "dataset: fashion-mnist}\npolicies: [w8a8, w4a4]\n"
                   "metrics: [latency, energy, area, accuracy, edp, crossbars]\naccuracy_images: 10\n");
  ASSERT_EQ(test::cimvp("sweep --config " + dir + "/sweep.yaml -o " + dir + "/out --jobs 2 --no-progress").status, 0);
  const test::RenderedPage page = report_page(dir + "/out", dir);

  // The question of lenet5-adc-accuracy.yaml: 8 points, one line per
  // combination of cell bits and policy (2 x 2).
  const test::RenderedChart& acc = chart(page, "accuracy against adc.bits");
  EXPECT_EQ(acc.count("point"), 8u);
  EXPECT_EQ(acc.count("line mark"), 4u);
  EXPECT_THAT(acc.axis_titles, Contains("adc.bits (bits)"));
  EXPECT_THAT(acc.axis_titles, Contains("accuracy (%)"));
  // Every metric against every swept parameter.
  for (const char* key : {"adc.bits", "crossbar.cell_bits"})
    for (const char* metric : {"accuracy", "latency", "energy", "chip area", "energy-delay product", "crossbar tiles"})
      EXPECT_EQ(chart(page, std::string(metric) + " against " + key).count("point"), 8u) << metric << " " << key;
  EXPECT_THAT(chart(page, "latency against adc.bits").axis_titles, Contains(MatchesRegex(kTimeTitle)));
  EXPECT_THAT(chart(page, "chip area against crossbar.cell_bits").axis_titles, Contains("chip area (mm²)"));
  // Legends and tooltips name the other parameters in full.
  EXPECT_THAT(page.dom, HasSubstr("crossbar.cell_bits=1, w8a8"));
  // Vega labels each point with its tooltip's fields: the point by its parameters.
  EXPECT_THAT(page.dom, HasSubstr("point: crossbar.cell_bits=2, adc.bits=10, w4a4\""));

  const test::RenderedChart& front = chart(page, "accuracy against latency: Pareto front");
  EXPECT_EQ(front.count("point"), 8u);
  EXPECT_THAT(front.axis_titles, Contains(MatchesRegex(kTimeTitle)));
  EXPECT_EQ(chart(page, "energy against latency: Pareto front").count("point"), 8u);
  // Stacked bars: one per component and point, each point named by its parameters.
  EXPECT_GE(chart(page, "energy of a run by component").count("bar"), 8u * 3);
  EXPECT_THAT(chart(page, "energy of a run by component").axis_titles, Contains(MatchesRegex(kEnergyTitle)));
  EXPECT_GE(chart(page, "chip area by component").count("bar"), 8u * 3);
  EXPECT_THAT(page.dom, HasSubstr("<table class=\"sortable\">"));
  EXPECT_THAT(page.dom, HasSubstr("crossbar.rows"));  // the base architecture, every parameter
  EXPECT_GT(test::screenshot(dir + "/report.html", dir + "/sweep.png", dir), 20000u) << "a blank page?";
}

// The shipped 108-point vgg-small sweep (timing only, a few seconds): every
// swept parameter has its charts, the page stays under 3 MB, and its
// latency-energy front, which is one point, is drawn as a point.
TEST(ReportCli, ShippedVggSmallSweepHasEveryParameterAndItsFront) {
  const std::string dir = test::temp_folder("report_vgg");
  const test::Outcome sweep = test::cimvp("sweep --config " + std::string(CIMVP_SOURCE_DIR) +
                                          "/configs/sweeps/vgg-small-xbar.yaml -o " + dir + "/out --jobs 2 --no-progress");
  ASSERT_EQ(sweep.status, 0) << sweep.output;
  const test::RenderedPage page = report_page(dir + "/out", dir);
  EXPECT_LT(test::read_text(dir + "/report.html").size(), 3u << 20);
  for (const char* key : {"crossbar.rows", "crossbar.cols", "crossbar.cell_bits", "adc.bits"})
    for (const char* metric : {"latency", "energy", "chip area", "energy-delay product", "crossbar tiles"})
      EXPECT_EQ(chart(page, std::string(metric) + " against " + key).count("point"), 108u) << metric << " " << key;
  // The front counted here, by definition: points no other beats on both.
  std::vector<std::pair<double, double>> le;
  for (const auto& [id, r] : test::sweep_results(dir + "/out"))
    le.emplace_back(r["metrics"]["latency_s"].get<double>(), r["metrics"]["energy_j"].get<double>());
  size_t front = 0;
  for (const auto& a : le)
    front += std::none_of(le.begin(), le.end(), [&](const auto& b) {
      return b.first <= a.first && b.second <= a.second && (b.first < a.first || b.second < a.second);
    });
  const test::RenderedChart& c = chart(page, "energy against latency: Pareto front");
  EXPECT_EQ(c.count("point"), 108u);
  EXPECT_EQ(c.point_fills.count("#d62728") ? c.point_fills.at("#d62728") : 0, front) << "front points, drawn in red";
  EXPECT_THAT(page.dom, HasSubstr(std::to_string(front) + " of 108 points on the front (lower energy, lower latency)"));
}

// Three points, one better than the others on both objectives: the front is
// one point, and it must be drawn (a one-point line is invisible).
TEST(ReportCli, OnePointParetoFrontIsDrawn) {
  const std::string dir = test::temp_folder("report_front");
  std::string lines;
  int i = 0;
  for (const auto& [rows, latency, energy] : std::vector<std::tuple<int, double, double>>{
           {128, 1e-4, 2e-6}, {256, 2e-4, 3e-6}, {512, 3e-4, 5e-6}})
    lines += nlohmann::json({{"id", "p" + std::to_string(i)}, {"index", i++}, {"model", "vgg-small"},
                             {"policy", "w8a8"}, {"params", {{"crossbar.rows", rows}}},
                             {"metrics", {{"latency_s", latency}, {"energy_j", energy}, {"area_mm2", 10.0}}},
                             {"error", nullptr}}).dump() + "\n";
  test::write_text(dir + "/results.jsonl", lines);
  const test::RenderedPage page = report_page(dir, dir);
  const test::RenderedChart& front = chart(page, "energy against latency: Pareto front");
  EXPECT_EQ(front.count("point"), 3u);
  EXPECT_EQ(front.point_fills.at("#d62728"), 1u);  // the front's one point, drawn
  EXPECT_EQ(front.count("text mark"), 1u);           // and named
  EXPECT_THAT(page.dom, HasSubstr("1 of 3 points on the front"));
  // The integer parameter's axis has its three values as ticks, on a log2 scale.
  EXPECT_THAT(chart(page, "latency against crossbar.rows").axis_titles, Contains("crossbar.rows"));
  EXPECT_THAT(page.dom, HasSubstr("no sweep.json"));
}

// The results table sorts by a column when its header is clicked: twice on
// energy orders the points from the most energy to the least.
TEST(ReportCli, ResultsTableSortsByAClickedColumn) {
  const std::string dir = test::temp_folder("report_sort");
  std::string lines;
  int i = 0;
  for (const auto& [rows, energy] : std::vector<std::pair<int, double>>{{128, 3e-6}, {256, 5e-6}, {512, 2e-6}})
    lines += nlohmann::json({{"id", "p" + std::to_string(i)}, {"index", i++}, {"model", "vgg-small"},
                             {"policy", "w8a8"}, {"params", {{"crossbar.rows", rows}}},
                             {"metrics", {{"energy_j", energy}}}, {"error", nullptr}})
                 .dump() + "\n";
  test::write_text(dir + "/results.jsonl", lines);
  ASSERT_EQ(test::cimvp("report " + dir + " -o " + dir + "/report.html").status, 0);
  const std::string click =
      "var t=document.querySelectorAll('table.sortable');t=t[t.length-1];"
      "var h=Array.from(t.querySelectorAll('th')).find(function(x){return x.textContent.indexOf('energy')===0;});"
      "h.click();h.click();";
  const std::string dom = test::render_report(dir + "/report.html", dir, click).dom;
  const size_t p0 = dom.rfind(">p0<"), p1 = dom.rfind(">p1<"), p2 = dom.rfind(">p2<");
  ASSERT_NE(p0, std::string::npos);
  EXPECT_LT(p1, p0);  // 5 µJ, 3 µJ, 2 µJ
  EXPECT_LT(p0, p2);
}

// A sweep over mesh shapes (like resnet18-cores.yaml) asks about the number
// of cores: one line against it, not one point per mesh.rows value.
TEST(ReportCli, MeshSweepIsPlottedAgainstCores) {
  const std::string dir = test::temp_folder("report_cores");
  std::string lines;
  int i = 0;
  for (const auto& [rows, cols, latency] : std::vector<std::tuple<int, int, double>>{
           {1, 1, 4e-3}, {1, 2, 2.2e-3}, {2, 2, 1.3e-3}, {2, 4, 9e-4}})
    lines += nlohmann::json({{"id", "p" + std::to_string(i)}, {"index", i++}, {"model", "resnet18"},
                             {"policy", "w8a8"}, {"params", {{"mesh.rows", rows}, {"mesh.cols", cols}}},
                             {"cores", rows * cols}, {"metrics", {{"latency_s", latency}}}, {"error", nullptr}})
                 .dump() + "\n";
  test::write_text(dir + "/results.jsonl", lines);
  const test::RenderedPage page = report_page(dir, dir);
  const test::RenderedChart& c = chart(page, "latency against cores");
  EXPECT_EQ(c.count("point"), 4u);
  EXPECT_EQ(c.count("line mark"), 1u);
  EXPECT_THAT(c.axis_titles, Contains("latency (ms)"));
  EXPECT_EQ(chart(page, "latency against mesh.rows").count("point"), 4u);  // the swept keys keep their charts
}

TEST(ReportCli, RunReportShowsLayersCoresAndComponents) {
  const std::string dir = test::temp_folder("report_run");
  const std::string arch = std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml";
  ASSERT_EQ(test::cimvp("compile --arch " + arch + " --model lenet5 --bits w8a8 --timing-only -o " + dir + "/l.img").status, 0);
  const test::Outcome run =
      test::cimvp("run --arch " + arch + " --firmware " + dir + "/l.img --mode timing --report " + dir + "/report.json");
  ASSERT_EQ(run.status, 0) << run.output;
  const nlohmann::json r = nlohmann::json::parse(test::read_text(dir + "/report.json"));
  size_t layers = 0;
  for (const auto& l : r["layers"]) layers += l["name"] != "weights";
  const test::RenderedPage page = report_page(dir + "/report.json", dir);
  EXPECT_EQ(chart(page, "time per layer").visible_bars, layers);  // on a log axis too
  EXPECT_THAT(chart(page, "time per layer").axis_titles, Contains(MatchesRegex(kTimeTitle)));
  EXPECT_EQ(chart(page, "energy per layer").visible_bars, layers);
  EXPECT_THAT(chart(page, "energy per layer").axis_titles, Contains(MatchesRegex(kEnergyTitle)));
  EXPECT_EQ(chart(page, "crossbars used per layer").count("bar"), layers);
  EXPECT_EQ(chart(page, "programmed cells per layer").count("bar"), layers);
  EXPECT_EQ(chart(page, "busy and waiting time per core").count("bar"), 2 * r["cores"].size());
  EXPECT_EQ(chart(page, "area of one core by component").visible_bars, r["area"]["core_components_mm2"].size());
  size_t spent = 0;  // components with energy: the others are named in a note, not drawn
  for (const auto& [k, v] : r["components"].items()) spent += v.get<double>() > 0;
  EXPECT_EQ(chart(page, "energy of the run by component").visible_bars, spent);
  EXPECT_THAT(page.dom, HasSubstr("weight set-up"));
  EXPECT_THAT(page.dom, HasSubstr("crossbar utilization"));
}

TEST(ReportCli, SearchReportShowsEveryBaselineAndTheTarget) {
  const std::string dir = test::temp_folder("report_search");
  write_episodes(dir + "/episodes.csv",
                 "0,warmup,8-4-4-4-8,8-8-8-8-8,0.88,1e-4,100000,1e-6,0.8,1.25,0.2,1,resident\n"
                 "1,explore,4-4-4-4-4,8-4-8-4-8,0.80,8e-5,80000,1e-6,0.6,1.6,-0.1,0,resident\n"
                 "2,explore,8-2-4-4-8,8-4-4-4-8,0.87,6e-5,60000,1e-6,0.5,2.0,0.4,1,resident\n");
  std::filesystem::create_directories(dir + "/random");
  write_episodes(dir + "/random/episodes.csv",
                 "0,random,8-2-2-4-8,8-4-4-4-8,0.85,7e-5,70000,1e-6,0.6,1.7,0.1,1,resident\n");
  auto entry = [](std::vector<int> w, std::vector<int> a, double val, double test, double speedup) {
    return nlohmann::json{{"weight_bits", w}, {"activation_bits", a}, {"validation_accuracy_in_search", val},
                          {"test_accuracy", test}, {"speedup", speedup}, {"latency_seconds", 1.2e-4 / speedup},
                          {"placement", "resident"}, {"accuracy_drop_points", 100 * (0.89 - test)}};
  };
  const nlohmann::json summary = {
      {"model", "lenet5"}, {"arch", "default.yaml"}, {"method", "ddpg"}, {"accuracy", "reference"},
      {"episodes", 3}, {"accuracy_budget_points", 1.0}, {"speedup", 2.0}, {"within_accuracy_budget", true},
      {"search", {{"base_validation_accuracy", 0.88}}},
      {"policy", entry({8, 2, 4, 4, 8}, {8, 4, 4, 4, 8}, 0.87, 0.885, 2.0)},
      {"baselines",
       {{"w8a8", entry({8, 8, 8, 8, 8}, {8, 8, 8, 8, 8}, 0.88, 0.89, 1.0)},
        {"w4a8", entry({4, 4, 4, 4, 4}, {8, 8, 8, 8, 8}, 0.875, 0.887, 1.3)},
        {"w4a4", entry({4, 4, 4, 4, 4}, {4, 4, 4, 4, 4}, 0.82, 0.83, 1.9)},
        {"random", entry({8, 2, 2, 4, 8}, {8, 4, 4, 4, 8}, 0.85, 0.86, 1.7)},
        {"analytic", entry({8, 4, 2, 2, 8}, {8, 8, 4, 4, 8}, 0.86, 0.87, 1.5)}}},
      {"architecture", architecture_json(load_arch_config(std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml"))}};
  test::write_text(dir + "/summary.json", summary.dump(2));
  const test::RenderedPage page = report_page(dir, dir);
  for (const char* row : {"policy (found)", "w8a8", "w4a8", "w4a4", "random", "analytic"})
    EXPECT_THAT(page.dom, HasSubstr("<td class=\"t\">" + std::string(row) + "</td>"));
  const test::RenderedChart& acc = chart(page, "accuracy against speedup");
  EXPECT_EQ(acc.count("point"), 4u + 6u);  // 4 episodes, the policy and 5 baselines
  EXPECT_EQ(acc.count("text mark"), 6u);    // each of those 6 labelled
  EXPECT_EQ(acc.count("rule mark"), 1u);    // the accuracy target: 88 % - 1 point
  EXPECT_THAT(acc.axis_titles, Contains("speedup over W8A8 (×)"));
  EXPECT_THAT(acc.axis_titles, Contains("validation accuracy (%)"));
  EXPECT_EQ(chart(page, "reward per episode").count("point"), 3u);
  EXPECT_EQ(chart(page, "best speedup meeting the target").count("line mark"), 1u);
  // Weights and activations side by side for each of lenet5's 5 layers, named.
  const test::RenderedChart& bits = chart(page, "bits per layer of the found policy");
  EXPECT_EQ(bits.count("bar"), 10u);
  EXPECT_THAT(bits.axis_titles, Contains("quantizable layer"));
  EXPECT_THAT(page.dom, ::testing::Not(HasSubstr("Layers by index")));
  // Time per layer, measured by the report on the VP: lenet5's 8 layers
  // (input, conv1, pool1, conv2, pool2, fc1, fc2, fc3), policy and W8A8 each.
  const test::RenderedChart& times = chart(page, "time per layer: found policy against W8A8");
  EXPECT_EQ(times.visible_bars, 16u);
  EXPECT_THAT(times.axis_titles, Contains(MatchesRegex(kTimeTitle)));
  EXPECT_THAT(page.dom, HasSubstr("found policy"));
}

// A latency-only search (accuracy: none): the precision proxy stands for
// accuracy, and the cost target is a speedup to reach.
TEST(ReportCli, LatencyOnlySearchShowsTheProxyAndTheCostTarget) {
  const std::string dir = test::temp_folder("report_latency_only");
  write_episodes(dir + "/episodes.csv",
                 "0,warmup,8-4-4,8-8-8,0.8,1e-4,100000,1e-6,0.8,1.25,-2,0,resident\n"
                 "1,explore,4-4-4,8-4-8,0.6,4e-5,40000,1e-6,0.4,2.5,-5,1,resident\n");
  auto entry = [](std::vector<int> w, std::vector<int> a, double speedup, double bits) {
    return nlohmann::json{{"weight_bits", w}, {"activation_bits", a}, {"speedup", speedup},
                          {"latency_seconds", 1e-4 / speedup}, {"placement", "resident"}, {"effective_bits", bits}};
  };
  const nlohmann::json summary = {
      {"model", "lenet5-no-such-model"}, {"method", "ddpg"}, {"accuracy", "none"}, {"objective", "latency"},
      {"cost_target", 0.4}, {"episodes", 2}, {"speedup", 2.5},
      {"policy", entry({4, 4, 4}, {8, 4, 8}, 2.5, 4.8)},
      {"baselines", {{"w8a8", entry({8, 8, 8}, {8, 8, 8}, 1, 8)}, {"w4a8", entry({4, 4, 4}, {8, 8, 8}, 1.6, 5.6)},
                     {"w4a4", entry({4, 4, 4}, {4, 4, 4}, 2.6, 4)}}}};
  test::write_text(dir + "/summary.json", summary.dump(2));
  const test::RenderedPage page = report_page(dir, dir);
  const test::RenderedChart& c = chart(page, "precision proxy against speedup");
  EXPECT_EQ(c.count("point"), 2u + 4u);  // 2 episodes, the policy and 3 baselines
  EXPECT_EQ(c.count("rule mark"), 1u);   // the cost target, at speedup 2.5; no accuracy target
  EXPECT_THAT(page.dom, HasSubstr("a speedup of 2.5"));
  EXPECT_THAT(page.dom, HasSubstr("<th>effective bits</th>"));
  EXPECT_THAT(page.dom, ::testing::Not(HasSubstr("<th>test accuracy (%)</th>")));  // none measured
  EXPECT_THAT(page.dom, HasSubstr("Layers by index"));  // the model cannot be loaded here
}

// A search still running: episodes and best-policy.yaml, no summary.json.
TEST(ReportCli, RunningSearchShowsItsEpisodes) {
  const std::string dir = test::temp_folder("report_running");
  write_episodes(dir + "/episodes.csv",
                 "0,warmup,8-4-4,8-8-8,0.9,1e-4,100000,1e-6,0.8,1.25,0.2,1,resident\n"
                 "1,explore,4-4-4,8-4-8,0.85,8e-5,80000,1e-6,0.6,1.6,-0.1,0,resident\n");
  test::write_text(dir + "/best-policy.yaml", "weight_bits: [8, 4, 4]\nactivation_bits: [8, 8, 8]\n");
  const test::RenderedPage page = report_page(dir, dir);
  EXPECT_THAT(page.dom, HasSubstr("No summary.json yet"));
  EXPECT_EQ(chart(page, "accuracy against speedup").count("point"), 2u);
  EXPECT_EQ(chart(page, "accuracy against speedup").count("rule mark"), 0u);  // no target without the summary
  EXPECT_EQ(chart(page, "reward per episode").count("point"), 2u);
  EXPECT_EQ(chart(page, "bits per layer of the found policy").visible_bars, 6u);
  EXPECT_THAT(page.dom, HasSubstr("Layers by index"));  // no model named: layer 0, 1, 2
}

TEST(ReportCli, BadInputNamesTheFileOrWhatIsMissing) {
  const std::string dir = test::temp_folder("report_bad");
  test::Outcome o = test::cimvp("report " + dir + "/nothing -o " + dir + "/r.html");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr(dir + "/nothing: no such file or folder"));
  test::write_text(dir + "/report.json", "{\"cycles\": 1}");
  o = test::cimvp("report " + dir + "/report.json -o " + dir + "/r.html");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr(dir + "/report.json: no 'layers'"));
  test::write_text(dir + "/results.jsonl", "{\"id\":\"a\",\"metrics\":{\"latency_s\":1},\"error\":null}\n");
  o = test::cimvp("report " + dir + " -o " + dir + "/r.html", "CIMVP_REPORT_ASSETS=" + dir + "/none");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr(dir + "/none/node_modules/vega/build/vega.min.js is missing: run "
                                        "scripts/install_report_assets.sh"));
}

}  // namespace
}  // namespace cimvp
