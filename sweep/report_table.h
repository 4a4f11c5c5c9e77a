// HTML tables for the report pages: numbers right-aligned with their exact
// value in data-v (the page's sort script orders by it), text left-aligned.
#pragma once

#include <string>
#include <vector>

namespace cimvp {

struct TableCell {
  std::string text;     // shown (escaped when written)
  double value = 0;     // sort key when `number`
  bool number = false;
  std::string css;      // optional class, e.g. "err"
};

TableCell text_cell(const std::string& text, const std::string& css = "");
// `digits` significant digits; `scale` multiplies the shown value only.
TableCell number_cell(double value, int digits = 4, double scale = 1);

// A table; `sortable` makes its header clickable (report_page.h's script).
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<TableCell>>& rows,
                       bool sortable);

// A number with `digits` significant digits, without exponent noise for
// ordinary magnitudes (%.4g).
std::string format_number(double value, int digits = 4);

}  // namespace cimvp
