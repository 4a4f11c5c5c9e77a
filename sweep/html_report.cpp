#include "sweep/html_report.h"

#include <filesystem>

#include "common/error.h"
#include "sweep/run_report.h"
#include "sweep/search_report.h"
#include "sweep/sweep_report.h"

namespace cimvp {

std::string report_html(const std::string& path, const std::string& cimvp) {
  namespace fs = std::filesystem;
  if (fs::is_regular_file(path)) return run_report_html(path);
  if (!fs::is_directory(path)) throw Error(path + ": no such file or folder");
  if (fs::exists(path + "/results.jsonl")) return sweep_report_html(path);
  if (fs::exists(path + "/summary.json") || fs::exists(path + "/episodes.csv")) return search_report_html(path, cimvp);
  if (fs::exists(path + "/report.json")) return run_report_html(path + "/report.json");
  throw Error(path + ": neither a sweep's results.jsonl, a search's summary.json or episodes.csv, nor a run's "
              "report.json is there");
}

}  // namespace cimvp
