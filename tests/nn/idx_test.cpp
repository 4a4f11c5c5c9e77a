// IDX reader: valid files (raw and gzip) it writes itself, and every kind of
// corruption giving a cimvp::Error that names the file.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "nn/idx.h"

using namespace cimvp;

namespace {

std::string tmp_path(const std::string& name) {
  return testing::TempDir() + "/idx_test_" + std::to_string(::getpid()) + "_" + name;
}

std::string idx_bytes(std::vector<uint32_t> dims, const std::vector<uint8_t>& data, uint8_t type = 8) {
  std::string s = {0, 0, char(type), char(dims.size())};
  for (uint32_t d : dims) {
    s.push_back(char(d >> 24));
    s.push_back(char(d >> 16));
    s.push_back(char(d >> 8));
    s.push_back(char(d));
  }
  s.append(data.begin(), data.end());
  return s;
}

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
  gzclose(f);
}

std::string error_of(const std::string& path) {
  try {
    read_idx(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 7 + 3);
  return v;
}

}  // namespace

TEST(Idx, ReadsRawImages) {
  const auto data = ramp(3 * 4 * 5);
  const std::string p = tmp_path("raw");
  write_raw(p, idx_bytes({3, 4, 5}, data));
  IdxArray a = read_idx(p);
  EXPECT_EQ(a.dims, (std::vector<uint32_t>{3, 4, 5}));
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.data, data);
}

TEST(Idx, ReadsGzipLabels) {
  const auto data = ramp(1000);
  const std::string p = tmp_path("labels.gz");
  write_gz(p, idx_bytes({1000}, data));
  IdxArray a = read_idx(p);
  EXPECT_EQ(a.dims, (std::vector<uint32_t>{1000}));
  EXPECT_EQ(a.data, data);
}

TEST(Idx, BadMagicNamesTheFile) {
  const std::string p = tmp_path("badmagic");
  std::string b = idx_bytes({2, 2}, ramp(4));
  b[0] = 0x1a;
  write_raw(p, b);
  const std::string e = error_of(p);
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("bad magic"), std::string::npos) << e;
}

TEST(Idx, UnsupportedTypeIsAnError) {
  const std::string p = tmp_path("float");
  write_raw(p, idx_bytes({2}, ramp(8), 0x0d));
  const std::string e = error_of(p);
  EXPECT_NE(e.find("0x0d"), std::string::npos) << e;
}

TEST(Idx, TruncatedDataIsAnError) {
  const std::string p = tmp_path("trunc.gz");
  std::string b = idx_bytes({10, 28, 28}, ramp(10 * 28 * 28));
  b.resize(b.size() - 100);
  write_gz(p, b);
  const std::string e = error_of(p);
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
  EXPECT_NE(e.find("7840"), std::string::npos) << e;  // what the dimensions need
}

TEST(Idx, TruncatedHeaderIsAnError) {
  const std::string p = tmp_path("trunchdr");
  write_raw(p, idx_bytes({10, 28, 28}, {}).substr(0, 9));
  EXPECT_NE(error_of(p).find("truncated IDX header"), std::string::npos) << error_of(p);
}

TEST(Idx, WrongCountIsAnError) {
  // The header says 5 items but the file holds 6: trailing data.
  const std::string p = tmp_path("count");
  write_raw(p, idx_bytes({5}, ramp(6)));
  const std::string e = error_of(p);
  EXPECT_NE(e.find("1 bytes after the data"), std::string::npos) << e;
}

TEST(Idx, TruncatedGzipStreamIsAnError) {
  const std::string full = tmp_path("full.gz");
  write_gz(full, idx_bytes({50, 28, 28}, ramp(50 * 28 * 28)));
  std::ifstream f(full, std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::string p = tmp_path("cut.gz");
  write_raw(p, gz.substr(0, gz.size() / 2));
  const std::string e = error_of(p);
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("gzip"), std::string::npos) << e;
}

TEST(Idx, CorruptGzipIsAnError) {
  const std::string p = tmp_path("corrupt.gz");
  std::string b = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03";
  b += std::string(40, '\xff');
  write_raw(p, b);
  const std::string e = error_of(p);
  EXPECT_NE(e.find("corrupt gzip"), std::string::npos) << e;
}

TEST(Idx, MissingFileIsAnError) {
  EXPECT_NE(error_of(tmp_path("nope")).find("cannot open"), std::string::npos);
}

TEST(Idx, ZeroDimensionIsAnError) {
  const std::string p = tmp_path("zero");
  write_raw(p, idx_bytes({0, 28}, {}));
  EXPECT_NE(error_of(p).find("dimension 0 is 0"), std::string::npos) << error_of(p);
}
