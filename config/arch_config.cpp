// Reading, validating and writing architecture YAML, driven by the parameter
// table (arch_params.cpp). Every error names the file, the full key and the
// line:column where yaml-cpp found it.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "common/yaml_diagnostics.h"
#include "config/arch_config.h"
#include "config/arch_params.h"

namespace cimvp {
namespace {

std::string quoted(const std::string& key) { return "'" + key + "'"; }


const std::set<std::string>& sections() {
  static const std::set<std::string> s = [] {
    std::set<std::string> r;
    for (const ParamDef& d : param_defs())
      if (!section_of(d.key).empty()) r.insert(section_of(d.key));
    return r;
  }();
  return s;
}

// " (did you mean 'crossbar.cols'?)" for a misspelt key or section.
std::string suggestion(const std::string& key, bool want_section) {
  std::vector<std::string> candidates;
  if (want_section) candidates.assign(sections().begin(), sections().end());
  else
    for (const ParamDef& d : param_defs()) candidates.push_back(d.key);
  std::string best;
  size_t best_d = std::max<size_t>(3, key.size() / 4) + 1;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(key, c);
    if (d < best_d) best_d = d, best = c;
  }
  if (best.empty() && !want_section)  // right leaf, wrong section: "core.cell_bits"
    for (const std::string& c : candidates)
      if (leaf_of(c) == leaf_of(key)) {
        best = c;
        break;
      }
  if (best.empty() && leaf_of(key).size() >= 3)  // a prefix: "clock" for "clock_mhz"
    for (const std::string& c : candidates)
      if (section_of(c) == section_of(key) && leaf_of(c).rfind(leaf_of(key), 0) == 0) {
        best = c;
        break;
      }
  if (best.empty()) return " (`cimvp params` lists every key)";
  return " (did you mean " + quoted(best) + "?)";
}

std::string keys_of_section(const std::string& section) {
  std::string s;
  for (const ParamDef& d : param_defs())
    if (section_of(d.key) == section) s += (s.empty() ? "" : ", ") + leaf_of(d.key);
  return s;
}

const char* node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: return "a value";
  }
}

// Multiplier of a binary size suffix ("64 MiB"), 0 if `s` is not one.
int64_t size_suffix(const std::string& s) {
  if (s == "KiB") return int64_t(1) << 10;
  if (s == "MiB") return int64_t(1) << 20;
  if (s == "GiB") return int64_t(1) << 30;
  if (s == "TiB") return int64_t(1) << 40;
  return 0;
}

double parse_integer(const ParamDef& d, const std::string& text, const std::string& at) {
  std::string digits = text;
  int64_t scale = 1;
  if (d.unit == "bytes") {  // "64 MiB", "64MiB"
    const size_t end = text.find_last_of("0123456789");
    if (end != std::string::npos && end + 1 < text.size()) {
      size_t s = end + 1;
      while (s < text.size() && text[s] == ' ') ++s;
      scale = size_suffix(text.substr(s));
      if (scale == 0) throw Error(at + ": " + quoted(d.key) + " must be a byte count (an integer, optionally with KiB, MiB, GiB or TiB), got '" + text + "'");
      digits = text.substr(0, end + 1);
    }
  }
  const char* first = digits.data();
  const char* last = first + digits.size();
  if (first != last && *first == '+') ++first;
  int64_t v = 0;
  const auto r = std::from_chars(first, last, v);
  if (r.ec == std::errc::result_out_of_range)
    throw Error(at + ": " + quoted(d.key) + " = " + text + " is out of range " + d.range_string());
  if (r.ec != std::errc() || r.ptr != last || first == last)
    throw Error(at + ": " + quoted(d.key) + " must be an integer, got '" + text + "'");
  if (scale != 1 && (v > INT64_MAX / scale || v < INT64_MIN / scale))
    throw Error(at + ": " + quoted(d.key) + " = " + text + " is out of range " + d.range_string());
  // Values beyond 2^53 are far outside every range; double keeps the check honest.
  return double(v) * double(scale);
}

double parse_real(const ParamDef& d, const std::string& text, const std::string& at) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') ++first;
  double v = 0;
  const auto r = std::from_chars(first, last, v);
  if (r.ec == std::errc::result_out_of_range)
    throw Error(at + ": " + quoted(d.key) + " = " + text + " is out of range " + d.range_string());
  if (r.ec != std::errc() || r.ptr != last || first == last || !std::isfinite(v))
    throw Error(at + ": " + quoted(d.key) + " must be a number, got '" + text + "'");
  return v;
}

// " (did you mean 'x'?)" for the choice nearest to `text`, if one is near.
std::string closest_of(const std::string& text, const std::vector<std::string>& choices) {
  std::string closest;
  size_t closest_d = text.size() / 3 + 2;
  for (const std::string& c : choices) {
    const size_t distance = edit_distance(text, c);
    if (distance < closest_d) closest_d = distance, closest = c;
  }
  return closest.empty() ? "" : " (did you mean " + quoted(closest) + "?)";
}

// What a parameter that can be off takes besides its range.
std::string off_hint(const ParamDef& d) {
  return d.off.empty() ? "" : " (or " + d.off + ", the default: leave the key out)";
}

// Parses one parameter's value text into `c` (type, unit suffix, choice,
// range); errors start with `at`.
void set_param_text(ArchConfig& c, const ParamDef& d, const std::string& text, const std::string& at) {
  if (std::holds_alternative<Field<std::string>>(d.member)) {
    if (!d.choices.empty() && std::find(d.choices.begin(), d.choices.end(), text) == d.choices.end())
      throw Error(at + ": " + quoted(d.key) + " must be one of " + d.range_string() + ", got '" + text + "'" +
                  closest_of(text, d.choices));
    std::get<Field<std::string>>(d.member)(mutable_ref(c)) = text;
    return;
  }
  if (std::holds_alternative<Field<WeightMapping>>(d.member)) {
    WeightMapping& m = std::get<Field<WeightMapping>>(d.member)(mutable_ref(c));
    std::vector<std::string> names;
    for (WeightMapping w : {WeightMapping::DifferentialColumn, WeightMapping::DifferentialRow, WeightMapping::Offset}) {
      if (text == mapping_name(w)) {
        m = w;
        return;
      }
      names.push_back(mapping_name(w));
    }
    throw Error(at + ": " + quoted(d.key) + " must be one of " + d.range_string() + ", got '" + text + "'" +
                closest_of(text, names));
  }
  if (!d.off.empty() && text == d.off) {
    d.set(c, 0);
    return;
  }
  double v = 0;
  try {
    v = d.is_integer() ? parse_integer(d, text, at) : parse_real(d, text, at);
  } catch (const Error& e) {
    if (d.off.empty()) throw;
    throw Error(e.what() + off_hint(d));
  }
  if (!(v >= d.min && v <= d.max))
    throw Error(at + ": " + quoted(d.key) + " = " + text + " is out of range " + d.range_string() +
                (d.unit.empty() ? "" : " " + d.unit) + off_hint(d));
  d.set(c, v);
}

class Reader {
 public:
  Reader(ArchConfig& c, const std::string& source) : c_(c), source_(source) {}

  void read_map(const YAML::Node& map, const std::string& prefix) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node k = it->first;  // copies: the iterator yields a temporary pair
      const YAML::Node v = it->second;
      if (!k.IsScalar())
        throw Error(yaml_position(source_, k.Mark()) + ": a key must be a plain name, got " + node_kind(k));
      const std::string key = prefix + k.Scalar();
      if (find_param(key)) {
        remember(key, k.Mark());
        set(key, v, k.Mark());
      } else if (prefix.empty() && sections().count(key)) {
        if (v.IsMap()) read_map(v, key + ".");
        else if (!v.IsNull())  // "mesh:" alone is an empty section
          throw Error(yaml_position(source_, v.Mark()) + ": " + quoted(key) + " is a section (" + keys_of_section(key) +
                      "), not a value; write e.g. '" + key + ": {" + leaf_of(*first_key(key)) + ": ...}'");
      } else if (prefix.empty() && v.IsMap()) {
        throw Error(yaml_position(source_, k.Mark()) + ": unknown section " + quoted(key) + suggestion(key, true));
      } else {
        throw Error(yaml_position(source_, k.Mark()) + ": unknown key " + quoted(key) + suggestion(key, false));
      }
    }
  }

  // The position of the first of `keys` given in the file, else the file.
  std::string where(const std::vector<std::string>& keys) const {
    for (const std::string& key : keys) {
      const auto it = marks_.find(key);
      if (it != marks_.end()) return yaml_position(source_, it->second);
    }
    return source_;
  }

 private:
  static const std::string* first_key(const std::string& section) {
    for (const ParamDef& d : param_defs())
      if (section_of(d.key) == section) return &d.key;
    return nullptr;
  }

  void remember(const std::string& key, const YAML::Mark& m) {
    const auto [it, fresh] = marks_.emplace(key, m);
    if (!fresh)
      throw Error(yaml_position(source_, m) + ": " + quoted(key) + " is given twice (first at line " +
                  std::to_string(it->second.line + 1) + ")");
  }

  void set(const std::string& key, const YAML::Node& node, const YAML::Mark& key_mark) {
    // A missing value has no position of its own: point at its key.
    const std::string at = yaml_position(source_, node.IsNull() ? key_mark : node.Mark());
    if (!node.IsScalar()) throw Error(at + ": " + quoted(key) + " needs a single value, got " + node_kind(node));
    set_param_text(c_, *find_param(key), node.Scalar(), at);
  }

  ArchConfig& c_;
  const std::string& source_;
  std::map<std::string, YAML::Mark> marks_;
};

using Where = std::function<std::string(const std::vector<std::string>& keys)>;

std::string num(double v) { return format_number(v, false); }

void check(const ArchConfig& c, const Where& where) {
  // Every parameter within its declared range (configs built in code too).
  for (const ParamDef& d : param_defs()) {
    if (std::holds_alternative<Field<std::string>>(d.member)) {
      const std::string& name = std::get<Field<std::string>>(d.member)(mutable_ref(c));
      if (!d.choices.empty() && std::find(d.choices.begin(), d.choices.end(), name) == d.choices.end())
        throw Error(where({d.key}) + ": " + quoted(d.key) + " must be one of " + d.range_string() + ", got '" + name +
                    "'");
      if (name.empty()) throw Error(where({d.key}) + ": " + quoted(d.key) + " must not be empty");
      for (char ch : name)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
          throw Error(where({d.key}) + ": " + quoted(d.key) + " must not contain control characters");
      continue;
    }
    if (std::holds_alternative<Field<WeightMapping>>(d.member)) {
      const int m = int(std::get<Field<WeightMapping>>(d.member)(mutable_ref(c)));
      if (m < 0 || m > int(WeightMapping::Offset))
        throw Error(where({d.key}) + ": " + quoted(d.key) + " has no valid value (" + std::to_string(m) + ")");
      continue;
    }
    const double v = d.value(c);
    if (d.is_off(c)) continue;
    if (!(v >= d.min && v <= d.max))
      throw Error(where({d.key}) + ": " + quoted(d.key) + " = " + num(v) + " is out of range " + d.range_string() +
                  (d.unit.empty() ? "" : " " + d.unit) + off_hint(d));
  }

  // Cross-parameter rules.
  if (c.noc.memory_port_row >= c.mesh.rows)
    throw Error(where({"noc.memory_port_row", "mesh.rows"}) + ": 'noc.memory_port_row' = " + std::to_string(c.noc.memory_port_row) +
                " is outside the mesh: 'mesh.rows' = " + std::to_string(c.mesh.rows) + " (rows 0.." +
                std::to_string(c.mesh.rows - 1) + ")");
  if (c.noc.memory_port_col >= c.mesh.cols)
    throw Error(where({"noc.memory_port_col", "mesh.cols"}) + ": 'noc.memory_port_col' = " + std::to_string(c.noc.memory_port_col) +
                " is outside the mesh: 'mesh.cols' = " + std::to_string(c.mesh.cols) + " (columns 0.." +
                std::to_string(c.mesh.cols - 1) + ")");
  if (c.adc.cols_per_adc > c.crossbar.cols)
    throw Error(where({"adc.cols_per_adc", "crossbar.cols"}) + ": 'adc.cols_per_adc' = " + std::to_string(c.adc.cols_per_adc) +
                " exceeds 'crossbar.cols' = " + std::to_string(c.crossbar.cols));
  if (c.crossbar.mapping == WeightMapping::DifferentialRow && c.crossbar.rows % 2 != 0)
    throw Error(where({"crossbar.rows", "crossbar.mapping"}) + ": 'crossbar.mapping' = differential-row pairs rows, so 'crossbar.rows' " +
                "must be even, got " + std::to_string(c.crossbar.rows));
  if (c.crossbar.flips_columns() && c.crossbar.mapping == WeightMapping::DifferentialRow)
    throw Error(where({"crossbar.encoding", "crossbar.mapping"}) + ": 'crossbar.encoding' = flipped-columns needs a " +
                "column mapping (differential-column or offset): under 'crossbar.mapping' = differential-row a " +
                "flipped column's sum only changes sign");
  if (c.crossbar.max_tile_cols(8) < 1)
    throw Error(where({"crossbar.cols", "crossbar.cell_bits", "crossbar.mapping"}) + ": an 8-bit weight needs " + std::to_string(c.crossbar.physical_cols(1, 8)) +
                " physical columns with 'crossbar.cell_bits' = " + std::to_string(c.crossbar.cell_bits) +
                " and 'crossbar.mapping' = " + mapping_name(c.crossbar.mapping) + ", but 'crossbar.cols' = " +
                std::to_string(c.crossbar.cols));
  if (c.crossbar.max_tile_rows() < 1)
    throw Error(where({"crossbar.rows", "crossbar.mapping"}) + ": 'crossbar.rows' = " + std::to_string(c.crossbar.rows) +
                " leaves no logical row under 'crossbar.mapping' = " + mapping_name(c.crossbar.mapping));
  if (c.device.on_off_ratio != 0 && c.device.on_off_ratio <= 1)
    throw Error(where({"device.on_off_ratio"}) + ": 'device.on_off_ratio' = " + num(c.device.on_off_ratio) +
                " is not above 1: g_max / g_min must exceed 1 (0 means infinite)");
  if (c.device.stuck_low_rate + c.device.stuck_high_rate > 1)
    throw Error(where({"device.stuck_high_rate", "device.stuck_low_rate"}) + ": 'device.stuck_low_rate' + " +
                "'device.stuck_high_rate' = " + num(c.device.stuck_low_rate + c.device.stuck_high_rate) +
                " exceeds 1 (they are fractions of the same cells)");
  if (c.device.refresh_interval_s > 0 && c.device.read_time_s != DeviceParams{}.read_time_s)
    throw Error(where({"device.read_time_s", "device.refresh_interval_s"}) + ": 'device.read_time_s' = " +
                num(c.device.read_time_s) + " is not used with 'device.refresh_interval_s' = " +
                num(c.device.refresh_interval_s) +
                ": the reads' ages follow from the refresh interval (docs/device.md, \"Lifetime and refresh\"); "
                "leave read_time_s out");
  if (c.adc.full_scale < 0)  // also covered by the range; kept as the rule the ADC model relies on
    throw Error(where({"adc.full_scale"}) + ": 'adc.full_scale' must be >= 0");
  if (!(c.clock_mhz > 0)) throw Error(where({"clock_mhz"}) + ": 'clock_mhz' must be > 0");
  // Timing models count in integer picoseconds: a clock whose cycle rounds to 0 ps would make cycles free.
  if (std::llround(c.cycle_ns() * 1000.0) < 1)
    throw Error(where({"clock_mhz"}) + ": 'clock_mhz' = " + num(c.clock_mhz) + " gives a cycle shorter than 1 ps");
  if (int64_t(c.cores()) * c.buffer.bytes > (int64_t(1) << 36))
    throw Error(where({"buffer.bytes", "mesh.rows", "mesh.cols"}) + ": 'buffer.bytes' = " + std::to_string(c.buffer.bytes) + " times " +
                std::to_string(c.cores()) + " cores ('mesh.rows' x 'mesh.cols') exceeds 64 GiB of simulated SRAM");
}

}  // namespace

void check_param_value(const std::string& key, const std::string& text, const std::string& at) {
  const ParamDef* d = find_param(key);
  if (!d) throw Error(at + ": unknown key " + quoted(key) + suggestion(key, false));
  ArchConfig scratch;
  set_param_text(scratch, *d, text, at);
}

ArchConfig parse_arch_config(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(yaml_position(source, e.mark) + ": YAML syntax error: " + e.msg);
  }
  ArchConfig c;
  Reader reader(c, source);
  if (!root.IsNull()) {  // an empty file is the default architecture
    if (!root.IsMap())
      throw Error(yaml_position(source, root.Mark()) +
                  ": an architecture file is a YAML mapping of parameters (`cimvp params` lists them), got " +
                  node_kind(root));
    reader.read_map(root, "");
  }
  check(c, [&](const std::vector<std::string>& keys) { return reader.where(keys); });
  return c;
}

ArchConfig load_arch_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the architecture file: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(path + ": cannot read the architecture file");
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (json) return parse_arch_config(architecture_text_of_json(text.str(), path), path + " (its \"architecture\")");
  return parse_arch_config(text.str(), path);
}

void validate(const ArchConfig& config, const std::string& source) {
  check(config, [&](const std::vector<std::string>&) { return source; });
}

bool operator==(const ArchConfig& a, const ArchConfig& b) {
  for (const ParamDef& d : param_defs()) {
    const bool same = std::visit([&](auto m) { return m(mutable_ref(a)) == m(mutable_ref(b)); }, d.member);
    if (!same) return false;
  }
  return true;
}

std::string to_yaml(const ArchConfig& c) {
  std::ostringstream s;
  s << "# architecture '" << c.name << "': every parameter (docs/params.md)\n";
  std::string section;
  for (const ParamDef& d : param_defs()) {
    const std::string sec = section_of(d.key);
    if (sec != section) {
      section = sec;
      if (!sec.empty()) s << sec << ":\n";
    }
    std::string value = d.value_string(c);
    if (std::holds_alternative<Field<std::string>>(d.member)) {
      YAML::Emitter e;  // quotes names YAML would otherwise read differently
      e << value;
      value = e.c_str();
    }
    std::string line = (sec.empty() ? "" : "  ") + leaf_of(d.key) + ": " + value;
    if (!d.unit.empty()) line += std::string(line.size() < 32 ? 32 - line.size() : 1, ' ') + "# " + d.unit;
    s << line << "\n";
  }
  return s.str();
}

}  // namespace cimvp
