// A core's local SRAM buffer: byte-addressed, bounds-checked by the core.
// Storage exists only while functional runs need it (timing-only runs of an
// ImageNet-size network on a 64-core SoC must not allocate 64 buffers), and a
// reset clears only the bytes the previous run wrote.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace cimvp {

class LocalBuffer {
 public:
  explicit LocalBuffer(uint64_t size) : size_(size) {}

  uint64_t size() const { return size_; }
  bool in_bounds(int64_t address, int64_t bytes) const {
    return address >= 0 && bytes >= 0 && uint64_t(address) <= size_ && uint64_t(bytes) <= size_ - uint64_t(address);
  }

  // Makes storage available (zeroed); pages are only touched when written.
  void allocate() {
    if (!data_) data_.reset(static_cast<uint8_t*>(std::calloc(size_ ? size_ : 1, 1)));
  }
  bool allocated() const { return data_ != nullptr; }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }

  // Records a write so that reset() can clear it.
  void touch(uint64_t address, uint64_t bytes) {
    if (address + bytes > dirty_end_) dirty_end_ = address + bytes;
  }
  void reset() {
    if (data_ && dirty_end_) std::memset(data_.get(), 0, dirty_end_);
    dirty_end_ = 0;
  }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  uint64_t size_;
  uint64_t dirty_end_ = 0;
  std::unique_ptr<uint8_t, Free> data_;
};

}  // namespace cimvp
