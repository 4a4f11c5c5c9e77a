// `cimvp report` renders in headless Chromium: a sweep
// with accuracy (the pretrained lenet5) and a search folder each give an
// HTML file that Chromium loads without console errors, screenshots, and
// whose rendered DOM holds every plot with its marks. A window.onerror and
// console.error hook is injected into a copy of the page and writes what it
// catches into the DOM, which --dump-dom then shows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/cli.h"
#include "tests/support/sweep_results.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  return out;
}

const char* const kHook =
    "<script>window.__errors=[];function __note(m){window.__errors.push(String(m));"
    "document.documentElement.setAttribute('data-console-errors',window.__errors.join(' | '));}"
    "window.onerror=function(m){__note(m);};var __ce=console.error;console.error=function(){__note("
    "Array.prototype.join.call(arguments,' '));__ce.apply(console,arguments);};"
    "window.addEventListener('error',function(e){if(e.target&&e.target!==window)__note('failed to load '+"
    "(e.target.src||e.target.href));},true);</script>";

// Loads `html` in headless Chromium; returns the rendered DOM and checks the
// screenshot and the console.
std::string render(const std::string& html, const std::string& dir) {
  std::string page = read(html);
  const size_t head = page.find("<head>");
  EXPECT_NE(head, std::string::npos);
  page.insert(head + 6, kHook);
  test::write_text(dir + "/hooked.html", page);
  const std::string chromium = "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + dir + "/profile ";
  const std::string shot = dir + "/shot.png";
  const std::string log = shell(chromium + "--enable-logging=stderr --v=0 --window-size=1280,2400 --screenshot=" +
                                shot + " file://" + dir + "/hooked.html");
  struct stat st {};
  EXPECT_EQ(stat(shot.c_str(), &st), 0) << log;
  EXPECT_GT(st.st_size, 10000) << "a blank screenshot? " << log;
  // Chromium logs page console messages as CONSOLE(...) lines.
  EXPECT_THAT(log, ::testing::Not(HasSubstr("CONSOLE("))) << log;
  const std::string dom = shell(chromium + "--dump-dom file://" + dir + "/hooked.html");
  EXPECT_THAT(dom, HasSubstr("</svg>"));
  EXPECT_THAT(dom, ::testing::Not(HasSubstr("data-console-errors=\""))) << "console errors in the page";
  return dom;
}

// Every <svg class="plot"> in `dom` holds at least one mark (point, line or bar).
size_t check_plots(const std::string& dom) {
  size_t plots = 0;
  for (size_t at = dom.find("<svg class=\"plot\""); at != std::string::npos; at = dom.find("<svg class=\"plot\"", at + 1)) {
    const std::string svg = dom.substr(at, dom.find("</svg>", at) - at);
    const bool marked = svg.find("class=\"pt\"") != std::string::npos || svg.find("class=\"line\"") != std::string::npos ||
                        svg.find("class=\"bar\"") != std::string::npos;
    EXPECT_TRUE(marked) << svg.substr(0, 300);
    ++plots;
  }
  return plots;
}

TEST(ReportCli, SweepReportRendersInChromiumWithEveryPlot) {
  const std::string dir = test::temp_folder("report");
  test::write_text(dir + "/sweep.yaml",
                   "base: " + std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml\n"
                   "grid:\n  adc.bits: [6, 10]\n  crossbar.cell_bits: [1, 2]\n"
                   "models:\n  - {model: " + std::string(CIMVP_SOURCE_DIR) + "/pretrained/lenet5-fmnist-w8a8.cimvp, "
                   "dataset: fashion-mnist}\npolicies: [w8a8, w4a4]\n"
                   "metrics: [latency, energy, area, accuracy, edp, crossbars]\naccuracy_images: 10\n");
  ASSERT_EQ(test::cimvp("sweep --config " + dir + "/sweep.yaml -o " + dir + "/out --jobs 2 --no-progress").status, 0);
  const test::Outcome o = test::cimvp("report " + dir + "/out -o " + dir + "/report.html");
  ASSERT_EQ(o.status, 0) << o.output;
  const std::string html = read(dir + "/report.html");
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // nothing fetched: only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  const std::string dom = render(dir + "/report.html", dir);
  for (const char* title : {"latency vs accuracy", "energy of a run by component", "chip area by component",
                            "bits per layer of each policy", "cycles per layer of the fastest point",
                            "adc.bits vs latency [s]", "adc.bits vs energy [J]", "adc.bits vs chip area [mm2]",
                            "crossbar.cell_bits vs latency [s]"})
    EXPECT_THAT(dom, HasSubstr(title));
  EXPECT_EQ(check_plots(dom), 11u);  // front, 2 breakdowns, bits, layers, 2 swept keys x 3 metrics
  EXPECT_THAT(dom, HasSubstr("<table>"));
  EXPECT_THAT(dom, HasSubstr("Pareto front"));
}

TEST(ReportCli, SearchFolderGivesAReport) {
  const std::string dir = test::temp_folder("report_search");
  test::write_text(dir + "/episodes.csv",
                   "episode,kind,weight_bits,activation_bits,accuracy,latency_seconds,cycles,energy_joules,cost_ratio,"
                   "speedup,reward,meets_target,placement\n"
                   "0,warmup,8-4-4,8-8-8,0.9,1e-4,100000,1e-6,0.8,1.25,0.2,1,resident\n"
                   "1,explore,4-4-4,8-4-8,0.85,8e-5,80000,1e-6,0.6,1.6,-0.1,0,resident\n"
                   "2,explore,2-4-4,8-4-4,0.89,6e-5,60000,1e-6,0.5,2.0,0.4,1,resident\n");
  test::write_text(dir + "/best-policy.yaml", "weight_bits: [2, 4, 4]\nactivation_bits: [8, 4, 4]\n");
  ASSERT_EQ(test::cimvp("report " + dir + " -o " + dir + "/report.html").status, 0);
  const std::string dom = render(dir + "/report.html", dir);
  for (const char* title : {"reward per episode", "best speedup over W8A8", "bits per layer of best-policy.yaml"})
    EXPECT_THAT(dom, HasSubstr(title));
  EXPECT_EQ(check_plots(dom), 3u);
  const test::Outcome bad = test::cimvp("report " + dir + "/nothing -o " + dir + "/r.html");
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.output, HasSubstr("neither a sweep's results.jsonl nor a search's episodes.csv"));
}

}  // namespace
}  // namespace cimvp
