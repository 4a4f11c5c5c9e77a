// Runs the real `cimvp` binary (CIMVP_BINARY, defined for tests/apps) with
// arguments, capturing stdout and stderr together and the exit status.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace cimvp::test {

struct Outcome {
  int status = -1;     // exit status; 128 when killed by a signal
  std::string output;  // stdout and stderr
};

// `env` is prepended to the command line (e.g. "CIMVP_DATA_DIR=/x").
inline Outcome cimvp(const std::string& args, const std::string& env = "") {
  const std::string command = env + " " + std::string(CIMVP_BINARY) + " " + args + " 2>&1";
  Outcome o;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) o.output.append(buf.data(), n);
  const int status = pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return o;
}

}  // namespace cimvp::test
