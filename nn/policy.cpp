#include "nn/policy.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "common/error.h"

namespace cimvp {

std::string Policy::str() const {
  if (weight_bits.empty()) return "empty";
  for (size_t i = 1; i < size(); ++i)
    if (weight_bits[i] != weight_bits[0] || activation_bits[i] != activation_bits[0]) return "mixed";
  return "w" + std::to_string(weight_bits[0]) + "a" + std::to_string(activation_bits[0]);
}

Policy uniform_policy(size_t layers, int w, int a) {
  Policy p;
  p.weight_bits.assign(layers, w);
  p.activation_bits.assign(layers, a);
  check_policy(p, layers, "uniform policy w" + std::to_string(w) + "a" + std::to_string(a));
  return p;
}

Policy parse_bits_spec(const std::string& spec, size_t layers) {
  static const std::regex re("^[wW]([0-9]+)[aA]([0-9]+)$");
  std::smatch m;
  if (!std::regex_match(spec, m, re) || m[1].length() > 2 || m[2].length() > 2)
    throw Error("bits spec '" + spec + "' is malformed: expected wXaY with X, Y in 1..8 (e.g. w8a8)");
  const int w = std::stoi(m[1]), a = std::stoi(m[2]);
  if (w < kMinBits || w > kMaxBits || a < kMinBits || a > kMaxBits)
    throw Error("bits spec '" + spec + "': bits must be in 1..8");
  return uniform_policy(layers, w, a);
}

void check_policy(const Policy& p, size_t layers, const std::string& source) {
  if (p.weight_bits.size() != layers)
    throw Error(source + ": weight_bits has " + std::to_string(p.weight_bits.size()) + " entries, the model has " +
                std::to_string(layers) + " quantizable layers");
  if (p.activation_bits.size() != layers)
    throw Error(source + ": activation_bits has " + std::to_string(p.activation_bits.size()) +
                " entries, the model has " + std::to_string(layers) + " quantizable layers");
  for (int k = 0; k < 2; ++k) {
    const auto& v = k ? p.activation_bits : p.weight_bits;
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] < kMinBits || v[i] > kMaxBits)
        throw Error(source + ": " + (k ? "activation_bits[" : "weight_bits[") + std::to_string(i) +
                    "]: " + std::to_string(v[i]) + " is outside 1..8");
  }
}

namespace {

std::string where(const std::string& source, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::vector<int> read_bits(const YAML::Node& root, const char* key, const std::string& source) {
  const YAML::Node n = root[key];
  if (!n) throw Error(source + ": missing key '" + key + "'");
  if (!n.IsSequence()) throw Error(where(source, n) + ": '" + key + "' must be a list of integers");
  std::vector<int> out;
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node e = n[i];
    const std::string entry = std::string(key) + "[" + std::to_string(i) + "]";
    if (!e.IsScalar()) throw Error(where(source, e) + ": " + entry + " must be an integer");
    int v;
    try {
      v = e.as<int>();
    } catch (const YAML::Exception&) {
      throw Error(where(source, e) + ": " + entry + ": '" + e.Scalar() + "' is not an integer");
    }
    if (v < kMinBits || v > kMaxBits)
      throw Error(where(source, e) + ": " + entry + ": " + std::to_string(v) + " is outside 1..8");
    out.push_back(v);
  }
  return out;
}

}  // namespace

Policy policy_from_yaml(const std::string& text, const std::string& source, int layers) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(source + ": invalid YAML: " + e.what());
  }
  if (!root.IsMap()) throw Error(source + ": a policy must be a mapping with weight_bits and activation_bits");
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    if (k != "weight_bits" && k != "activation_bits" && k != "model")
      throw Error(where(source, kv.first) + ": unknown key '" + k +
                  "' (valid: weight_bits, activation_bits, model)");
  }
  Policy p;
  if (root["model"]) {
    if (!root["model"].IsScalar()) throw Error(where(source, root["model"]) + ": 'model' must be a string");
    p.model = root["model"].Scalar();
  }
  p.weight_bits = read_bits(root, "weight_bits", source);
  p.activation_bits = read_bits(root, "activation_bits", source);
  if (p.weight_bits.size() != p.activation_bits.size())
    throw Error(source + ": weight_bits has " + std::to_string(p.weight_bits.size()) +
                " entries but activation_bits has " + std::to_string(p.activation_bits.size()));
  if (layers >= 0) check_policy(p, size_t(layers), source);
  return p;
}

Policy load_policy(const std::string& path, int layers) {
  std::ifstream f(path);
  if (!f) throw Error("cannot open policy file '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  return policy_from_yaml(ss.str(), path, layers);
}

std::string to_yaml(const Policy& p) {
  std::ostringstream o;
  if (!p.model.empty()) o << "model: " << p.model << "\n";
  auto list = [&](const char* key, const std::vector<int>& v) {
    o << key << ": [";
    for (size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << v[i];
    o << "]\n";
  };
  list("weight_bits", p.weight_bits);
  list("activation_bits", p.activation_bits);
  return o.str();
}

void save_policy(const Policy& p, const std::string& path) {
  std::ofstream f(path);
  if (!f) throw Error("cannot write policy file '" + path + "'");
  f << to_yaml(p);
  if (!f) throw Error("error writing policy file '" + path + "'");
}

}  // namespace cimvp
