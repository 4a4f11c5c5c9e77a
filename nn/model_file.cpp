#include "nn/model_file.h"

#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "nn/softmax.h"

namespace cimvp {

namespace {

constexpr char kMagic[8] = {'C', 'I', 'M', 'V', 'P', 'M', 'D', 'L'};

std::string fmt_float(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(v));
  return buf;
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(uint8_t(s[at + size_t(i)])) << (8 * i);
  return v;
}

uint32_t crc(const std::string& s, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < n) {
    const uInt chunk = uInt(std::min<size_t>(n - done, 1u << 30));
    c = crc32(c, reinterpret_cast<const Bytef*>(s.data() + done), chunk);
    done += chunk;
  }
  return uint32_t(c);
}

const std::vector<float>* param_lists(const Node& n, int k) {
  switch (k) {
    case 0: return &n.weight;
    case 1: return &n.bias;
    case 2: return &n.mean;
    default: return &n.var;
  }
}
const char* kParamKeys[4] = {"weight", "bias", "mean", "var"};

}  // namespace

std::string serialize_model(const ModelFile& m) {
  if (m.graph.structure_only)
    throw Error("model '" + m.graph.name + "' is structure-only (no weights) and cannot be saved as a model file");
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << m.graph.name;
  y << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
  for (const Node& n : m.graph.nodes) {
    y << YAML::Flow << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << n.name;
    y << YAML::Key << "kind" << YAML::Value << op_name(n.kind);
    y << YAML::Key << "inputs" << YAML::Value << YAML::Flow << n.inputs;
    switch (n.kind) {
      case OpKind::Input:
        y << YAML::Key << "shape" << YAML::Value << YAML::Flow
          << std::vector<int>{n.input_shape.c, n.input_shape.h, n.input_shape.w};
        if (n.nonnegative) y << YAML::Key << "nonnegative" << YAML::Value << true;
        break;
      case OpKind::Conv2d:
      case OpKind::Dense:
      case OpKind::MaxPool:
      case OpKind::AvgPool:
        if (n.quantizable()) y << YAML::Key << "out" << YAML::Value << n.out_channels;
        if (n.kind != OpKind::Dense) {
          y << YAML::Key << "kernel" << YAML::Value << n.kernel;
          y << YAML::Key << "stride" << YAML::Value << n.stride;
          y << YAML::Key << "padding" << YAML::Value << n.padding;
          if (n.groups != 1) y << YAML::Key << "groups" << YAML::Value << n.groups;
          if (n.kw() != n.kernel) y << YAML::Key << "kernel_w" << YAML::Value << n.kw();
          if (n.pw() != n.padding) y << YAML::Key << "padding_w" << YAML::Value << n.pw();
          if (n.dilation != 1) y << YAML::Key << "dilation" << YAML::Value << n.dilation;
          if (n.ceil_mode) y << YAML::Key << "ceil_mode" << YAML::Value << true;
        }
        break;
      case OpKind::BatchNorm:
        y << YAML::Key << "eps" << YAML::Value << fmt_float(n.eps);
        break;
      case OpKind::Relu:
        if (n.max > 0) y << YAML::Key << "max" << YAML::Value << fmt_float(n.max);
        break;
      case OpKind::Activation:
        y << YAML::Key << "function" << YAML::Value << activation_name(n.function.f);
        if (n.function.has_parameters()) y << YAML::Key << "alpha" << YAML::Value << n.function.alpha;
        if (n.function.f == Activation::Clip) y << YAML::Key << "beta" << YAML::Value << n.function.beta;
        break;
      case OpKind::Channels:
        y << YAML::Key << "channels" << YAML::Value << YAML::Flow << n.channels;
        break;
      case OpKind::Softmax:
        y << YAML::Key << "axis" << YAML::Value << softmax_axis_name(n.softmax_axis);
        if (n.log) y << YAML::Key << "log" << YAML::Value << true;
        break;
      case OpKind::Pad:  // [top, left, bottom, right], ONNX's order for height and width
        y << YAML::Key << "pads" << YAML::Value << YAML::Flow
          << std::vector<int>{n.pad.top, n.pad.left, n.pad.bottom, n.pad.right};
        y << YAML::Key << "mode" << YAML::Value << pad_mode_name(n.pad.mode);
        if (n.pad.mode == PadMode::Constant) y << YAML::Key << "value" << YAML::Value << fmt_float(n.pad.value);
        break;
      default: break;
    }
    for (int k = 0; k < 4; ++k)
      if (!param_lists(n, k)->empty()) y << YAML::Key << kParamKeys[k] << YAML::Value << param_lists(n, k)->size();
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
  if (m.has_policy()) {
    y << YAML::Key << "policy" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "weight_bits" << YAML::Value << YAML::Flow << m.policy.weight_bits;
    y << YAML::Key << "activation_bits" << YAML::Value << YAML::Flow << m.policy.activation_bits;
    y << YAML::EndMap;
  }
  if (!m.calibration.act_clip.empty() || !m.calibration.weight_scale.empty()) {
    y << YAML::Key << "calibration" << YAML::Value << YAML::BeginMap;
    for (int k = 0; k < 2; ++k) {
      const auto& mp = k ? m.calibration.weight_scale : m.calibration.act_clip;
      y << YAML::Key << (k ? "weight_scale" : "act_clip") << YAML::Value << YAML::BeginMap;
      for (const auto& [key, v] : mp) y << YAML::Key << key << YAML::Value << fmt_float(v);
      y << YAML::EndMap;
    }
    y << YAML::EndMap;
  }
  if (!m.metadata.empty()) {
    y << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : m.metadata) y << YAML::Key << k << YAML::Value << v;
    y << YAML::EndMap;
  }
  y << YAML::EndMap;
  if (!y.good()) throw Error(std::string("cannot write the model header: ") + y.GetLastError());
  const std::string header = y.c_str();

  uint64_t floats = 0;
  for (const Node& n : m.graph.nodes)
    for (int k = 0; k < 4; ++k) floats += param_lists(n, k)->size();
  std::string out;
  out.reserve(16 + header.size() + 8 + floats * 4 + 4);
  out.append(kMagic, 8);
  put_u32(out, kModelFileVersion);
  put_u32(out, uint32_t(header.size()));
  out += header;
  put_u64(out, floats * 4);
  static_assert(sizeof(float) == 4, "float32");
  for (const Node& n : m.graph.nodes)
    for (int k = 0; k < 4; ++k) {
      const auto& v = *param_lists(n, k);
      if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);  // little-endian host
    }
  put_u32(out, crc(out, out.size()));
  return out;
}

ModelFile parse_model(const std::string& s, const std::string& source) {
  auto bad = [&](const std::string& what) { return Error(source + ": " + what); };
  if (s.size() < 8 || std::memcmp(s.data(), kMagic, 8) != 0)
    throw bad("not a cimvp model file (bad magic; expected \"CIMVPMDL\")");
  if (s.size() < 16) throw bad("truncated model file (" + std::to_string(s.size()) + " bytes)");
  const uint32_t version = uint32_t(get_le(s, 8, 4));
  if (version != kModelFileVersion)
    throw bad("model file format version " + std::to_string(version) + ", this cimvp reads version " +
              std::to_string(kModelFileVersion) + " (re-export the model with a matching cimvp)");
  const uint64_t hlen = get_le(s, 12, 4);
  if (s.size() < 16 + hlen + 8) throw bad("truncated model file (header cut off)");
  const uint64_t blen = get_le(s, size_t(16 + hlen), 8);
  const uint64_t total = 16 + hlen + 8 + blen + 4;
  if (blen > s.size() || s.size() < total)
    throw bad("truncated model file (" + std::to_string(s.size()) + " bytes, expected " + std::to_string(total) + ")");
  if (s.size() > total) throw bad("trailing bytes after the model (file is " + std::to_string(s.size()) +
                                  " bytes, expected " + std::to_string(total) + ")");
  const uint32_t want = uint32_t(get_le(s, size_t(total - 4), 4));
  if (crc(s, size_t(total - 4)) != want) throw bad("checksum mismatch: the model file is corrupted");

  YAML::Node h;
  try {
    h = YAML::Load(s.substr(16, size_t(hlen)));
  } catch (const YAML::Exception& e) {
    throw bad(std::string("malformed header: ") + e.what());
  }
  ModelFile m;
  const char* blob = s.data() + 16 + hlen + 8;
  uint64_t used = 0;
  try {
    if (!h.IsMap() || !h["nodes"] || !h["nodes"].IsSequence()) throw bad("header has no node list");
    m.graph.name = h["name"] ? h["name"].as<std::string>() : std::string();
    for (size_t i = 0; i < h["nodes"].size(); ++i) {
      const YAML::Node y = h["nodes"][i];
      Node n;
      n.name = y["name"].as<std::string>();
      n.kind = op_from_name(y["kind"].as<std::string>());
      n.inputs = y["inputs"].as<std::vector<int>>();
      if (n.kind == OpKind::Input) {
        const auto sh = y["shape"].as<std::vector<int>>();
        if (sh.size() != 3) throw bad("node '" + n.name + "': shape must have 3 entries (C, H, W)");
        n.input_shape = {sh[0], sh[1], sh[2]};
        if (y["nonnegative"]) n.nonnegative = y["nonnegative"].as<bool>();
      }
      if (y["out"]) n.out_channels = y["out"].as<int>();
      if (y["kernel"]) n.kernel = y["kernel"].as<int>();
      if (y["stride"]) n.stride = y["stride"].as<int>();
      if (y["padding"]) n.padding = y["padding"].as<int>();
      if (y["groups"]) n.groups = y["groups"].as<int>();
      if (y["kernel_w"]) n.kernel_w = y["kernel_w"].as<int>();
      if (y["dilation"]) n.dilation = y["dilation"].as<int>();
      if (y["padding_w"]) n.padding_w = y["padding_w"].as<int>();
      if (y["ceil_mode"]) n.ceil_mode = y["ceil_mode"].as<bool>();
      if (y["eps"]) n.eps = y["eps"].as<float>();
      if (y["max"]) n.max = y["max"].as<float>();
      if (y["channels"]) n.channels = y["channels"].as<std::vector<int>>();
      if (y["pads"]) {
        const auto p = y["pads"].as<std::vector<int>>();
        if (p.size() != 4) throw bad("node '" + n.name + "': pads must have 4 entries (top, left, bottom, right)");
        n.pad.top = p[0], n.pad.left = p[1], n.pad.bottom = p[2], n.pad.right = p[3];
      }
      if (y["mode"]) {
        try {
          n.pad.mode = pad_mode_from_name(y["mode"].as<std::string>());
        } catch (const Error& e) {
          throw bad("node '" + n.name + "': " + e.what());
        }
      }
      if (y["value"]) n.pad.value = y["value"].as<float>();
      if (y["axis"]) {
        try {
          n.softmax_axis = softmax_axis_from_name(y["axis"].as<std::string>());
        } catch (const Error& e) {
          throw bad("node '" + n.name + "': " + e.what());
        }
      }
      if (y["log"]) n.log = y["log"].as<bool>();
      if (y["function"]) {
        const std::string f = y["function"].as<std::string>();
        const auto fn = activation_from_name(f);
        if (!fn)
          throw bad("node '" + n.name + "': unknown function '" + f +
                    "' (sigmoid, hard_sigmoid, silu, hard_swish, tanh, softplus, elu, selu, relu, leaky_relu, clip)");
        n.function = *fn;
        if (y["alpha"]) n.function.alpha = y["alpha"].as<double>();
        if (y["beta"]) n.function.beta = y["beta"].as<double>();
        if (n.function.f == Activation::Clip && !(y["alpha"] && y["beta"] && n.function.alpha < n.function.beta))
          throw bad("node '" + n.name + "': a clip needs its bounds alpha < beta");
      }
      for (int k = 0; k < 4; ++k) {
        const uint64_t count = y[kParamKeys[k]] ? y[kParamKeys[k]].as<uint64_t>() : 0;
        if (count > (blen - used) / 4)
          throw bad("node '" + n.name + "': " + kParamKeys[k] + " needs more data than the blob holds");
        std::vector<float>& v = k == 0 ? n.weight : k == 1 ? n.bias : k == 2 ? n.mean : n.var;
        v.resize(size_t(count));
        if (count) std::memcpy(v.data(), blob + used, size_t(count) * 4);
        used += count * 4;
      }
      m.graph.nodes.push_back(std::move(n));
    }
    if (used != blen) throw bad("the parameter blob has " + std::to_string(blen - used) + " bytes no node claims");
    if (h["policy"]) {
      m.policy.weight_bits = h["policy"]["weight_bits"].as<std::vector<int>>();
      m.policy.activation_bits = h["policy"]["activation_bits"].as<std::vector<int>>();
      m.policy.model = m.graph.name;
    }
    if (h["calibration"]) {
      for (int k = 0; k < 2; ++k) {
        const YAML::Node mp = h["calibration"][k ? "weight_scale" : "act_clip"];
        if (!mp) continue;
        auto& dst = k ? m.calibration.weight_scale : m.calibration.act_clip;
        for (const auto& kv : mp) dst[kv.first.as<std::string>()] = kv.second.as<float>();
      }
    }
    if (h["metadata"])
      for (const auto& kv : h["metadata"]) m.metadata[kv.first.as<std::string>()] = kv.second.as<std::string>();
  } catch (const YAML::Exception& e) {
    throw bad(std::string("malformed header: ") + e.what());
  }
  try {
    m.graph.infer_shapes();
    m.graph.check_grouped_weights();
    if (m.has_policy()) check_policy(m.policy, m.graph.quantizable_layers().size(), "policy");
  } catch (const Error& e) {
    throw bad(e.what());
  }
  return m;
}

void save_model_file(const ModelFile& m, const std::string& path) {
  const std::string bytes = serialize_model(m);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error("cannot write model file '" + path + "'");
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw Error("error writing model file '" + path + "'");
}

ModelFile load_model_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open model file '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_model(ss.str(), path);
}

bool is_model_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char buf[8] = {};
  f.read(buf, 8);
  return f.gcount() == 8 && std::memcmp(buf, kMagic, 8) == 0;
}

}  // namespace cimvp
