#include "sweep/report_table.h"

#include <cstdio>

#include "sweep/report_page.h"

namespace cimvp {

std::string format_number(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, value);
  return buf;
}

TableCell text_cell(const std::string& text, const std::string& css) { return {text, 0, false, css.empty() ? "t" : css}; }

TableCell number_cell(double value, int digits, double scale) {
  return {format_number(value * scale, digits), value, true, ""};
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<TableCell>>& rows,
                       bool sortable) {
  std::string s = sortable ? "<table class=\"sortable\"><thead><tr>" : "<table><thead><tr>";
  for (const std::string& h : header) s += "<th>" + html_escape(h) + "</th>";
  s += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    s += "<tr>";
    for (const TableCell& c : row) {
      s += "<td";
      if (!c.css.empty()) s += " class=\"" + c.css + "\"";
      if (c.number) s += " data-v=\"" + format_number(c.value, 17) + "\"";
      s += ">" + html_escape(c.text) + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</tbody></table>\n";
}

}  // namespace cimvp
