// Writing a file so that a reader (or a resumed search after a SIGKILL) sees
// either the old content or the new, never a torn one: write a temporary
// file next to it, rename it over the target. With `durable` the data is
// fsync'ed before the rename, so this holds after a power loss too (a kill
// of the process alone never loses data the kernel has accepted).
#pragma once

#include <string>

namespace cimvp {

void write_file_atomically(const std::string& path, const std::string& content, bool durable = true);
// The whole file; throws cimvp::Error naming it when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace cimvp
