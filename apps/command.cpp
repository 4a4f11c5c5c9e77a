#include "apps/command.h"

#include <fstream>
#include <iostream>

#include "common/error.h"

namespace cimvp::cli {

bool parse(const std::string& command, const std::string& usage, po::options_description& options,
           const po::positional_options_description& positional, const std::vector<std::string>& args,
           po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: cimvp " << command << " " << usage << "\n\n" << options << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

void write_predictions(const std::vector<int>& predictions, const std::string& path) {
  std::ofstream out(path);
  for (int p : predictions) out << p << "\n";
  if (!out) throw Error(path + ": cannot write the predictions");
}

}  // namespace cimvp::cli
