#include "rl/binary_io.h"

#include <cstring>

#include "common/error.h"

namespace cimvp::rl {

void BinaryWriter::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(char((v >> (8 * i)) & 0xff));
}

void BinaryWriter::f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  u64(bits);
}

void BinaryWriter::string(const std::string& s) {
  u64(s.size());
  out_ += s;
}

void BinaryWriter::matrix(const Eigen::MatrixXd& m) {
  u64(uint64_t(m.rows()));
  u64(uint64_t(m.cols()));
  for (Eigen::Index i = 0; i < m.size(); ++i) f64(m.data()[i]);
}

void BinaryWriter::vector(const Eigen::VectorXd& v) {
  u64(uint64_t(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) f64(v[i]);
}

void BinaryWriter::ints(const std::vector<int>& v) {
  u64(v.size());
  for (int x : v) i64(x);
}

void BinaryReader::fail(const std::string& what) const { throw Error(source_ + ": " + what); }

void BinaryReader::take(void* dst, size_t n) {
  if (in_.size() - pos_ < n) fail("truncated at byte " + std::to_string(pos_));
  std::memcpy(dst, in_.data() + pos_, n);
  pos_ += n;
}

uint64_t BinaryReader::u64() {
  unsigned char b[8];
  take(b, 8);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

double BinaryReader::f64() {
  const uint64_t bits = u64();
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

bool BinaryReader::boolean() {
  const uint64_t v = u64();
  if (v > 1) fail("corrupt flag at byte " + std::to_string(pos_ - 8));
  return v == 1;
}

std::string BinaryReader::string() {
  const uint64_t n = u64();
  if (n > in_.size() - pos_) fail("truncated or corrupt: string at byte " + std::to_string(pos_));
  std::string s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

Eigen::MatrixXd BinaryReader::matrix() {
  const uint64_t rows = u64(), cols = u64();
  if (rows > (1u << 24) || cols > (1u << 24) || rows * cols * 8 > in_.size() - pos_)
    fail("truncated or corrupt: matrix size " + std::to_string(rows) + "x" + std::to_string(cols));
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = f64();
  return m;
}

Eigen::VectorXd BinaryReader::vector() {
  const uint64_t n = u64();
  if (n * 8 > in_.size() - pos_) fail("truncated or corrupt: vector size " + std::to_string(n));
  Eigen::VectorXd v(n);
  for (uint64_t i = 0; i < n; ++i) v[i] = f64();
  return v;
}

std::vector<int> BinaryReader::ints() {
  const uint64_t n = u64();
  if (n * 8 > in_.size() - pos_) fail("truncated or corrupt: list size " + std::to_string(n));
  std::vector<int> v(n);
  for (auto& x : v) x = int(i64());
  return v;
}

}  // namespace cimvp::rl
