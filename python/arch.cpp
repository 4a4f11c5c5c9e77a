// cimvp.Arch: an architecture (config/arch_config.h). Loaded from YAML (or a
// report JSON, as the CLI's --arch) and changed by key through the same YAML
// reader (config/arch_with.h), so a value given from Python is checked
// exactly as in a file. Keyword names are the keys with "_" for ".":
// adc_bits is adc.bits (the parameter table has no two keys that collide so;
// a test checks it).
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/arch_with.h"
#include "python/bindings.h"

namespace cimvp::python {

namespace {

// The architecture as nested Python dicts, as reports hold it.
py::object architecture_dict(const ArchConfig& a) {
  return py::module_::import("json").attr("loads")(architecture_json(a).dump());
}

// A Python value as YAML text: YAML booleans, Python's shortest float repr.
std::string yaml_text(const std::string& key, py::handle v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) return py::str(py::repr(v));
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  throw ConfigError(key + ": expected a number or a string, got " + std::string(py::str(v.get_type().attr("__name__"))));
}

// The dotted key of a keyword ("adc_bits" -> "adc.bits") or of a dotted
// name given as is; unknown ones throw naming the closest keys.
std::string key_of(const std::string& name) {
  std::vector<std::string> names;
  for (const ParamInfo& p : arch_params()) {
    std::string underscored = p.key;
    for (char& c : underscored)
      if (c == '.') c = '_';
    if (name == p.key || name == underscored) return p.key;
    names.push_back(underscored);
  }
  const py::list close = py::module_::import("difflib").attr("get_close_matches")(name, names, 3);
  std::string hint;
  for (py::handle c : close) hint += (hint.empty() ? " (did you mean " : ", ") + c.cast<std::string>();
  throw ConfigError("unknown architecture parameter '" + name + "'" + (hint.empty() ? "" : hint + "?)") +
                    "; `cimvp params` lists every key, e.g. adc_bits for adc.bits");
}

ArchConfig with(const ArchConfig& a, const py::dict& overrides) {
  std::vector<std::pair<std::string, std::string>> params;
  std::string name = a.name + " with";
  for (const auto& [k, v] : overrides) {
    const std::string key = key_of(py::str(k));
    params.emplace_back(key, yaml_text(key, v));
    name += " " + key + "=" + params.back().second;
  }
  return raising<ConfigError>([&] { return arch_with(YAML::Load(to_yaml(a)), params, name); });
}

// One parameter's value by dotted key, as the architecture's dict holds it.
py::object param(const ArchConfig& a, const std::string& name) {
  const std::string key = key_of(name);
  py::object node = architecture_dict(a);
  size_t begin = 0;
  for (size_t dot = key.find('.'); ; dot = key.find('.', begin)) {
    node = node[py::str(key.substr(begin, dot - begin))];
    if (dot == std::string::npos) return node;
    begin = dot + 1;
  }
}

}  // namespace

void bind_arch(py::module_& m) {
  py::class_<ArchConfig>(m, "Arch", "An architecture: every parameter of the accelerator (docs/params.md).")
      .def_static(
          "load", [](const std::string& path) { return raising<ConfigError>([&] { return load_arch_config(path); }); },
          py::arg("path"))
      .def_static(
          "from_yaml",
          [](const std::string& text, const std::string& source) {
            return raising<ConfigError>([&] { return parse_arch_config(text, source); });
          },
          py::arg("text"), py::arg("source") = "<yaml>")
      .def(
          "with_",
          [](const ArchConfig& a, const py::object& params, const py::kwargs& kwargs) {
            py::dict all;
            if (!params.is_none()) all = py::dict(params);
            for (const auto& [k, v] : kwargs) all[k] = v;
            return with(a, all);
          },
          py::arg("params") = py::none(),
          "A copy with parameters changed: with_(adc_bits=6) or with_({'adc.bits': 6}); checked like a YAML file.")
      .def("__getitem__", &param, py::arg("key"), "A parameter's value: arch['adc.bits'] or arch['adc_bits'].")
      .def_property_readonly("name", [](const ArchConfig& a) { return a.name; })
      .def_property_readonly("cores", &ArchConfig::cores)
      .def("to_yaml", [](const ArchConfig& a) { return to_yaml(a); })
      .def("to_dict", &architecture_dict)
      .def("__eq__", [](const ArchConfig& a, const ArchConfig& b) { return a == b; })
      .def("__repr__", [](const ArchConfig& a) { return "<cimvp.Arch '" + a.name + "'>"; });

  m.def("_param_table", [] {
    py::list rows;
    for (const ParamInfo& p : arch_params())
      rows.append(py::dict(py::arg("key") = p.key, py::arg("unit") = p.unit, py::arg("default") = p.default_value,
                           py::arg("range") = p.range, py::arg("doc") = p.doc));
    return rows;
  });
}

}  // namespace cimvp::python
