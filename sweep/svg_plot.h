// Small SVG charts for the HTML report, written here instead of pulling a
// plotting library in: Debian's SVG-capable ones (PLplot, libplot) write
// whole files through a device, without tooltips or classes the tests can
// count, and the report must open without network (no JavaScript library). Every chart is an <svg class="plot"> with its
// marks as circles (class "pt"), polylines (class "line") or rects (class
// "bar"), so a test can count them. Text is XML-escaped.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cimvp {

struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<std::string> tips;  // tooltip per point (optional)
  bool line = false;              // a polyline through the points (in x order given) instead of dots
};

struct XyPlot {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<Series> series;
};

struct BarPlot {
  std::string title, y_label;
  std::vector<std::string> categories;                             // one bar per category
  std::vector<std::pair<std::string, std::vector<double>>> stacks;  // component -> value per category
};

std::string svg_xy(const XyPlot& plot);
std::string svg_bars(const BarPlot& plot);
std::string xml_escape(const std::string& text);
// Up to about `count` round tick values covering [lo, hi] (1, 2, 5 x 10^k).
std::vector<double> nice_ticks(double lo, double hi, int count = 5);

}  // namespace cimvp
