#include <iostream>

#include "apps/command.h"
#include "config/arch_config.h"

namespace cimvp::cli {

int cmd_params(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("markdown", "print the table as Markdown (docs/params.md)");
  po::variables_map vm;
  if (!parse("params", "[--markdown]", options, {}, args, vm)) return 0;
  std::cout << (vm.count("markdown") ? params_markdown() : params_table());
  return 0;
}

}  // namespace cimvp::cli
