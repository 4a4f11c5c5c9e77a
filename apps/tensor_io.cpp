#include "apps/tensor_io.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/error.h"

namespace cimvp::cli {
namespace {

bool is_text(const std::string& path) { return path.size() > 4 && path.substr(path.size() - 4) == ".txt"; }

void store(const TensorLayout& t, std::vector<uint8_t>& bytes, size_t i, int64_t v) {
  switch (t.dtype) {
    case DType::I8: bytes[i] = uint8_t(int8_t(v)); break;
    case DType::U8: bytes[i] = uint8_t(v); break;
    case DType::I32: { int32_t x = int32_t(v); std::memcpy(&bytes[4 * i], &x, 4); break; }
  }
}

}  // namespace

int64_t element(const TensorLayout& t, const std::vector<uint8_t>& bytes, size_t i) {
  switch (t.dtype) {
    case DType::I8: return int8_t(bytes[i]);
    case DType::U8: return bytes[i];
    case DType::I32: { int32_t x; std::memcpy(&x, &bytes[4 * i], 4); return x; }
  }
  return 0;
}

std::vector<std::vector<uint8_t>> read_tensors(const std::string& path, const std::vector<TensorLayout>& layouts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the input file");
  std::vector<std::vector<uint8_t>> tensors;
  if (is_text(path)) {
    std::string word;
    size_t index = 0;
    for (const TensorLayout& t : layouts) {
      std::vector<uint8_t> bytes(t.bytes());
      for (size_t i = 0; i < t.elements(); ++i, ++index) {
        if (!(in >> word)) throw Error(path + ": has " + std::to_string(index) + " values, the image's inputs need more (tensor '" + t.name + "')");
        try {
          size_t used = 0;
          const long long v = std::stoll(word, &used);
          if (used != word.size()) throw std::invalid_argument(word);
          store(t, bytes, i, v);
        } catch (const std::exception&) {
          throw Error(path + ": value " + std::to_string(index) + " '" + word + "' is not an integer");
        }
      }
      tensors.push_back(std::move(bytes));
    }
    if (in >> word) throw Error(path + ": has more values than the image's inputs take");
    return tensors;
  }
  std::vector<uint8_t> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t need = 0;
  for (const TensorLayout& t : layouts) need += t.bytes();
  if (all.size() != need)
    throw Error(path + ": has " + std::to_string(all.size()) + " bytes, the image's inputs take " + std::to_string(need));
  size_t offset = 0;
  for (const TensorLayout& t : layouts) {
    tensors.emplace_back(all.begin() + long(offset), all.begin() + long(offset + t.bytes()));
    offset += t.bytes();
  }
  return tensors;
}

void write_tensors(const std::string& path, const std::vector<TensorLayout>& layouts,
                   const std::vector<std::vector<uint8_t>>& tensors) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot open for writing");
  if (is_text(path)) {
    for (size_t k = 0; k < layouts.size(); ++k) {
      for (size_t i = 0; i < layouts[k].elements(); ++i) out << (i ? " " : "") << element(layouts[k], tensors[k], i);
      out << "\n";
    }
  } else {
    for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.data()), std::streamsize(t.size()));
  }
  if (!out) throw Error(path + ": write failed");
}

}  // namespace cimvp::cli
