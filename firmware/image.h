// A firmware image: everything one run of the accelerator needs besides the
// architecture and the input data. docs/image-format.md describes the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/isa.h"

namespace cimvp {

constexpr uint32_t kImageMagic = 0x504d5643;  // "CVMP" little-endian
// Version 2 added per-block ADC full scales; version 1 images (which have
// none) are still read.
constexpr uint32_t kImageVersion = 2;
constexpr uint32_t kOldestImageVersion = 1;

// A logical weight tile for one crossbar. The crossbar's programming
// controller slices it into cells according to the architecture's cell bits
// and signed-weight mapping. row_offset/col_offset place the tile inside the
// layer's weight matrix: an Mvm over a set of crossbars reads inputs at
// in + row_offset and adds into out[col_offset ..], so row tiles accumulate.
// Widest weight a block may hold. Bit slicing makes any width mappable (one
// more cell per cell_bits); 16 covers ISAAC-style 16-bit weights and the
// 9-bit effective weights of ONNX integer models with weight zero points.
constexpr int kMaxWeightBits = 16;
// Column groups of a block with their own ADC full scale (WeightBlock::
// adc_full_scale), and the largest full scale (models/adc.h).
constexpr size_t kMaxAdcGroups = 255;
constexpr int64_t kMaxAdcFullScale = int64_t(1) << 40;

struct WeightBlock {
  uint32_t rows = 0;        // logical inputs
  uint32_t cols = 0;        // logical outputs
  uint8_t weight_bits = 8;  // signed two's complement width, 1..kMaxWeightBits
  uint32_t row_offset = 0;
  uint32_t col_offset = 0;
  std::vector<int16_t> weights;  // rows * cols, row-major (weights[r * cols + c]); empty when timing-only
  // The ADC full scales (column sum mapped to the top code) of this block's
  // column groups, as an ADC range calibration chose them (flow/
  // adc_calibration.h): group k holds the columns of weight slice k, the
  // last group the offset mapping's reference column. One per group, or
  // one per group and input slice (index t * groups + k for slice t).
  // Empty: the architecture's adc.full_scale for every column. At most 255.
  std::vector<int64_t> adc_full_scale;
};

// A layer range with this name is set-up work before inference (the
// compiler's resident placement programs every crossbar in it, once per
// run): reports give the cycles and energy after it as the inference's.
constexpr const char* kSetupLayerName = "weights";

// Initial contents of global memory (core == kGlobalMemory) or a core's local buffer.
constexpr uint32_t kGlobalMemory = 0xffffffffu;
struct MemorySegment {
  uint32_t core = kGlobalMemory;
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
};

enum class DType : uint8_t { I8 = 0, U8 = 1, I32 = 2 };
int dtype_bytes(DType t);
const char* dtype_name(DType t);

// Where an input or output tensor lives in global memory, element by element
// in row-major order of `shape`, and how its integers map to real values.
struct TensorLayout {
  std::string name;
  DType dtype = DType::I8;
  std::vector<uint32_t> shape;
  uint64_t address = 0;
  float scale = 1.0f;
  int32_t zero_point = 0;
  uint64_t elements() const;
  uint64_t bytes() const { return elements() * dtype_bytes(dtype); }
};

// Instructions [begin, end) of a core's code belong to layer `layer`
// (an index into FirmwareImage::layer_names). Used for per-layer reports.
struct LayerRange {
  uint32_t layer = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct CoreProgram {
  std::vector<Instruction> code;
  std::vector<LayerRange> layers;
};

struct FirmwareImage {
  uint32_t version = kImageVersion;
  std::string arch_name;          // for messages only
  uint64_t arch_fingerprint = 0;  // ArchConfig::fingerprint() of the target
  bool timing_only = false;       // weight blocks carry no weights
  std::vector<CoreProgram> cores;  // one per core of the target, in core-id order
  std::vector<WeightBlock> blocks;
  std::vector<MemorySegment> segments;
  std::vector<TensorLayout> inputs;
  std::vector<TensorLayout> outputs;
  std::vector<std::string> layer_names;
};

// Serialization. read_image throws cimvp::Error naming `source` (a file name
// or "<memory>"), the section and the byte offset of anything malformed:
// magic, version, truncation, checksum, unknown opcodes, bad fields.
std::vector<uint8_t> write_image(const FirmwareImage& image);
FirmwareImage read_image(const std::vector<uint8_t>& bytes, const std::string& source);
FirmwareImage read_image_file(const std::string& path);
void write_image_file(const FirmwareImage& image, const std::string& path);

// The structural checks that need no architecture (docs/image-format.md,
// "Validation"): instruction fields, branch targets inside the core's code,
// xprog block indices, layer ranges, weight bits and ranges, tensor shapes.
// read_image and assemble run it; call it on images built in memory before
// writing them. Throws cimvp::Error naming `source` and the faulty item.
// Architecture-dependent checks (crossbar and core indices, buffer and memory
// bounds, the fingerprint) belong to the platform.
void validate_image(const FirmwareImage& image, const std::string& source);

// What is wrong with instruction `in` of a core with `code_size` instructions
// in an image with `block_count` weight blocks, or "" when nothing is: the
// per-instruction part of validate_image (registers, unused fields, targets).
std::string instruction_problem(const Instruction& in, size_t code_size, size_t block_count);

}  // namespace cimvp
