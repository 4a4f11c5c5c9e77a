// An architecture on which lenet5 W8A8 sends messages: default.yaml with a
// 4 x 4 mesh of cores of one crossbar each, so that fc1's column of row
// tiles is taller than one core and helper cores send their partial sums to
// the part's core over the NoC (docs/compiler.md, resident placement;
// tests/compiler/placement_test.cpp checks the placement). Written as a YAML
// file for the command-line tests; returns its path.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/paths.h"

namespace cimvp::test {

inline std::string write_tall_part_arch(const std::string& path) {
  std::ifstream in(source_path("configs/arch/default.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string from = "mesh:\n  rows: 2\n  cols: 2\ncore:\n  pes: 2\n  crossbars_per_pe: 4\n";
  const std::string to = "mesh:\n  rows: 4\n  cols: 4\ncore:\n  pes: 1\n  crossbars_per_pe: 1\n";
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << "default.yaml's mesh and core sections changed";
  if (at != std::string::npos) yaml.replace(at, from.size(), to);
  std::ofstream(path) << yaml;
  return path;
}

}  // namespace cimvp::test
