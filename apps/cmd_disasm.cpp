#include <iostream>

#include "apps/command.h"
#include "firmware/assembler.h"

namespace cimvp::cli {

int cmd_disasm(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("image", po::value<std::string>()->required(), "firmware image");
  po::positional_options_description positional;
  positional.add("image", 1);
  po::variables_map vm;
  if (!parse("disasm", "IMAGE", options, positional, args, vm)) return 0;
  std::cout << disassemble(read_image_file(vm["image"].as<std::string>()));
  return 0;
}

}  // namespace cimvp::cli
