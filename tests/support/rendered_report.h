// A `cimvp report` page as headless Chromium renders it: every chart's data
// marks (the SVG elements Vega gives a data item: points, bars, lines, text,
// rules) and axis titles, read from the DOM after the charts have rendered,
// and the console errors of the page. Counting SVG elements checks what a
// reader sees, not what the page claims about itself.
#pragma once

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/sweep_results.h"  // read_text

namespace cimvp::test {

struct RenderedChart {
  std::map<std::string, size_t> marks;   // aria-roledescription -> count: "point", "bar", "line mark", "text mark", "rule mark"
  std::vector<std::string> axis_titles;  // in document order
  size_t visible_bars = 0;               // bars at least half a pixel wide and high
  std::map<std::string, size_t> point_fills;  // fill colour -> points drawn in it
  size_t count(const std::string& kind) const { return marks.count(kind) ? marks.at(kind) : 0; }
};

struct RenderedPage {
  std::string dom;
  std::string console;  // what the page reported through console.error / onerror, "" when clean
  size_t charts_rendered = 0;
  std::map<std::string, RenderedChart> charts;  // by data-title
};

inline std::string run_shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  return out;
}

// Records console.error, uncaught errors and failed loads into an attribute
// that --dump-dom shows.
const char* const kConsoleHook =
    "<script>window.__errors=[];function __note(m){window.__errors.push(String(m));"
    "document.documentElement.setAttribute('data-console-errors',window.__errors.join(' | '));}"
    "window.onerror=function(m){__note(m);};var __ce=console.error;console.error=function(){__note("
    "Array.prototype.join.call(arguments,' '));__ce.apply(console,arguments);};"
    "window.addEventListener('error',function(e){if(e.target&&e.target!==window)__note('failed to load '+"
    "(e.target.src||e.target.href));},true);</script>";

inline std::map<std::string, RenderedChart> parse_charts(const std::string& dom) {
  std::map<std::string, RenderedChart> charts;
  const std::regex div("<div [^>]*id=\"chart[0-9]+\"[^>]*>");
  const std::regex title_attr("data-title=\"([^\"]*)\"");
  const std::regex mark("role=\"graphics-symbol\" aria-roledescription=\"([a-z ]+)\"");
  // Vega draws a bar as a path "M x,y h width v height h -width Z".
  const std::regex bar("aria-roledescription=\"bar\" d=\"M[^,]+,[^h]+h([-0-9.e]+)v([-0-9.e]+)h");
  const std::regex point_fill("aria-roledescription=\"point\"[^>]*fill=\"([^\"]+)\"");
  const std::regex axis_title("role-axis-title\"[^>]*><text[^>]*>([^<]*)</text>");
  std::vector<std::pair<size_t, std::string>> starts;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), div); it != std::sregex_iterator(); ++it) {
    std::smatch t;
    const std::string tag = it->str();
    starts.emplace_back(size_t(it->position()), std::regex_search(tag, t, title_attr) ? t[1].str() : "");
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1].first : dom.size();
    const std::string part = dom.substr(starts[i].first, end - starts[i].first);
    RenderedChart& c = charts[starts[i].second];
    for (auto it = std::sregex_iterator(part.begin(), part.end(), mark); it != std::sregex_iterator(); ++it)
      ++c.marks[(*it)[1].str()];
    for (auto it = std::sregex_iterator(part.begin(), part.end(), point_fill); it != std::sregex_iterator(); ++it)
      ++c.point_fills[(*it)[1].str()];
    for (auto it = std::sregex_iterator(part.begin(), part.end(), bar); it != std::sregex_iterator(); ++it)
      c.visible_bars += std::abs(std::stod((*it)[1].str())) >= 0.5 && std::abs(std::stod((*it)[2].str())) >= 0.5;
    for (auto it = std::sregex_iterator(part.begin(), part.end(), axis_title); it != std::sregex_iterator(); ++it)
      c.axis_titles.push_back((*it)[1].str());
  }
  return charts;
}

// Renders `html` (a copy with the console hook) in `dir`, with a virtual-time
// budget long enough for Vega to render every chart. `on_load`: JavaScript
// run once the page has loaded (what a reader would click).
inline RenderedPage render_report(const std::string& html, const std::string& dir, const std::string& on_load = "") {
  std::string page = read_text(html);
  const size_t head = page.find("<head>");
  if (head != std::string::npos) page.insert(head + 6, kConsoleHook);
  const size_t end = page.rfind("</body>");
  if (!on_load.empty() && end != std::string::npos)
    page.insert(end, "<script>window.addEventListener('load',function(){" + on_load + "});</script>");
  {
    std::ofstream out(dir + "/hooked.html");
    out << page;
  }
  const std::string chromium = "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + dir +
                               "/profile --virtual-time-budget=20000 ";
  RenderedPage r;
  const std::string log = run_shell(chromium + "--enable-logging=stderr --v=0 --dump-dom file://" + dir +
                                    "/hooked.html > " + dir + "/dom.html");
  r.dom = read_text(dir + "/dom.html");
  std::smatch m;
  if (std::regex_search(r.dom, m, std::regex("data-console-errors=\"([^\"]*)\""))) r.console = m[1].str();
  // Chromium logs page console messages as CONSOLE(...) lines.
  for (size_t at = log.find("CONSOLE("); at != std::string::npos; at = log.find("CONSOLE(", at + 1))
    r.console += " | " + log.substr(at, log.find('\n', at) - at);
  if (std::regex_search(r.dom, m, std::regex("data-charts-rendered=\"([0-9]+)\""))) r.charts_rendered = std::stoul(m[1].str());
  r.charts = parse_charts(r.dom);
  return r;
}

// A screenshot of the page (for people: the tests only check it is not blank).
inline size_t screenshot(const std::string& html, const std::string& png, const std::string& dir) {
  run_shell("chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + dir +
            "/profile --virtual-time-budget=20000 --window-size=1400,3000 --screenshot=" + png + " file://" + html);
  struct stat st {};
  return stat(png.c_str(), &st) == 0 ? size_t(st.st_size) : 0;
}

}  // namespace cimvp::test
