// cimvp report: a sweep's or a search's output folder, or a run's report.json,
// as one self-contained HTML file (sweep/html_report.h).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apps/command.h"
#include "common/error.h"
#include "sweep/html_report.h"

namespace cimvp::cli {

int cmd_report(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("folder", po::value<std::string>()->required(), "output folder of `cimvp sweep` or `cimvp search`, or a report.json of `cimvp run --report`")
      ("output,o", po::value<std::string>()->required(), "the HTML file to write");
  po::positional_options_description positional;
  positional.add("folder", 1);
  po::variables_map vm;
  if (!parse("report", "DIR|REPORT.json -o report.html", options, positional, args, vm)) return 0;
  // A search report runs this binary (through a shell, so its resolved path)
  // to time the found policy per layer.
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string html = report_html(vm["folder"].as<std::string>(), self);
  const std::string path = vm["output"].as<std::string>();
  std::ofstream out(path);
  if (!out) throw Error(path + ": cannot open for writing");
  out << html;
  if (!out) throw Error(path + ": write failed");
  std::cout << "wrote " << path << " (" << html.size() << " bytes)\n";
  return 0;
}

}  // namespace cimvp::cli
