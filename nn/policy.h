// A mixed-precision policy: weight bits and activation (input) bits for each
// quantizable layer, in the order of Graph::quantizable_layers(). Read from
// YAML (`weight_bits: [..]`, `activation_bits: [..]`, optional `model: NAME`)
// or from a uniform spec such as "w8a8".
#pragma once

#include <string>
#include <vector>

namespace cimvp {

constexpr int kMinBits = 1;
constexpr int kMaxBits = 8;

struct Policy {
  std::string model;                 // optional: the model the policy was made for
  std::vector<int> weight_bits;      // per quantizable layer, 1..8
  std::vector<int> activation_bits;  // per quantizable layer: bits of that layer's input, 1..8

  size_t size() const { return weight_bits.size(); }
  bool operator==(const Policy& o) const {
    return weight_bits == o.weight_bits && activation_bits == o.activation_bits;
  }
  // "w8a8" when uniform, else "mixed".
  std::string str() const;
};

Policy uniform_policy(size_t layers, int weight_bits, int activation_bits);

// "w8a8", "W4A6", "w2a8": uniform policy over `layers` layers. A malformed
// spec or bits outside 1..8 throw cimvp::Error quoting the spec.
Policy parse_bits_spec(const std::string& spec, size_t layers);

// Parses YAML text; `source` names the file in errors. If layers >= 0 the
// lengths must equal it. Errors name the source, the key and the entry
// (e.g. "p.yaml: weight_bits[3]: 9 is outside 1..8").
Policy policy_from_yaml(const std::string& text, const std::string& source, int layers = -1);
Policy load_policy(const std::string& path, int layers = -1);
std::string to_yaml(const Policy& p);
void save_policy(const Policy& p, const std::string& path);

// Checks lengths (against `layers`) and ranges; `source` names the origin in errors.
void check_policy(const Policy& p, size_t layers, const std::string& source);

}  // namespace cimvp
