// `cimvp run --trace`: the Chrome trace of a compiled network agrees with the
// report of the same run and with the image's layers
// (tests/support/chrome_trace_check.h says what is checked).
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "firmware/image.h"
#include "tests/support/chrome_trace_check.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"
#include "tests/support/tall_part_arch.h"

namespace cimvp {
namespace {

using test::cimvp;
using test::Outcome;

std::string temp(const std::string& name) { return test::temp_path("trace_", name); }

// Compiles `model` with `compile_args`, runs it with a report and a trace,
// and checks the trace against both.
struct TracedRun {
  nlohmann::json report, trace;
  FirmwareImage image;
  ArchConfig arch;
};

// `arch` is a path.
TracedRun compile_and_run(const std::string& arch, const std::string& model, const std::string& compile_args,
                          const std::string& mode) {
  const std::string image = temp(model + ".img");
  const std::string report_file = temp(model + "_report.json"), trace_file = temp(model + "_trace.json");
  Outcome o = cimvp("compile --arch " + arch + " --model " + model + " " + compile_args + " -o " + image);
  EXPECT_EQ(o.status, 0) << o.output;
  o = cimvp("run --arch " + arch + " --firmware " + image + " --mode " + mode + " --report " + report_file +
            " --trace " + trace_file);
  EXPECT_EQ(o.status, 0) << o.output;
  return {nlohmann::json::parse(std::ifstream(report_file)), nlohmann::json::parse(std::ifstream(trace_file)),
          read_image_file(image), load_arch_config(arch)};
}

void check_trace(const std::string& arch, const std::string& model, const std::string& compile_args,
                 const std::string& mode) {
  SCOPED_TRACE(model + " " + compile_args + " (" + mode + ")");
  const TracedRun r = compile_and_run(arch, model, compile_args, mode);
  ASSERT_GT(r.image.layer_names.size(), 2u);
  test::expect_trace_matches_run(r.trace, r.report, r.image, r.arch);
}

// Resident weights: a set-up layer programs every crossbar, then each layer
// runs on the cores that hold it (helpers send partial sums).
TEST(Trace, ResidentNetworkMatchesTheReport) {
  check_trace(test::source_path("configs/arch/default.yaml"), "lenet5", "--bits w8a8", "functional");
}

// Helper cores send fc1's partial sums to the part's core: a flow per message.
TEST(Trace, MessagesMatchTheReport) {
  check_trace(test::write_tall_part_arch(temp("tall.yaml")), "lenet5", "--bits w8a8", "functional");
}

// Every layer on all cores, reprogramming crossbars, with barriers between layers.
TEST(Trace, PerLayerNetworkMatchesTheReport) {
  check_trace(test::source_path("configs/arch/default.yaml"), "resnet-small", "--bits w4a4 --placement per-layer",
              "timing");
}

// The failures `check` reports, caught instead of failing this test.
template <typename Check>
std::string failures_of(Check check) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check();
  }
  std::string all;
  for (int i = 0; i < results.size(); ++i) all += results.GetTestPartResult(i).message() + std::string("\n");
  return all;
}

// The check is not vacuous: a run span that ends 10 cycles late, or a
// missing layer span, is caught.
TEST(Trace, CheckCatchesAWrongEndAndAMissingLayer) {
  const TracedRun r =
      compile_and_run(test::source_path("configs/arch/default.yaml"), "lenet5", "--bits w8a8 --placement per-layer",
                      "timing");
  nlohmann::json late = r.trace, missing = r.trace;
  bool moved = false;
  for (nlohmann::json& e : late["traceEvents"])
    if (!moved && e.value("cat", "") == "run") {
      e["dur"] = e["dur"].get<double>() + 10 * 1e6 / r.arch.clock_mhz / 1e6;  // 10 cycles, in microseconds
      moved = true;
    }
  ASSERT_TRUE(moved);
  EXPECT_THAT(failures_of([&] { test::expect_trace_matches_run(late, r.report, r.image, r.arch); }),
              ::testing::HasSubstr("end_cycle"));
  nlohmann::json& events = missing["traceEvents"];
  const auto layer = std::find_if(events.begin(), events.end(),
                                  [](const nlohmann::json& e) { return e.value("cat", "") == "layer"; });
  ASSERT_NE(layer, events.end());
  events.erase(layer);
  EXPECT_THAT(failures_of([&] { test::expect_trace_matches_run(missing, r.report, r.image, r.arch); }),
              ::testing::HasSubstr("traced"));
  EXPECT_EQ(failures_of([&] { test::expect_trace_matches_run(r.trace, r.report, r.image, r.arch); }), "");
}

}  // namespace
}  // namespace cimvp
