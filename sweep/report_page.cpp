#include "sweep/report_page.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace cimvp {

namespace {

const char* const kLibraries[] = {"vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js",
                                  "vega-embed/build/vega-embed.min.js"};

const char* const kStyle =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}"
    ".charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}"
    "table{border-collapse:collapse;font-size:12px;margin:6px 0}td,th{border:1px solid #ccc;padding:2px 6px;"
    "text-align:right}td.t,th.t{text-align:left}th{background:#f0f0f0}table.sortable th{cursor:pointer}"
    "td.err{color:#b00;text-align:left}.note{color:#555;font-size:13px}.warning{color:#a40}";

// Sorts a table.sortable by the clicked column: numbers by data-v, text
// otherwise; a second click reverses. A few lines, no library needed.
const char* const kSortScript =
    "document.querySelectorAll('table.sortable').forEach(function(t){"
    "t.querySelectorAll('th').forEach(function(th,c){th.addEventListener('click',function(){"
    "var rows=Array.from(t.tBodies[0].rows),up=th.getAttribute('data-up')!=='1';"
    "t.querySelectorAll('th').forEach(function(h){h.removeAttribute('data-up');});if(up)th.setAttribute('data-up','1');"
    "function key(r){var d=r.cells[c];var v=d.getAttribute('data-v');return v===null?d.textContent:parseFloat(v);}"
    "rows.sort(function(a,b){var x=key(a),y=key(b);var o=(typeof x==='number'&&typeof y==='number')?x-y:"
    "String(x).localeCompare(String(y));return up?o:-o;});rows.forEach(function(r){t.tBodies[0].appendChild(r);});"
    "});});});";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Text inside <script> must not close the element early: "</script" only
// occurs inside string literals (the libraries have none today), where
// "<\/script" means the same.
std::string script_safe(std::string js) {
  for (size_t at = js.find("</script"); at != std::string::npos; at = js.find("</script", at + 3)) js.replace(at, 2, "<\\/");
  return js;
}

}  // namespace

std::string report_assets_dir() {
  const char* env = std::getenv("CIMVP_REPORT_ASSETS");
  const std::string dir = env && *env ? env : "/usr/local/share/cimvp/report-assets";
  for (const char* lib : kLibraries)
    if (!std::filesystem::is_regular_file(dir + "/node_modules/" + lib))
      throw Error("report: the plotting library " + dir + "/node_modules/" + lib +
                  " is missing: run scripts/install_report_assets.sh (or scripts/install_deps.sh), or point "
                  "CIMVP_REPORT_ASSETS at a folder it filled");
  return dir;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void ReportPage::chart(nlohmann::json spec) {
  spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
  const std::string title = spec.contains("title") && spec["title"].is_string() ? spec["title"].get<std::string>() : "";
  body_ += "<div class=\"chart\" id=\"chart" + std::to_string(specs_.size()) + "\" data-title=\"" + html_escape(title) +
           "\"></div>\n";
  specs_.push_back(std::move(spec));
}

std::string ReportPage::str() const {
  const std::string assets = report_assets_dir();
  std::string libs;
  for (const char* lib : kLibraries) libs += "<script>" + script_safe(read_file(assets + "/node_modules/" + lib)) + "</script>\n";
  const std::string specs = script_safe(nlohmann::json(specs_).dump());
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title_) +
         "</title><style>" + kStyle + "</style>\n" + libs + "</head><body>\n<h1>" + html_escape(title_) + "</h1>\n" +
         body_ + "<script>" + kSortScript + "\nvar specs=" + specs +
         ";\nPromise.all(specs.map(function(s,i){return vegaEmbed('#chart'+i,s,{renderer:'svg',actions:false});}))"
         ".then(function(){document.body.setAttribute('data-charts-rendered',String(specs.length));})"
         ".catch(function(e){console.error('chart failed: '+e);});\n</script></body></html>\n";
}

}  // namespace cimvp
