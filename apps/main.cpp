// cimvp: the virtual platform's command line. Every error is one line
// "cimvp <command>: <message>" on stderr and a non-zero exit.
#include <cstdio>
#include <exception>
#include <iostream>

#include "apps/command.h"
#include "common/error.h"
#include "common/provenance.h"
#include "common/version.h"
#include "common/sc_main_env.h"

namespace {

void print_usage() {
  std::cout << "usage: cimvp <command> [options]   (cimvp <command> --help for its options; cimvp --version)\n\ncommands:\n";
  for (const auto& c : cimvp::cli::commands()) std::printf("  %-12s %s\n", c.name.c_str(), c.summary.c_str());
}

}  // namespace

int sc_main(int argc, char** argv) {
  cimvp::set_command_line(argc, argv);
  if (argc == 2 && (std::string(argv[1]) == "--version" || std::string(argv[1]) == "version")) {
    std::printf("cimvp %s (commit %s)\n", cimvp::version(), cimvp::commit());
    return 0;
  }
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : cimvp::cli::commands()) {
    if (c.name != name) continue;
    try {
      return c.run(args);
    } catch (const cimvp::Error& e) {
      std::cerr << "cimvp " << name << ": " << e.what() << "\n";
      return 1;
    } catch (const boost::program_options::error& e) {
      std::cerr << "cimvp " << name << ": " << e.what() << " (see cimvp " << name << " --help)\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "cimvp " << name << ": internal error: " << e.what() << "\n";
      return 3;
    }
  }
  std::cerr << "cimvp: unknown command '" << name << "' (see cimvp --help)\n";
  return 2;
}

int main(int argc, char** argv) { return cimvp::enter_systemc(argc, argv); }
