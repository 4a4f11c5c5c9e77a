// The results of a sweep in its output folder: results.jsonl (one JSON
// record per finished point, the source of truth) and results.csv (the same
// points as a table). Each record is appended with one write() and fsync'd
// before the next point is taken, so a killed sweep loses no finished point;
// opening the folder again drops a torn last line and rewrites results.csv
// from results.jsonl, and done() tells the runner which points to skip.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/sweep_config.h"

namespace cimvp {

class ResultsStore {
 public:
  // Opens (creating) `folder`. Without `resume`, existing results files are
  // an error (naming them) so a finished sweep is never mixed with another.
  ResultsStore(const std::string& folder, const SweepConfig& config, bool resume);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::set<std::string>& done() const { return done_; }
  const std::vector<nlohmann::json>& records() const { return records_; }
  void append(const nlohmann::json& record);

  // The CSV header and one row (tests, the report).
  static std::vector<std::string> csv_columns(const SweepConfig& config);
  static std::string csv_row(const SweepConfig& config, const nlohmann::json& record);

 private:
  void rewrite_csv();
  std::string folder_;
  SweepConfig config_;
  std::set<std::string> done_;
  std::vector<nlohmann::json> records_;
  int jsonl_fd_ = -1;
  int csv_fd_ = -1;
};

// Every record of a results.jsonl (a torn last line is skipped).
std::vector<nlohmann::json> read_results(const std::string& jsonl_path);
// How many records hold an error.
size_t failed_records(const std::vector<nlohmann::json>& records);

}  // namespace cimvp
