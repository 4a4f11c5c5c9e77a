// Images used by several firmware tests: a small one (cheap to cut at every
// byte) and a rich one that uses every section and every opcode.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "firmware/image.h"
#include "firmware/isa.h"
#include "firmware/program_builder.h"

namespace cimvp::test {

inline Instruction ins(Opcode op, uint8_t flags = 0, int rd = 0, int ra = 0, int rb = 0, int32_t i0 = 0,
                       int32_t i1 = 0, int32_t i2 = 0) {
  return ProgramBuilder::make(op, flags, rd, ra, rb, i0, i1, i2);
}

// Two cores, one weight block, one segment, one input, one output, one layer.
inline FirmwareImage small_image() {
  FirmwareImage img;
  img.arch_name = "tiny";
  img.arch_fingerprint = 0x1122334455667788ull;
  img.layer_names = {"fc"};
  CoreProgram c0;
  c0.code = {ins(Opcode::Xprog, 0, 0, 0, 0, 0, 0), ins(Opcode::Load, 0, 0, 0, 0, 0, 0, 4),
             ins(Opcode::Mvm, 7, 0, 0, 0, mvm_pack_crossbars(0, 1), 16, 0), ins(Opcode::Halt)};
  c0.layers = {{0, 0, 3}};
  img.cores = {c0, CoreProgram{}};
  WeightBlock b;
  b.rows = 2;
  b.cols = 2;
  b.weight_bits = 4;
  b.weights = {1, -2, 7, -8};
  img.blocks = {b};
  MemorySegment s;
  s.address = 0;
  s.bytes = {1, 2, 3, 4};
  img.segments = {s};
  TensorLayout x;
  x.name = "x";
  x.dtype = DType::U8;
  x.shape = {4};
  img.inputs = {x};
  TensorLayout y;
  y.name = "y";
  y.dtype = DType::I32;
  y.shape = {1, 2};
  y.address = 64;
  y.scale = 0.25f;
  y.zero_point = -3;
  img.outputs = {y};
  return img;
}

// Every opcode with every field it uses set to something non-zero.
inline std::vector<Instruction> every_opcode(int32_t target) {
  using O = Opcode;
  return {
      ins(O::Nop),
      ins(O::Halt),
      ins(O::Li, 0, 1, 0, 0, -123456),
      ins(O::Addi, 0, 2, 1, 0, 16),
      ins(O::Add, 0, 3, 1, 2),
      ins(O::Sub, 0, 4, 3, 2),
      ins(O::Mul, 0, 5, 4, 15),
      ins(O::Jmp, 0, 0, 0, 0, target),
      ins(O::Beq, 0, 0, 1, 2, target),
      ins(O::Bne, 0, 0, 3, 4, target),
      ins(O::Blt, 0, 0, 5, 6, target),
      ins(O::Bge, 0, 0, 7, 8, target),
      ins(O::Barrier),
      ins(O::Xprog, 0, 0, 0, 0, 3, 0),
      ins(O::Mvm, uint8_t(5 | flag::kMvmSignedInput | flag::kMvmAccumulate), 9, 10, 0, mvm_pack_crossbars(2, 3),
          -64, 128),
      ins(O::Vcfg, uint8_t(VcfgReg::Stride), 0, 11, 0, 7),
      ins(O::Vreq, flag::kVreqBias | flag::kVreqHalfEven, 1, 2, 3, 100, 200, 300),
      ins(O::Vmac, flag::kSigned8, 4, 5, 0, 8, 16, -3),
      ins(O::Vadd32, 0, 6, 7, 8, 0, 4, -8),
      ins(O::Vmax8, flag::kSigned8, 9, 10, 11, 1, 2, 3),
      ins(O::Vfill32, 0, 12, 0, 0, 40, -2147483647 - 1),
      ins(O::Vcopy, 0, 13, 14, 0, 5, 6),
      ins(O::Vlut, 0, 1, 2, 3, 4, 5, 256),
      ins(O::Vmul8, uint8_t(flag::kSigned8B), 4, 5, 6, 8, 9, 10),
      ins(O::Vsoftmax, uint8_t(flag::kSigned8 | flag::kSoftmaxLog), 7, 8, 9, 12, 16, 20),
      ins(O::Load, 0, 1, 2, 3, 10, 20, 30),
      ins(O::Store, 0, 4, 5, 6, 40, 50, 60),
      ins(O::Send, 0, 0, 7, 8, 1, 70, 80),
      ins(O::Recv, 0, 0, 9, 10, 2, 90, 100),
  };
}

// Uses every section, every opcode, odd names, several layers.
inline FirmwareImage rich_image() {
  FirmwareImage img = small_image();
  img.arch_name = "rich arch \"v2\"";
  img.layer_names = {"conv1", "fc", "3", "/features/0/Conv", ""};
  CoreProgram c2;
  c2.code = every_opcode(4);
  c2.layers = {{0, 0, 2}, {2, 2, 2}, {3, 2, 10}, {4, 20, 26}};
  img.cores.push_back(c2);
  CoreProgram c3;  // overlapping, out-of-order ranges
  c3.code = {ins(Opcode::Nop), ins(Opcode::Jmp, 0, 0, 0, 0, 0), ins(Opcode::Halt)};
  c3.layers = {{1, 1, 3}, {0, 0, 2}};
  img.cores.push_back(c3);
  img.cores.push_back(CoreProgram{});
  std::mt19937 rng(5);
  for (int k = 0; k < 3; ++k) {
    WeightBlock b;
    b.rows = 3 + uint32_t(k);
    b.cols = 5;
    b.weight_bits = uint8_t(k == 2 ? 1 : 8 - k);
    b.row_offset = uint32_t(k * 100);
    b.col_offset = uint32_t(k);
    const int lo = -(1 << (b.weight_bits - 1)), hi = (1 << (b.weight_bits - 1)) - 1;
    for (uint32_t i = 0; i < b.rows * b.cols; ++i) b.weights.push_back(int16_t(std::uniform_int_distribution<int>(lo, hi)(rng)));
    img.blocks.push_back(b);
  }
  MemorySegment s;
  s.core = 2;
  s.address = 0x40;
  for (int i = 0; i < 37; ++i) s.bytes.push_back(uint8_t(i * 7));
  img.segments.push_back(s);
  MemorySegment empty;
  empty.address = 0xffffffff00ull;
  img.segments.push_back(empty);
  TensorLayout t;
  t.name = "image 0";
  t.dtype = DType::I8;
  t.shape = {1, 3, 8, 8};
  t.address = 0x1000;
  t.scale = 0.0078125f;
  t.zero_point = 0;
  img.inputs.push_back(t);
  t.name = "logits";
  t.scale = 1.0f / 3.0f;
  t.dtype = DType::I32;
  t.shape = {10};
  img.outputs.push_back(t);
  return img;
}

}  // namespace cimvp::test
