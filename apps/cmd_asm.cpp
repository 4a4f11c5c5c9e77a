#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/command.h"
#include "common/error.h"
#include "firmware/assembler.h"
#include "config/arch_config.h"
#include "platform/soc.h"

namespace cimvp::cli {

int cmd_asm(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("source", po::value<std::string>()->required(), "assembly file (.s)")
      ("arch", po::value<std::string>()->required(), "architecture YAML the image targets")
      ("output,o", po::value<std::string>()->required(), "firmware image to write");
  po::positional_options_description positional;
  positional.add("source", 1);
  po::variables_map vm;
  if (!parse("asm", "FILE.s --arch ARCH.yaml -o IMAGE", options, positional, args, vm)) return 0;

  const std::string source = vm["source"].as<std::string>();
  const ArchConfig arch = load_arch_config(vm["arch"].as<std::string>());
  std::ifstream in(source);
  if (!in) throw Error(source + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  const ArchLimits limits = arch_limits(arch);
  FirmwareImage image = assemble(text.str(), source, &limits);
  image.arch_name = arch.name;
  image.arch_fingerprint = arch.fingerprint();
  if (image.cores.size() < size_t(arch.cores())) image.cores.resize(size_t(arch.cores()));
  if (image.cores.size() > size_t(arch.cores()))
    throw Error(source + ": has code for " + std::to_string(image.cores.size()) + " cores, architecture '" +
                arch.name + "' has " + std::to_string(arch.cores()));
  write_image_file(image, vm["output"].as<std::string>());
  size_t instructions = 0;
  for (const auto& c : image.cores) instructions += c.code.size();
  std::cout << "wrote " << vm["output"].as<std::string>() << ": " << instructions << " instructions, "
            << image.blocks.size() << " weight blocks, for " << arch.name << "\n";
  return 0;
}

}  // namespace cimvp::cli
