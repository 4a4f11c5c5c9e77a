// The report's SVG charts and the Pareto front.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sweep/pareto.h"
#include "sweep/svg_plot.h"

namespace cimvp {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SweepPareto, KeepsOnlyUndominatedPoints) {
  // latency (lower better), accuracy (higher better)
  const std::vector<double> x = {1, 2, 3, 4, 2.5, 1};
  const std::vector<double> y = {0.5, 0.7, 0.6, 0.9, 0.8, 0.4};
  EXPECT_EQ(pareto_front(x, y, true), (std::vector<size_t>{0, 1, 4, 3}));
  // both lower better: energy
  EXPECT_EQ(pareto_front({1, 2, 3}, {3, 1, 2}, false), (std::vector<size_t>{0, 1}));
}

TEST(SweepSvg, NiceTicksAreRound) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  const std::vector<double> t = nice_ticks(0.13, 0.61, 4), want = {0.2, 0.4, 0.6};  // (0.61 - 0.13) / 4 = 0.12: step 0.2
  ASSERT_EQ(t.size(), want.size());
  for (size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(t[i], want[i], 1e-12);
}

TEST(SweepSvg, XyPlotHasOneMarkPerPointAndEscapesText) {
  Series dots{"a<b", {1, 2, 3}, {3, 4, 5}, {"p&1", "p2", "p3"}, false};
  Series line{"front", {1, 3}, {3, 5}, {}, true};
  const std::string svg = svg_xy({"t", "x", "y", true, false, {dots, line}});
  EXPECT_EQ(count(svg, "<circle class=\"pt\""), 3u);
  EXPECT_EQ(count(svg, "<polyline class=\"line\""), 1u);
  EXPECT_THAT(svg, ::testing::HasSubstr("a&lt;b"));
  EXPECT_THAT(svg, ::testing::HasSubstr("p&amp;1"));
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
}

TEST(SweepSvg, StackedBarsHaveOneRectPerComponentAndCategory) {
  const std::string svg = svg_bars({"e", "uJ", {"p1", "p2"}, {{"adc", {1, 2}}, {"dac", {3, 4}}, {"noc", {0, 1}}}});
  EXPECT_EQ(count(svg, "<rect class=\"bar\""), 6u);
}

}  // namespace
}  // namespace cimvp
