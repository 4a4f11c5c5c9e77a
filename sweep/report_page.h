// One self-contained HTML report page: text, tables and Vega-Lite charts,
// with Vega, Vega-Lite and vega-embed inlined so the file opens without
// network (docs/design-decisions.md says why Vega-Lite). The libraries are
// read from the folder scripts/install_report_assets.sh fills.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cimvp {

// The folder holding node_modules/{vega,vega-lite,vega-embed}:
// $CIMVP_REPORT_ASSETS, else /usr/local/share/cimvp/report-assets. Throws
// cimvp::Error naming the folder and the install command when a library is
// missing.
std::string report_assets_dir();

std::string html_escape(const std::string& text);

class ReportPage {
 public:
  explicit ReportPage(std::string title) : title_(std::move(title)) {}
  // Appends trusted HTML (callers escape what they insert).
  void html(const std::string& fragment) { body_ += fragment; }
  void heading(const std::string& text) { body_ += "<h2>" + html_escape(text) + "</h2>\n"; }
  void note(const std::string& text) { body_ += "<p class=\"note\">" + html_escape(text) + "</p>\n"; }
  // A Vega-Lite spec, rendered to SVG in a <div class="chart"> whose
  // data-title is the spec's title (tests find each chart by it).
  void chart(nlohmann::json spec);
  size_t charts() const { return specs_.size(); }
  // The whole page. Once every chart has rendered, <body> gets
  // data-charts-rendered="N"; a failed chart goes to console.error.
  std::string str() const;

 private:
  std::string title_;
  std::string body_;
  std::vector<nlohmann::json> specs_;
};

}  // namespace cimvp
