// Where a result comes from: the cimvp version and commit that computed it
// and the command line that asked for it. Every report, sweep record and
// search summary carries it ("cimvp": {...}), so a number in a paper can be
// traced back and run again.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cimvp {

// The command line of this process, as main() received it (argv[0] as the
// program's base name). Programs that do not set it report an empty list.
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

// {"version": ..., "commit": ..., "command_line": [...]}.
nlohmann::json provenance_json();

}  // namespace cimvp
