// The binary image format (docs/image-format.md): a fixed header, six framed
// sections in a fixed order, and a CRC32 over everything before it. The reader
// trusts nothing: every length is checked against the bytes that remain before
// anything is allocated, and every complaint names the source, the section and
// the byte offset.
#include "firmware/image.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "common/error.h"

namespace cimvp {

int dtype_bytes(DType t) {
  switch (t) {
    case DType::I8: return 1;
    case DType::U8: return 1;
    case DType::I32: return 4;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::I8: return "i8";
    case DType::U8: return "u8";
    case DType::I32: return "i32";
  }
  return "?";
}

uint64_t TensorLayout::elements() const {
  // Saturates instead of wrapping, so a corrupt shape cannot look small.
  uint64_t n = 1;
  for (uint32_t d : shape) {
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / d) return std::numeric_limits<uint64_t>::max();
    n *= d;
  }
  return n;
}

namespace {

enum SectionId : uint32_t {
  kCores = 1,
  kBlocks = 2,
  kSegments = 3,
  kInputs = 4,
  kOutputs = 5,
  kLayerNames = 6,
};
constexpr uint32_t kFlagTimingOnly = 1;

const char* section_name(uint32_t id) {
  switch (id) {
    case kCores: return "cores";
    case kBlocks: return "weight blocks";
    case kSegments: return "memory segments";
    case kInputs: return "inputs";
    case kOutputs: return "outputs";
    case kLayerNames: return "layer names";
  }
  return "?";
}

std::string hex(uint64_t v, int digits = 8) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

uint32_t crc_of(const uint8_t* data, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    const uInt chunk = uInt(n > (size_t(1) << 30) ? (size_t(1) << 30) : n);
    c = crc32(c, data, chunk);
    data += chunk;
    n -= chunk;
  }
  return uint32_t(c);
}

uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float bits_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// ---------------------------------------------------------------- writing

class Writer {
 public:
  std::vector<uint8_t> out;

  void u8(uint8_t v) { out.push_back(v); }
  void u16(uint16_t v) {
    u8(uint8_t(v));
    u8(uint8_t(v >> 8));
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(uint8_t(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(uint8_t(v >> (8 * i)));
  }
  void count(size_t n, const char* what) {
    if (n > std::numeric_limits<uint32_t>::max())
      throw Error(std::string("write_image: too many ") + what + " (" + std::to_string(n) + ")");
    u32(uint32_t(n));
  }
  void str(const std::string& s) {
    count(s.size(), "bytes in a string");
    out.insert(out.end(), s.begin(), s.end());
  }
  size_t begin_section(uint32_t id) {
    u32(id);
    const size_t at = out.size();
    u64(0);
    return at;
  }
  void end_section(size_t at) { patch64(at, out.size() - at - 8); }
  void patch64(size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) out[at + size_t(i)] = uint8_t(v >> (8 * i));
  }
};

void write_tensors(Writer& w, const std::vector<TensorLayout>& tensors) {
  w.count(tensors.size(), "tensors");
  for (const TensorLayout& t : tensors) {
    w.str(t.name);
    w.u8(uint8_t(t.dtype));
    w.u8(0);
    w.u8(0);
    w.u8(0);
    w.count(t.shape.size(), "tensor dimensions");
    for (uint32_t d : t.shape) w.u32(d);
    w.u64(t.address);
    w.u32(f32_bits(t.scale));
    w.u32(uint32_t(t.zero_point));
  }
}

// ---------------------------------------------------------------- reading

// Where the reader found each item, so that validation errors found after
// parsing can still name the byte offset.
struct Locations {
  std::vector<size_t> code, ranges, blocks, full_scales, weights, segments, inputs, outputs;
  size_t layer_names = 0;
};

class Reader {
 public:
  Reader(const std::vector<uint8_t>& bytes, const std::string& source)
      : data_(bytes.data()), size_(bytes.size()), source_(source), end_(bytes.size()) {}

  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  const char* section() const { return section_; }

  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    throw Error(source_ + ": section '" + section_ + "' at byte " + std::to_string(at) + ": " + what);
  }

  // Throws unless n more bytes are available in the current section.
  void need(uint64_t n) const {
    if (n <= end_ - pos_) return;
    if (declared_end_ > size_)
      throw Error(source_ + ": truncated in section '" + section_ + "' at byte " + std::to_string(pos_) + " (need " +
                  std::to_string(n - (size_ - pos_)) + " more bytes)");
    fail_at(pos_, "content overruns the section's declared length of " + std::to_string(declared_end_ - start_) +
                      " bytes (need " + std::to_string(n - (end_ - pos_)) + " more bytes)");
  }

  // Reads a u32 count and checks that `count` items of at least `min_each`
  // bytes fit in what remains, before anyone allocates for them.
  uint32_t count(uint64_t min_each) {
    const uint32_t n = u32();
    need(uint64_t(n) * min_each);
    return n;
  }

  uint8_t u8() {
    need(1);
    return data_[pos_++];
  }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(data_[pos_ + size_t(i)]) << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t u64() {
    need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(data_[pos_ + size_t(i)]) << (8 * i);
    pos_ += 8;
    return v;
  }
  const uint8_t* take(uint64_t n) {
    need(n);
    const uint8_t* p = data_ + pos_;
    pos_ += size_t(n);
    return p;
  }
  std::string str() {
    const uint32_t n = u32();
    const uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  void zero_bytes(int n, const char* what) {
    for (int i = 0; i < n; ++i) {
      const size_t at = pos_;
      if (const uint8_t v = u8()) fail_at(at, std::string(what) + " must be 0 (is " + std::to_string(v) + ")");
    }
  }

  // Sections follow each other in a fixed order, each framed by its id and length.
  void begin(uint32_t id) {
    section_ = section_name(id);
    declared_end_ = std::numeric_limits<uint64_t>::max();
    end_ = size_;
    const size_t at = pos_;
    const uint32_t tag = u32();
    if (tag != id)
      fail_at(at, "expected section id " + std::to_string(id) + " ('" + section_name(id) + "'), found id " +
                      std::to_string(tag));
    const uint64_t length = u64();
    start_ = pos_;
    declared_end_ = length > size_ - pos_ ? std::numeric_limits<uint64_t>::max() : pos_ + length;
    declared_length_ = length;
    end_ = declared_end_ > size_ ? size_ : size_t(declared_end_);
  }
  void end() {
    if (pos_ != declared_end_)
      fail_at(pos_, "the section declares " + std::to_string(declared_length_) + " bytes but its content ends after " +
                        std::to_string(pos_ - start_));
  }
  void trailer() {
    section_ = "checksum";
    declared_end_ = std::numeric_limits<uint64_t>::max();
    end_ = size_;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  const std::string& source_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t end_;
  uint64_t declared_end_ = std::numeric_limits<uint64_t>::max();
  uint64_t declared_length_ = 0;
  const char* section_ = "header";
};

void read_tensors(Reader& r, std::vector<TensorLayout>& tensors, std::vector<size_t>& where) {
  const uint32_t n = r.count(28);
  tensors.resize(n);
  where.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    TensorLayout& t = tensors[i];
    where[i] = r.pos();
    t.name = r.str();
    const size_t dtype_at = r.pos();
    const uint8_t dtype = r.u8();
    if (dtype > uint8_t(DType::I32))
      r.fail_at(dtype_at, "tensor " + std::to_string(i) + " ('" + t.name + "'): unknown dtype " + std::to_string(dtype));
    t.dtype = DType(dtype);
    r.zero_bytes(3, "reserved tensor byte");
    const uint32_t rank = r.count(4);
    t.shape.resize(rank);
    for (uint32_t& d : t.shape) d = r.u32();
    t.address = r.u64();
    t.scale = bits_f32(r.u32());
    t.zero_point = int32_t(r.u32());
  }
}

void check_version(uint32_t version, const std::string& source) {
  if (version < kOldestImageVersion || version > kImageVersion)
    throw Error(source + ": format version " + std::to_string(version) + ", this cimvp reads versions " +
                std::to_string(kOldestImageVersion) + " to " + std::to_string(kImageVersion));
}

void validate(const FirmwareImage& image, const std::string& source, const Locations* loc) {
  auto at = [&](const char* section, const std::vector<size_t>* offsets, size_t index, size_t extra = 0) {
    if (!loc || !offsets || index >= offsets->size()) return source + ": ";
    return source + ": section '" + section + "' at byte " + std::to_string((*offsets)[index] + extra) + ": ";
  };
  check_version(image.version, source);

  for (size_t c = 0; c < image.cores.size(); ++c) {
    const CoreProgram& core = image.cores[c];
    for (size_t i = 0; i < core.code.size(); ++i) {
      const std::string problem = instruction_problem(core.code[i], core.code.size(), image.blocks.size());
      if (!problem.empty())
        throw Error(at("cores", loc ? &loc->code : nullptr, c, 16 * i) + "core " + std::to_string(c) +
                    " instruction " + std::to_string(i) + ": " + problem);
    }
    for (size_t k = 0; k < core.layers.size(); ++k) {
      const LayerRange& range = core.layers[k];
      const std::string where =
          at("cores", loc ? &loc->ranges : nullptr, c, 12 * k) + "core " + std::to_string(c) + " layer range " +
          std::to_string(k) + ": ";
      if (range.layer >= image.layer_names.size())
        throw Error(where + "layer " + std::to_string(range.layer) + " does not exist (the image names " +
                    std::to_string(image.layer_names.size()) + " layers)");
      if (range.begin > range.end || range.end > core.code.size())
        throw Error(where + "instructions [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                    ") are not inside the core's code (" + std::to_string(core.code.size()) + " instructions)");
    }
  }

  for (size_t b = 0; b < image.blocks.size(); ++b) {
    const WeightBlock& w = image.blocks[b];
    const std::string where = at("weight blocks", loc ? &loc->blocks : nullptr, b) + "weight block " +
                              std::to_string(b) + ": ";
    if (w.rows == 0 || w.cols == 0)
      throw Error(where + "has " + std::to_string(w.rows) + " rows and " + std::to_string(w.cols) +
                  " columns (both must be > 0)");
    if (w.weight_bits < 1 || w.weight_bits > kMaxWeightBits)
      throw Error(where + "weight_bits " + std::to_string(w.weight_bits) + " is outside 1.." +
                  std::to_string(kMaxWeightBits));
    for (size_t g = 0; g < w.adc_full_scale.size(); ++g)
      if (w.adc_full_scale[g] < 1 || w.adc_full_scale[g] > kMaxAdcFullScale)
        throw Error(at("weight blocks", loc ? &loc->full_scales : nullptr, b, 8 * g) + "weight block " +
                    std::to_string(b) + ": ADC full scale " + std::to_string(w.adc_full_scale[g]) + " of column group " +
                    std::to_string(g) + " is outside 1.." + std::to_string(kMaxAdcFullScale));
    if (w.adc_full_scale.size() > kMaxAdcGroups)
      throw Error(where + std::to_string(w.adc_full_scale.size()) + " ADC full scales (at most " +
                  std::to_string(kMaxAdcGroups) + ")");
    const uint64_t n = uint64_t(w.rows) * w.cols;
    if (image.timing_only) {
      if (!w.weights.empty())
        throw Error(where + "carries " + std::to_string(w.weights.size()) +
                    " weights, but the image is timing-only (weights must be empty)");
      continue;
    }
    if (w.weights.size() != n)
      throw Error(where + "has " + std::to_string(w.weights.size()) + " weights, rows x cols = " + std::to_string(n));
    const int lo = -(1 << (w.weight_bits - 1)), hi = (1 << (w.weight_bits - 1)) - 1;
    for (size_t k = 0; k < w.weights.size(); ++k) {
      if (w.weights[k] < lo || w.weights[k] > hi)
        throw Error(at("weight blocks", loc ? &loc->weights : nullptr, b, 2 * k) + "weight block " +
                    std::to_string(b) + ": weight " + std::to_string(w.weights[k]) + " at row " +
                    std::to_string(k / w.cols) + ", column " + std::to_string(k % w.cols) +
                    " is outside the signed " + std::to_string(int(w.weight_bits)) + "-bit range " +
                    std::to_string(lo) + ".." + std::to_string(hi));
    }
  }

  for (size_t s = 0; s < image.segments.size(); ++s) {
    const MemorySegment& seg = image.segments[s];
    if (seg.bytes.size() > std::numeric_limits<uint64_t>::max() - seg.address)
      throw Error(at("memory segments", loc ? &loc->segments : nullptr, s) + "memory segment " + std::to_string(s) +
                  ": address " + hex(seg.address, 1) + " + " + std::to_string(seg.bytes.size()) +
                  " bytes overflows 64 bits");
  }

  auto check_tensors = [&](const std::vector<TensorLayout>& tensors, const char* kind, const char* section,
                           const std::vector<size_t>* offsets) {
    for (size_t i = 0; i < tensors.size(); ++i) {
      const TensorLayout& t = tensors[i];
      const std::string where = at(section, offsets, i) + kind + " tensor " + std::to_string(i) + " ('" + t.name +
                                "'): ";
      if (uint8_t(t.dtype) > uint8_t(DType::I32))
        throw Error(where + "unknown dtype " + std::to_string(int(t.dtype)));
      if (t.shape.empty()) throw Error(where + "the shape is empty (a tensor has at least one dimension)");
      for (size_t d = 0; d < t.shape.size(); ++d)
        if (t.shape[d] == 0) throw Error(where + "dimension " + std::to_string(d) + " is 0");
      const uint64_t elements = t.elements();
      if (elements > (uint64_t(1) << 48) || elements * uint64_t(dtype_bytes(t.dtype)) >
                                                    std::numeric_limits<uint64_t>::max() - t.address)
        throw Error(where + "is too large (" + std::to_string(t.shape.size()) + " dimensions at address " +
                    hex(t.address, 1) + ")");
      if (!std::isfinite(t.scale)) throw Error(where + "scale is not a finite number");
    }
  };
  check_tensors(image.inputs, "input", "inputs", loc ? &loc->inputs : nullptr);
  check_tensors(image.outputs, "output", "outputs", loc ? &loc->outputs : nullptr);
}

}  // namespace

std::string instruction_problem(const Instruction& in, size_t code_size, size_t block_count) {
  const char* name = mnemonic(in.op);
  if (!name) return "unknown opcode " + hex(uint8_t(in.op), 2);
  const std::string op(name);
  const uint8_t regs[4] = {in.rd, in.ra, in.rb, in.rc};
  const char* reg_names[4] = {"rd", "ra", "rb", "rc"};
  for (int k = 0; k < 4; ++k)
    if (regs[k] >= kNumRegisters)
      return op + ": register field " + reg_names[k] + " is " + std::to_string(regs[k]) + " (registers are r0..r15)";
  std::string error;
  const EncodedInstruction bytes = encode(in);
  if (!decode(bytes.data(), &error)) return error;

  switch (in.op) {
    case Opcode::Jmp:
    case Opcode::Beq:
    case Opcode::Bne:
    case Opcode::Blt:
    case Opcode::Bge:
      if (in.imm0 < 0 || uint64_t(in.imm0) >= code_size)
        return op + " target " + std::to_string(in.imm0) + " is outside the core's code (instructions 0.." +
               std::to_string(int64_t(code_size) - 1) + ")";
      break;
    case Opcode::Xprog:
      if (in.imm0 < 0) return "xprog crossbar " + std::to_string(in.imm0) + " is negative";
      if (in.imm1 < 0 || uint64_t(in.imm1) >= block_count)
        return "xprog weight block " + std::to_string(in.imm1) + " does not exist (the image has " +
               std::to_string(block_count) + " weight blocks)";
      break;
    case Opcode::Mvm:
      if (mvm_input_bits(in) > 8) return "mvm input bits " + std::to_string(mvm_input_bits(in)) + " are outside 1..8";
      if (mvm_crossbar_count(in) < 1) return "mvm crossbar count is 0 (at least one crossbar)";
      break;
    case Opcode::Vcfg:
      if (in.ra == 0) return vcfg_problem(VcfgReg(in.flags), in.imm0);  // r0 is 0: the value is the constant
      break;
    case Opcode::Send:
    case Opcode::Recv:
      if (in.imm0 < 0) return op + " core " + std::to_string(in.imm0) + " is negative";
      break;
    default:
      break;
  }
  for (const AddressOperand& a : address_operands(in))
    if (a.reg == 0 && a.offset < 0)  // a constant: r0 reads 0
      return op + " " + a.name + (a.space == AddressOperand::ByteCount ? " " : " address ") +
             std::to_string(a.offset) + " is negative";
  return "";
}

void validate_image(const FirmwareImage& image, const std::string& source) { validate(image, source, nullptr); }

std::vector<uint8_t> write_image(const FirmwareImage& image) {
  Writer w;
  w.u32(kImageMagic);
  w.u32(image.version);
  const size_t total_at = w.out.size();
  w.u64(0);
  w.u32(image.timing_only ? kFlagTimingOnly : 0);
  w.u32(0);  // reserved, keeps the fingerprint 8-byte aligned
  w.u64(image.arch_fingerprint);
  w.str(image.arch_name);

  size_t s = w.begin_section(kCores);
  w.count(image.cores.size(), "cores");
  for (const CoreProgram& core : image.cores) {
    w.count(core.code.size(), "instructions");
    w.count(core.layers.size(), "layer ranges");
    for (const Instruction& in : core.code) {
      const EncodedInstruction e = encode(in);
      w.out.insert(w.out.end(), e.begin(), e.end());
    }
    for (const LayerRange& r : core.layers) {
      w.u32(r.layer);
      w.u32(r.begin);
      w.u32(r.end);
    }
  }
  w.end_section(s);

  s = w.begin_section(kBlocks);
  w.count(image.blocks.size(), "weight blocks");
  for (size_t b = 0; b < image.blocks.size(); ++b) {
    const WeightBlock& blk = image.blocks[b];
    w.u32(blk.rows);
    w.u32(blk.cols);
    if (!blk.adc_full_scale.empty() && image.version < 2)
      throw Error("write_image: weight block " + std::to_string(b) + " has ADC full scales, which a version " +
                  std::to_string(image.version) + " image cannot hold");
    if (blk.adc_full_scale.size() > kMaxAdcGroups)
      throw Error("write_image: weight block " + std::to_string(b) + " has " +
                  std::to_string(blk.adc_full_scale.size()) + " ADC full scales (at most " +
                  std::to_string(kMaxAdcGroups) + ")");
    w.u8(blk.weight_bits);
    w.u8(uint8_t(blk.adc_full_scale.size()));
    w.u8(0);
    w.u8(0);
    w.u32(blk.row_offset);
    w.u32(blk.col_offset);
    for (int64_t f : blk.adc_full_scale) w.u64(uint64_t(f));
    const uint64_t n = uint64_t(blk.rows) * blk.cols;
    if (image.timing_only) {
      if (!blk.weights.empty())
        throw Error("write_image: weight block " + std::to_string(b) + " carries weights in a timing-only image");
      continue;
    }
    if (blk.weights.size() != n)
      throw Error("write_image: weight block " + std::to_string(b) + " has " + std::to_string(blk.weights.size()) +
                  " weights, rows x cols = " + std::to_string(n));
    for (int16_t v : blk.weights) w.u16(uint16_t(v));
  }
  w.end_section(s);

  s = w.begin_section(kSegments);
  w.count(image.segments.size(), "memory segments");
  for (const MemorySegment& seg : image.segments) {
    w.u32(seg.core);
    w.u64(seg.address);
    w.u64(seg.bytes.size());
    w.out.insert(w.out.end(), seg.bytes.begin(), seg.bytes.end());
  }
  w.end_section(s);

  s = w.begin_section(kInputs);
  write_tensors(w, image.inputs);
  w.end_section(s);
  s = w.begin_section(kOutputs);
  write_tensors(w, image.outputs);
  w.end_section(s);

  s = w.begin_section(kLayerNames);
  w.count(image.layer_names.size(), "layer names");
  for (const std::string& name : image.layer_names) w.str(name);
  w.end_section(s);

  w.patch64(total_at, w.out.size() + 4);
  w.u32(crc_of(w.out.data(), w.out.size()));
  return std::move(w.out);
}

FirmwareImage read_image(const std::vector<uint8_t>& bytes, const std::string& source) {
  Reader r(bytes, source);
  FirmwareImage image;
  Locations loc;

  const uint32_t magic = r.u32();
  if (magic != kImageMagic)
    throw Error(source + ": not a cimvp firmware image (magic " + hex(magic) + " at byte 0, expected " +
                hex(kImageMagic) + " \"CVMP\")");
  image.version = r.u32();
  check_version(image.version, source);
  const uint64_t total = r.u64();
  auto check_crc = [&](size_t n) {  // the checksum is stored at byte n and covers [0, n)
    const uint32_t stored = uint32_t(bytes[n]) | uint32_t(bytes[n + 1]) << 8 | uint32_t(bytes[n + 2]) << 16 |
                            uint32_t(bytes[n + 3]) << 24;
    const uint32_t computed = crc_of(bytes.data(), n);
    if (stored != computed)
      throw Error(source + ": checksum mismatch (stored " + hex(stored) + ", computed " + hex(computed) +
                  "): the file is corrupted");
  };
  // A file of the declared length is checked as a whole first, so that a
  // flipped byte is reported as corruption rather than as whatever it broke.
  if (total == bytes.size()) check_crc(bytes.size() - 4);

  const size_t flags_at = r.pos();
  const uint32_t flags = r.u32();
  if (flags & ~kFlagTimingOnly) r.fail_at(flags_at, "unknown header flags " + hex(flags & ~kFlagTimingOnly));
  image.timing_only = flags & kFlagTimingOnly;
  const size_t reserved_at = r.pos();
  if (const uint32_t reserved = r.u32()) r.fail_at(reserved_at, "reserved header word must be 0 (is " + hex(reserved) + ")");
  image.arch_fingerprint = r.u64();
  image.arch_name = r.str();

  r.begin(kCores);
  image.cores.resize(r.count(8));
  loc.code.resize(image.cores.size());
  loc.ranges.resize(image.cores.size());
  for (size_t c = 0; c < image.cores.size(); ++c) {
    CoreProgram& core = image.cores[c];
    const uint32_t n_code = r.u32();
    const uint32_t n_ranges = r.u32();
    r.need(uint64_t(n_code) * kInstructionBytes + uint64_t(n_ranges) * 12);
    loc.code[c] = r.pos();
    core.code.resize(n_code);
    for (uint32_t i = 0; i < n_code; ++i) {
      const size_t at = r.pos();
      std::string error;
      const std::optional<Instruction> in = decode(r.take(kInstructionBytes), &error);
      if (!in) r.fail_at(at, "core " + std::to_string(c) + " instruction " + std::to_string(i) + ": " + error);
      core.code[i] = *in;
    }
    loc.ranges[c] = r.pos();
    core.layers.resize(n_ranges);
    for (LayerRange& range : core.layers) {
      range.layer = r.u32();
      range.begin = r.u32();
      range.end = r.u32();
    }
  }
  r.end();

  r.begin(kBlocks);
  image.blocks.resize(r.count(20));
  loc.blocks.resize(image.blocks.size());
  loc.weights.resize(image.blocks.size());
  loc.full_scales.resize(image.blocks.size());
  for (size_t b = 0; b < image.blocks.size(); ++b) {
    WeightBlock& blk = image.blocks[b];
    loc.blocks[b] = r.pos();
    blk.rows = r.u32();
    blk.cols = r.u32();
    blk.weight_bits = r.u8();
    const size_t groups_at = r.pos();
    const uint8_t groups = r.u8();
    if (groups > 0 && image.version < 2)
      r.fail_at(groups_at, "reserved weight-block byte must be 0 in a version 1 image (is " + std::to_string(groups) + ")");
    r.zero_bytes(2, "reserved weight-block byte");
    blk.row_offset = r.u32();
    blk.col_offset = r.u32();
    loc.full_scales[b] = r.pos();
    blk.adc_full_scale.resize(groups);
    for (int64_t& f : blk.adc_full_scale) f = int64_t(r.u64());
    loc.weights[b] = r.pos();
    if (image.timing_only) continue;
    const uint64_t n = uint64_t(blk.rows) * blk.cols;  // < 2^64, and 2 * n is checked without overflow below
    if (n > std::numeric_limits<uint64_t>::max() / 2) r.need(std::numeric_limits<uint64_t>::max());
    const uint8_t* p = r.take(2 * n);
    blk.weights.resize(size_t(n));
    for (size_t k = 0; k < n; ++k) blk.weights[k] = int16_t(uint16_t(p[2 * k] | p[2 * k + 1] << 8));
  }
  r.end();

  r.begin(kSegments);
  image.segments.resize(r.count(20));
  loc.segments.resize(image.segments.size());
  for (size_t s = 0; s < image.segments.size(); ++s) {
    MemorySegment& seg = image.segments[s];
    loc.segments[s] = r.pos();
    seg.core = r.u32();
    seg.address = r.u64();
    const uint64_t n = r.u64();
    const uint8_t* p = r.take(n);
    seg.bytes.assign(p, p + n);
  }
  r.end();

  r.begin(kInputs);
  read_tensors(r, image.inputs, loc.inputs);
  r.end();
  r.begin(kOutputs);
  read_tensors(r, image.outputs, loc.outputs);
  r.end();

  r.begin(kLayerNames);
  loc.layer_names = r.pos();
  image.layer_names.resize(r.count(4));
  for (std::string& name : image.layer_names) name = r.str();
  r.end();

  r.trailer();
  r.need(4);
  const size_t crc_at = r.pos();
  r.u32();
  if (total != bytes.size()) {
    check_crc(crc_at);  // a corrupt length field is corruption too
    throw Error(source + ": the header says the image is " + std::to_string(total) + " bytes, the file has " +
                std::to_string(bytes.size()));
  }
  if (r.pos() != bytes.size())
    r.fail_at(crc_at, "the checksum is not at the end of the file (" + std::to_string(bytes.size() - r.pos()) +
                          " bytes follow it)");

  validate(image, source, &loc);
  return image;
}

FirmwareImage read_image_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the firmware image");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(path + ": cannot read the firmware image");
  return read_image(bytes, path);
}

void write_image_file(const FirmwareImage& image, const std::string& path) {
  const std::vector<uint8_t> bytes = write_image(image);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  out.close();
  if (!out) throw Error(path + ": cannot write the firmware image");
}

}  // namespace cimvp
