// The one exception type cimvp throws for bad input (files, keys, instructions)
// and for runs that cannot continue. Its message is complete and meant for
// the user: it names the file, key, node or instruction at fault. The command
// line prints it as "cimvp: <message>" and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace cimvp {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace cimvp
