// A minimal binary format for the search checkpoint: little-endian integers,
// IEEE doubles stored bit for bit (so a resumed search continues from exactly
// the numbers it stopped at), length-prefixed strings and matrices. The
// reader checks every length and throws cimvp::Error naming the source.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace cimvp::rl {

class BinaryWriter {
 public:
  void u64(uint64_t v);
  void i64(int64_t v) { u64(uint64_t(v)); }
  void f64(double v);
  void boolean(bool v) { u64(v ? 1 : 0); }
  void string(const std::string& s);
  void matrix(const Eigen::MatrixXd& m);
  void vector(const Eigen::VectorXd& v);
  void ints(const std::vector<int>& v);
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class BinaryReader {
 public:
  BinaryReader(std::string bytes, std::string source) : in_(std::move(bytes)), source_(std::move(source)) {}
  uint64_t u64();
  int64_t i64() { return int64_t(u64()); }
  double f64();
  bool boolean();
  std::string string();
  Eigen::MatrixXd matrix();
  Eigen::VectorXd vector();
  std::vector<int> ints();
  bool at_end() const { return pos_ == in_.size(); }
  // Throws "<source>: <what>".
  [[noreturn]] void fail(const std::string& what) const;

 private:
  void take(void* dst, size_t n);
  std::string in_;
  std::string source_;
  size_t pos_ = 0;
};

}  // namespace cimvp::rl
