// One pipeline (flow/): `cimvp infer`, a sweep point, the search's latency
// evaluator and `cimvp compile` + `cimvp run` give the same report for the
// same model, policy and architecture, and infer and the sweep the same
// predictions. Only what cannot agree is left out of the comparison: the
// mode (functional or timing), the host's wall time and the command line.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nn/model_source.h"
#include "platform/report.h"
#include "rl/evaluation/latency.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  nlohmann::json j;
  in >> j;
  return j;
}

// The part of a report that every path must agree on.
nlohmann::json comparable(nlohmann::json report) {
  const nlohmann::json keys = nlohmann::json::parse(to_json(Report{}).dump());
  nlohmann::json out;
  for (const auto& [key, value] : keys.items())
    if (key != "mode" && key != "host_seconds" && key != "cimvp") out[key] = report.at(key);
  return out;
}

void expect_same(const nlohmann::json& a, const nlohmann::json& b, const std::string& what) {
  const nlohmann::json diff = nlohmann::json::diff(a, b);
  EXPECT_TRUE(diff.empty()) << what << " differs: " << diff.dump().substr(0, 2000);
}

std::vector<int> read_predictions(const std::string& path) {
  std::ifstream in(path);
  std::vector<int> p;
  int v;
  while (in >> v) p.push_back(v);
  return p;
}

TEST(OnePipeline, InferSweepSearchEvaluatorAndCompileRunGiveTheSameReport) {
  const fs::path dir = fs::temp_directory_path() / ("cimvp_one_pipeline_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string arch = test::source_path("configs/arch/default.yaml");
  const std::string model = test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp");
  const std::string d = dir.string();
  const int images = 20;

  // compile + run (timing and functional)
  auto o = test::cimvp("compile --arch " + arch + " --model " + model + " --bits w8a8 -o " + d + "/l.img");
  ASSERT_EQ(o.status, 0) << o.output;
  o = test::cimvp("run --arch " + arch + " --firmware " + d + "/l.img --mode timing --report " + d + "/run.json");
  ASSERT_EQ(o.status, 0) << o.output;
  const nlohmann::json run = read_json(d + "/run.json");
  EXPECT_EQ(run.at("mode"), "timing");

  // infer
  o = test::cimvp("infer --arch " + arch + " --model " + model + " --bits w8a8 --dataset fashion-mnist --count " +
                  std::to_string(images) + " --report " + d + "/infer.json --predictions " + d + "/infer.txt");
  ASSERT_EQ(o.status, 0) << o.output;
  const nlohmann::json infer = read_json(d + "/infer.json");
  EXPECT_EQ(infer.at("mode"), "functional");
  EXPECT_EQ(infer.at("reference_mismatches"), 0);

  // a sweep of one point that measures accuracy
  {
    std::ofstream y(d + "/sweep.yaml");
    y << "base: " << arch << "\npoints:\n  - {clock_mhz: 1000}\nmodels:\n  - {model: " << model
      << ", dataset: fashion-mnist}\npolicies: [w8a8]\nmetrics: [latency, energy, accuracy]\naccuracy_images: "
      << images << "\n";
  }
  o = test::cimvp("sweep --config " + d + "/sweep.yaml -o " + d + "/sweep --jobs 1");
  ASSERT_EQ(o.status, 0) << o.output;
  std::ifstream results(d + "/sweep/results.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(results, line)) << "no sweep record";
  const nlohmann::json point = nlohmann::json::parse(line);
  ASSERT_TRUE(point.at("error").is_null()) << point.at("error");

  // the search's latency evaluator, in this process
  const ArchConfig a = load_arch_config(arch);
  rl::VpLatency vp(a);
  const ModelFile m = load_model_spec(model);
  const rl::LatencyResult latency = vp.measure(m, uniform_policy(m.graph.quantizable_layers().size(), 8, 8));
  const nlohmann::json search = nlohmann::json::parse(to_json(latency.report).dump());

  const nlohmann::json reference = comparable(run);
  expect_same(comparable(infer), reference, "infer vs compile + run");
  expect_same(comparable(point.at("report")), reference, "sweep point vs compile + run");
  expect_same(comparable(search), reference, "search evaluator vs compile + run");
  EXPECT_EQ(latency.cycles, run.at("inference_cycles").get<uint64_t>());

  // functional paths: the same predictions and accuracy
  const std::vector<int> predictions = read_predictions(d + "/infer.txt");
  ASSERT_EQ(predictions.size(), size_t(images));
  EXPECT_EQ(point.at("predictions").get<std::vector<int>>(), predictions);
  EXPECT_EQ(point.at("metrics").at("accuracy").get<double>(), infer.at("accuracy").get<double>());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cimvp
