#include "common/provenance.h"

#include "common/version.h"

namespace cimvp {

namespace {

std::vector<std::string>& stored_command_line() {
  static std::vector<std::string> line;
  return line;
}

}  // namespace

void set_command_line(int argc, char** argv) {
  std::vector<std::string>& line = stored_command_line();
  line.clear();
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i == 0) arg = arg.substr(arg.find_last_of('/') + 1);  // no machine paths in reports
    line.push_back(arg);
  }
}

const std::vector<std::string>& command_line() { return stored_command_line(); }

nlohmann::json provenance_json() {
  return {{"version", version()}, {"commit", commit()}, {"command_line", command_line()}};
}

}  // namespace cimvp
