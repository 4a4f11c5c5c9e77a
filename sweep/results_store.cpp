#include "sweep/results_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "sweep/sweep_description.h"
#include "sweep/sweep_point.h"

namespace cimvp {

namespace {

void write_all(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path + ": write failed: " + std::strerror(errno));
    }
    done += size_t(n);
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return q + "\"";
}

std::string number(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// Metric name -> its key in a record's "metrics".
const char* metric_key(const std::string& m) {
  if (m == "latency") return "latency_s";
  if (m == "energy") return "energy_j";
  if (m == "area") return "area_mm2";
  if (m == "edp") return "edp_js";
  return m == "accuracy" ? "accuracy" : "crossbars";
}

}  // namespace

std::vector<nlohmann::json> read_results(const std::string& path) {
  std::vector<nlohmann::json> records;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      records.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      // a line torn by a kill: the point is run again
    }
  }
  return records;
}

size_t failed_records(const std::vector<nlohmann::json>& records) {
  return size_t(std::count_if(records.begin(), records.end(),
                              [](const nlohmann::json& r) { return r.contains("error") && r["error"].is_string(); }));
}

std::vector<std::string> ResultsStore::csv_columns(const SweepConfig& c) {
  std::vector<std::string> cols = {"id", "model", "policy"};
  for (const std::string& k : swept_keys(c)) cols.push_back(k);
  for (const std::string& m : c.metrics) cols.push_back(metric_key(m));
  cols.push_back("adc_exact");  // 0: the ADC loses column sums (run_point.h, adc_json)
  cols.push_back("error");
  return cols;
}

std::string ResultsStore::csv_row(const SweepConfig& c, const nlohmann::json& r) {
  std::string row = csv_field(r.value("id", "")) + "," + csv_field(r.value("model", "")) + "," +
                    csv_field(r.value("policy", ""));
  const nlohmann::json params = r.value("params", nlohmann::json::object());
  for (const std::string& k : swept_keys(c)) row += "," + csv_field(params.count(k) ? number(params[k]) : "");
  const nlohmann::json metrics = r.value("metrics", nlohmann::json::object());
  for (const std::string& m : c.metrics) {
    const char* key = metric_key(m);
    row += "," + (metrics.count(key) ? number(metrics[key]) : std::string());
  }
  const nlohmann::json adc = r.value("adc", nlohmann::json::object());
  row += "," + std::string(adc.contains("exact") ? (adc["exact"].get<bool>() ? "1" : "0") : "");
  row += "," + csv_field(r.count("error") && r["error"].is_string() ? r["error"].get<std::string>() : "");
  return row + "\n";
}

ResultsStore::ResultsStore(const std::string& folder, const SweepConfig& config, bool resume)
    : folder_(folder), config_(config) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (!std::filesystem::is_directory(folder)) throw Error(folder + ": cannot create the output folder");
  const std::string jsonl = folder + "/results.jsonl";
  if (std::filesystem::exists(jsonl) && !resume)
    throw Error(jsonl + ": exists; pass --resume to continue that sweep, or choose another -o folder");
  if (resume) {
    records_ = read_results(jsonl);
    for (const nlohmann::json& r : records_) done_.insert(r.value("id", ""));
  }
  // Rewrite results.jsonl without a torn line, atomically, then the CSV.
  std::string lines;
  for (const nlohmann::json& r : records_) lines += r.dump() + "\n";
  write_file_atomically(jsonl, lines);
  rewrite_csv();
  // What the report shows of the sweep itself (rewritten on resume: same content).
  write_file_atomically(folder + "/sweep.json", sweep_description(config).dump(1) + "\n");
  jsonl_fd_ = ::open(jsonl.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (jsonl_fd_ < 0) throw Error(jsonl + ": cannot open for appending");
}

ResultsStore::~ResultsStore() {
  if (jsonl_fd_ >= 0) ::close(jsonl_fd_);
  if (csv_fd_ >= 0) ::close(csv_fd_);
}

void ResultsStore::rewrite_csv() {
  const std::string csv = folder_ + "/results.csv";
  const std::vector<std::string> cols = csv_columns(config_);
  std::string text;
  for (size_t i = 0; i < cols.size(); ++i) text += (i ? "," : "") + csv_field(cols[i]);
  text += "\n";
  for (const nlohmann::json& r : records_) text += csv_row(config_, r);
  write_file_atomically(csv, text);
  if (csv_fd_ >= 0) ::close(csv_fd_);
  csv_fd_ = ::open(csv.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (csv_fd_ < 0) throw Error(csv + ": cannot open for appending");
}

void ResultsStore::append(const nlohmann::json& record) {
  // JSONL first: it is what resume reads; the CSV is rebuilt from it.
  write_all(jsonl_fd_, record.dump() + "\n", folder_ + "/results.jsonl");
  ::fsync(jsonl_fd_);
  write_all(csv_fd_, csv_row(config_, record), folder_ + "/results.csv");
  ::fsync(csv_fd_);
  done_.insert(record.value("id", ""));
  records_.push_back(record);
}

}  // namespace cimvp
