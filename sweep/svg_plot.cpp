#include "sweep/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace cimvp {

namespace {

constexpr double kW = 560, kH = 340;                            // whole chart
constexpr double kLeft = 70, kRight = 20, kTop = 46, kBottom = 60;  // margins (legend above the frame)
const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double map(double v, double a, double b) const {  // value -> pixel between a and b
    const double t = log ? (std::log10(v) - lo) / (hi - lo) : (v - lo) / (hi - lo);
    return a + t * (b - a);
  }
};

Axis make_axis(std::vector<double> values, bool log) {
  Axis a;
  a.log = log;
  if (log) values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !(v > 0); }), values.end());
  if (values.empty()) return a;
  double lo = *std::min_element(values.begin(), values.end());
  double hi = *std::max_element(values.begin(), values.end());
  if (log) lo = std::log10(lo), hi = std::log10(hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
    const double pad = log ? 0.5 : std::max(std::fabs(lo) * 0.1, 1e-12);
    lo -= pad, hi += pad;
  } else {
    const double pad = (hi - lo) * 0.05;
    lo -= pad, hi += pad;
  }
  a.lo = lo, a.hi = hi;
  return a;
}

std::vector<double> axis_ticks(const Axis& a) {
  if (!a.log) return nice_ticks(a.lo, a.hi);
  std::vector<double> t;
  for (double e = std::ceil(a.lo); e <= a.hi; e += 1) t.push_back(std::pow(10.0, e));
  if (t.size() < 2) {
    t.clear();
    for (double v : nice_ticks(std::pow(10.0, a.lo), std::pow(10.0, a.hi)))
      if (v > 0) t.push_back(v);
  }
  return t;
}

void frame(std::ostringstream& s, const std::string& title, const std::string& x_label, const std::string& y_label) {
  s << "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kW << "\" height=\"" << kH
    << "\" viewBox=\"0 0 " << kW << " " << kH << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
    << "<title>" << xml_escape(title) << "</title>\n"
    << "<text x=\"" << kW / 2 << "\" y=\"15\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
    << xml_escape(title) << "</text>\n"
    << "<text x=\"" << (kLeft + kW - kRight) / 2 << "\" y=\"" << kH - 8 << "\" text-anchor=\"middle\">"
    << xml_escape(x_label) << "</text>\n"
    << "<text transform=\"translate(14," << (kTop + kH - kBottom) / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
    << xml_escape(y_label) << "</text>\n"
    << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kW - kLeft - kRight << "\" height=\""
    << kH - kTop - kBottom << "\" fill=\"none\" stroke=\"#444\"/>\n";
}

// Between the title and the frame, in one or two rows; names too long to fit
// are cut (the tooltips and the table have them in full).
void legend(std::ostringstream& s, const std::vector<std::string>& names) {
  if (names.size() < 2) return;
  double x = kLeft, y = kTop - 16;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = names[i].size() > 28 ? names[i].substr(0, 27) + "~" : names[i];
    const double width = 18 + 5.8 * double(name.size());
    if (x + width > kW - kRight && x > kLeft) {
      if (y > kTop - 16) break;  // two rows at most
      x = kLeft, y += 11;
    }
    s << "<rect x=\"" << fmt(x) << "\" y=\"" << fmt(y - 8) << "\" width=\"8\" height=\"8\" fill=\"" << kColors[i % 10]
      << "\"/><text x=\"" << fmt(x + 11) << "\" y=\"" << fmt(y) << "\" font-size=\"10\">" << xml_escape(name)
      << "</text>\n";
    x += width;
  }
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, count);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return ticks;
}

std::string svg_xy(const XyPlot& p) {
  std::vector<double> xs, ys;
  for (const Series& s : p.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  const Axis ax = make_axis(xs, p.log_x), ay = make_axis(ys, p.log_y);
  const double x0 = kLeft, x1 = kW - kRight, y0 = kH - kBottom, y1 = kTop;
  std::ostringstream s;
  frame(s, p.title, p.x_label + (p.log_x ? " (log)" : ""), p.y_label + (p.log_y ? " (log)" : ""));
  for (double t : axis_ticks(ax)) {
    const double x = ax.map(t, x0, x1);
    if (x < x0 - 0.5 || x > x1 + 0.5) continue;
    s << "<line x1=\"" << fmt(x) << "\" y1=\"" << y0 << "\" x2=\"" << fmt(x) << "\" y2=\"" << y0 + 4
      << "\" stroke=\"#444\"/><text x=\"" << fmt(x) << "\" y=\"" << y0 + 16 << "\" text-anchor=\"middle\">" << num(t)
      << "</text>\n";
  }
  for (double t : axis_ticks(ay)) {
    const double y = ay.map(t, y0, y1);
    if (y > y0 + 0.5 || y < y1 - 0.5) continue;
    s << "<line x1=\"" << x0 - 4 << "\" y1=\"" << fmt(y) << "\" x2=\"" << x1 << "\" y2=\"" << fmt(y)
      << "\" stroke=\"#ddd\"/><text x=\"" << x0 - 6 << "\" y=\"" << fmt(y + 4) << "\" text-anchor=\"end\">" << num(t)
      << "</text>\n";
  }
  std::vector<std::string> names;
  for (size_t k = 0; k < p.series.size(); ++k) {
    const Series& se = p.series[k];
    names.push_back(se.name);
    const char* color = kColors[k % 10];
    std::string pts;
    for (size_t i = 0; i < se.x.size() && i < se.y.size(); ++i) {
      if ((p.log_x && !(se.x[i] > 0)) || (p.log_y && !(se.y[i] > 0))) continue;
      const double x = ax.map(se.x[i], x0, x1), y = ay.map(se.y[i], y0, y1);
      if (se.line) pts += fmt(x) + "," + fmt(y) + " ";
      else {
        s << "<circle class=\"pt\" cx=\"" << fmt(x) << "\" cy=\"" << fmt(y) << "\" r=\"3.5\" fill=\"" << color
          << "\" fill-opacity=\"0.75\">";
        if (i < se.tips.size()) s << "<title>" << xml_escape(se.tips[i]) << "</title>";
        s << "</circle>\n";
      }
    }
    if (se.line && !pts.empty())
      s << "<polyline class=\"line\" points=\"" << pts << "\" fill=\"none\" stroke=\"" << color
        << "\" stroke-width=\"2\"/>\n";
  }
  legend(s, names);
  s << "</svg>\n";
  return s.str();
}

std::string svg_bars(const BarPlot& p) {
  const size_t n = p.categories.size();
  std::vector<double> totals(n, 0.0);
  for (const auto& [name, values] : p.stacks)
    for (size_t i = 0; i < n && i < values.size(); ++i) totals[i] += std::max(0.0, values[i]);
  const double top = n ? std::max(1e-300, *std::max_element(totals.begin(), totals.end())) * 1.08 : 1.0;
  const double x0 = kLeft, x1 = kW - kRight, y0 = kH - kBottom, y1 = kTop + 4;
  std::ostringstream s;
  frame(s, p.title, "", p.y_label);
  for (double t : nice_ticks(0, top)) {
    const double y = y0 - t / top * (y0 - y1);
    s << "<line x1=\"" << x0 - 4 << "\" y1=\"" << fmt(y) << "\" x2=\"" << x1 << "\" y2=\"" << fmt(y)
      << "\" stroke=\"#ddd\"/><text x=\"" << x0 - 6 << "\" y=\"" << fmt(y + 4) << "\" text-anchor=\"end\">" << num(t)
      << "</text>\n";
  }
  const double slot = n ? (x1 - x0) / double(n) : 1, width = slot * 0.7;
  for (size_t i = 0; i < n; ++i) {
    double base = y0;
    const double x = x0 + slot * double(i) + (slot - width) / 2;
    for (size_t k = 0; k < p.stacks.size(); ++k) {
      const double v = i < p.stacks[k].second.size() ? std::max(0.0, p.stacks[k].second[i]) : 0.0;
      const double h = v / top * (y0 - y1);
      s << "<rect class=\"bar\" x=\"" << fmt(x) << "\" y=\"" << fmt(base - h) << "\" width=\"" << fmt(width)
        << "\" height=\"" << fmt(h) << "\" fill=\"" << kColors[k % 10] << "\"><title>"
        << xml_escape(p.categories[i] + ": " + p.stacks[k].first + " " + num(v)) << "</title></rect>\n";
      base -= h;
    }
    s << "<text transform=\"translate(" << fmt(x + width / 2) << "," << y0 + 10 << ") rotate(30)\" font-size=\"9\">"
      << xml_escape(p.categories[i].substr(0, 18)) << "</text>\n";
  }
  std::vector<std::string> names;
  for (const auto& st : p.stacks) names.push_back(st.first);
  legend(s, names);
  s << "</svg>\n";
  return s.str();
}

}  // namespace cimvp
