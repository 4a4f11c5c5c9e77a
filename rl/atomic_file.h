// Writing a file so that a reader (or a resumed search after a SIGKILL) sees
// either the old content or the new, never a torn one: write a temporary
// file next to it, fsync, rename over the target.
#pragma once

#include <string>

namespace cimvp::rl {

void write_file_atomically(const std::string& path, const std::string& content);
// The whole file; throws cimvp::Error naming it when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace cimvp::rl
