// The sweep YAML: bad input names the key, the expansion
// and its ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "sweep/sweep_config.h"
#include "sweep/sweep_point.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

const std::string kFolder = std::string(CIMVP_SOURCE_DIR) + "/configs/sweeps";

SweepConfig parse(const std::string& text) { return parse_sweep_config(text, "s.yaml", kFolder); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

const std::string kTail = "models: [lenet5]\npolicies: [w8a8]\nmetrics: [latency]\n";

TEST(SweepConfig, UnknownParameterNamesItAndSuggests) {
  const std::string e = error_of("base: ../arch/default.yaml\ngrid:\n  crossbar.row: [128]\n" + kTail);
  EXPECT_THAT(e, HasSubstr("s.yaml:3:3"));
  EXPECT_THAT(e, HasSubstr("unknown architecture parameter 'crossbar.row'"));
  EXPECT_THAT(e, HasSubstr("did you mean 'crossbar.rows'?"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\npoints:\n  - {adc.bit: 4}\n" + kTail),
              HasSubstr("points[0]: unknown architecture parameter 'adc.bit' (did you mean 'adc.bits'?)"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\ngrids: {}\n" + kTail), HasSubstr("unknown key 'grids' (did you mean 'grid'?)"));
}

TEST(SweepConfig, EmptyGridsAreErrors) {
  EXPECT_THAT(error_of("base: ../arch/default.yaml\ngrid:\n  adc.bits: []\n" + kTail),
              HasSubstr("grid.adc.bits: empty list of values"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\ngrid: {}\n" + kTail), HasSubstr("grid: empty"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\npoints: []\n" + kTail), HasSubstr("points: empty list"));
}

TEST(SweepConfig, MissingBaseFileIsNamed) {
  const std::string e = error_of("base: no-such-arch.yaml\n" + kTail);
  EXPECT_THAT(e, HasSubstr("base: no such file"));
  EXPECT_THAT(e, HasSubstr("no-such-arch.yaml"));
  EXPECT_THAT(error_of(kTail), HasSubstr("missing key 'base'"));
}

TEST(SweepConfig, UnmeasuredMetricIsNamed) {
  const std::string e =
      error_of("base: ../arch/default.yaml\nmodels: [lenet5]\npolicies: [w8a8]\nmetrics: [latency, power, enrgy]\n");
  EXPECT_THAT(e, HasSubstr("metrics[1]: no one measures a metric 'power'"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\nmodels: [lenet5]\npolicies: [w8a8]\nmetrics: [enrgy]\n"),
              HasSubstr("did you mean 'energy'?"));
}

TEST(SweepConfig, OtherBadEntries) {
  EXPECT_THAT(error_of("base: ../arch/default.yaml\nmodels: [lenet5]\npolicies: [search]\nmetrics: [latency]\n"),
              HasSubstr("policies[0]: the 'search' policy kind is not supported yet"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\nmodels: [lenet5]\npolicies: [w9]\nmetrics: [latency]\n"),
              HasSubstr("policies[0]: 'w9' is neither a uniform policy"));
  EXPECT_THAT(error_of("base: ../arch/default.yaml\nmodels: [nosuchnet]\npolicies: [w8a8]\nmetrics: [latency]\n"),
              HasSubstr("models[0]: "));
}

TEST(SweepConfig, GridExpandsToEveryCombinationWithStableDistinctIds) {
  const SweepConfig c = parse(
      "base: ../arch/default.yaml\ngrid:\n  crossbar.cell_bits: [1, 2]\n  adc.bits: [4, 6, 8]\n"
      "points:\n  - {mesh.rows: 1}\nmodels: [lenet5]\npolicies: [w8a8, w4a4]\nmetrics: [latency, energy]\n");
  const std::vector<SweepPoint> p = expand_points(c);
  ASSERT_EQ(p.size(), (2u * 3u + 1u) * 2u);
  EXPECT_EQ(p[0].params, (std::vector<std::pair<std::string, std::string>>{{"crossbar.cell_bits", "1"}, {"adc.bits", "4"}}));
  EXPECT_EQ(p[0].policy, "w8a8");
  EXPECT_EQ(p[2].params[1].second, "6");  // the last axis varies fastest (after the policy)
  std::set<std::string> ids;
  for (const SweepPoint& q : p) ids.insert(q.id);
  EXPECT_EQ(ids.size(), p.size());
  // The id depends on the parameters, not on the order they are written in.
  const SweepConfig swapped = parse(
      "base: ../arch/default.yaml\ngrid:\n  adc.bits: [4]\n  crossbar.cell_bits: [1]\n"
      "models: [lenet5]\npolicies: [w8a8]\nmetrics: [latency]\n");
  EXPECT_EQ(expand_points(swapped)[0].id, p[0].id);
  EXPECT_EQ(swept_keys(c), (std::vector<std::string>{"crossbar.cell_bits", "adc.bits", "mesh.rows"}));
}

TEST(SweepConfig, TheSamePointTwiceIsAnError) {
  const SweepConfig c = parse("base: ../arch/default.yaml\npoints:\n  - {adc.bits: 4}\n  - {adc.bits: 4}\n" + kTail);
  try {
    expand_points(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.yaml: points 0 and 1 are the same (lenet5, w8a8"));
  }
}

TEST(SweepConfig, ShippedSweepsLoad) {
  const SweepConfig vgg = load_sweep_config(kFolder + "/vgg-small-xbar.yaml");
  EXPECT_GE(expand_points(vgg).size(), 50u);
  const SweepConfig cores = load_sweep_config(kFolder + "/resnet18-cores.yaml");
  EXPECT_EQ(expand_points(cores).size(), 7u);
  EXPECT_EQ(expand_points(load_sweep_config(kFolder + "/lenet5-adc-accuracy.yaml")).size(), 20u);
}

}  // namespace
}  // namespace cimvp
