// What built this cimvp: the project version (CMakeLists.txt) and the git
// commit of the source tree ("-modified" when it had uncommitted changes,
// "unknown" outside a git checkout). Reports and `cimvp --version` print
// them, so a number can be traced to the code that produced it.
#pragma once

namespace cimvp {

const char* version();
const char* commit();

}  // namespace cimvp
