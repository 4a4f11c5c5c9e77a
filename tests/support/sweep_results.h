// Reading a sweep's results.jsonl for tests: records keyed by point id,
// without the fields that legitimately differ between runs (host time).
#pragma once

#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace cimvp::test {

inline std::map<std::string, nlohmann::json> sweep_results(const std::string& folder) {
  std::map<std::string, nlohmann::json> by_id;
  std::ifstream in(folder + "/results.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    // What differs between two runs of the same points by construction: the
    // host's wall time and the command line that ran each point.
    for (nlohmann::json* record : {&j, j.contains("report") ? &j["report"] : nullptr})
      if (record && record->is_object()) {
        record->erase("host_seconds");
        record->erase("cimvp");
      }
    by_id[j["id"].get<std::string>()] = j;
  }
  return by_id;
}

inline size_t line_count(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) n += line.empty() ? 0 : 1;
  return n;
}

inline std::string temp_folder(const std::string& stem) {
  std::string t = "/tmp/cimvp_" + stem + "_XXXXXX";
  return mkdtemp(t.data()) ? t : std::string();
}

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace cimvp::test
