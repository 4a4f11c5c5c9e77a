// The cimvp model file (docs/model-format.md): the graph (structure and float
// weights), the calibrated or learned scales and the policy, in one versioned,
// checksummed file. The trainer saves and loads through it; the compiler and
// the CLI read it.
//
//   bytes 0-7    magic "CIMVPMDL"
//   bytes 8-11   format version (uint32 little-endian), kModelFileVersion
//   bytes 12-15  header length H (uint32)
//   H bytes      YAML header: name, nodes, policy, calibration, metadata
//   8 bytes      blob length B (uint64)
//   B bytes      float32 little-endian parameters, node by node: weight, bias, mean, var
//   4 bytes      CRC-32 (zlib) of every preceding byte
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "nn/graph.h"
#include "nn/policy.h"
#include "nn/quant.h"

namespace cimvp {

constexpr uint32_t kModelFileVersion = 1;

struct ModelFile {
  Graph graph;                                  // may contain BatchNorm (folded when quantized)
  Policy policy;                                // empty (no layers) when the model is float only
  Calibration calibration;                      // empty when not calibrated
  std::map<std::string, std::string> metadata;  // free-form: dataset, accuracy, command, ...
  // Not stored: set by load_model_spec for a zoo name, whose weights are
  // random, so calibration uses generated inputs (nn/model_source.h).
  bool random_weights = false;

  bool has_policy() const { return !policy.weight_bits.empty(); }
};

// Serializes to bytes / parses bytes. `source` names the file in errors.
std::string serialize_model(const ModelFile& m);
ModelFile parse_model(const std::string& bytes, const std::string& source);

void save_model_file(const ModelFile& m, const std::string& path);
// Throws cimvp::Error naming the file for: a missing file, wrong magic, a
// different format version, truncation, a checksum mismatch, a malformed
// header, parameters that do not match the graph.
ModelFile load_model_file(const std::string& path);

// True if the file starts with the model-file magic.
bool is_model_file(const std::string& path);

}  // namespace cimvp
