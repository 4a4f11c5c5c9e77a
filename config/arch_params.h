// The parameter table behind the YAML reader, validate(), to_yaml(),
// `cimvp params` and docs/params.md: one entry per YAML key, naming the
// member it sets. Internal to cimvp_config; other folders use the
// ParamInfo view (arch_params()) declared in arch_config.h.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "config/arch_config.h"

namespace cimvp {

// The member a table entry sets, reached through a function because
// members of sections (ArchConfig::adc.bits) have no single member pointer.
template <typename T>
using Field = T& (*)(ArchConfig&);
// Reading goes through the same functions; they do not modify.
inline ArchConfig& mutable_ref(const ArchConfig& c) { return const_cast<ArchConfig&>(c); }

struct ParamDef {
  using Member = std::variant<Field<std::string>, Field<WeightMapping>, Field<int>, Field<int64_t>, Field<double>>;

  std::string key;     // "crossbar.rows"
  Member member;       // the field it sets
  std::string unit;    // "ns", "bytes", "" for counts
  double min = 0;      // inclusive range of numeric parameters
  double max = 0;
  std::string doc;     // one line
  std::string source;  // where the default comes from (docs/params.md)
  std::vector<std::string> choices;  // the values a text parameter takes (empty: any text)
  // A numeric parameter that can be off: the value 0 means off and is
  // written as this word (device.refresh_interval_s: "never"). Off is the
  // default, so a file leaves the key out (or gives the word); a number
  // given must lie in min..max, 0 included in the error.
  std::string off;

  bool is_integer() const {
    return std::holds_alternative<Field<int>>(member) || std::holds_alternative<Field<int64_t>>(member);
  }
  bool is_number() const { return is_integer() || std::holds_alternative<Field<double>>(member); }
  bool is_off(const ArchConfig& c) const { return !off.empty() && value(c) == 0; }
  // The value in `c` as written in YAML: shortest text that reads back equal.
  std::string value_string(const ArchConfig& c) const;
  // The value in `c` as a double (numeric parameters only).
  double value(const ArchConfig& c) const;
  // Sets a numeric parameter; `v` must be in range (integral for integers).
  void set(ArchConfig& c, double v) const;
  // "1..4096", "0..1e9", "1..2^32", or the choices of a text parameter
  // (without the off word).
  std::string range_string() const;
};

const std::vector<ParamDef>& param_defs();
// The entry for `key`, or nullptr.
const ParamDef* find_param(const std::string& key);
// Text of a number as the table prints it: "2^32" for large powers of two,
// "1e9" for large powers of ten, otherwise the shortest round-trip form.
std::string format_number(double v, bool integer);

// The "architecture" object of a JSON report as text the YAML reader takes
// (JSON is YAML). Throws naming `path` when there is none (arch_json.cpp).
std::string architecture_text_of_json(const std::string& text, const std::string& path);

}  // namespace cimvp
