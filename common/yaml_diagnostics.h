// Shared by the YAML readers (architecture, search, sweep): where a node is,
// for messages; how far a mistyped key is from the valid ones, for the
// "did you mean" suggestions; and the parts of a dotted key.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace cimvp {

// "file.yaml:12:3" (1-based), or just the source when the node has no mark.
inline std::string yaml_position(const std::string& source, const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// Levenshtein distance: insertions, deletions and substitutions of one character.
inline size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> d(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = d[0];
    d[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cur = d[j];
      d[j] = std::min({d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return d[b.size()];
}

// The parts of a dotted key: section_of("crossbar.rows") == "crossbar"
// ("" for a top-level key), leaf_of("crossbar.rows") == "rows".
inline std::string section_of(const std::string& key) {
  const size_t dot = key.find('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}
inline std::string leaf_of(const std::string& key) {
  const size_t dot = key.find('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

}  // namespace cimvp
