// cimvp.Policy: weight and activation bits per quantizable layer
// (nn/policy.h), made from a dict like the policy YAML, a list of (w, a)
// pairs, a file, or a uniform spec. Every one is checked as the policy
// reader checks a file: bits in 1..8, lengths equal; a PolicyError names
// the entry.
#include <pybind11/stl.h>

#include "nn/policy.h"
#include "python/bindings.h"

namespace cimvp::python {

namespace {

std::string type_name(py::handle v) { return py::str(v.get_type().attr("__name__")); }

int bits_of(py::handle v, const std::string& at) {
  if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v))
    throw PolicyError(at + ": expected an integer number of bits, got " + type_name(v) + " " +
                      std::string(py::str(py::repr(v))));
  return v.cast<int>();
}

std::vector<int> bits_list(py::handle v, const std::string& at) {
  if (!py::isinstance<py::sequence>(v) || py::isinstance<py::str>(v))
    throw PolicyError(at + ": expected a list of integers, got " + type_name(v));
  std::vector<int> bits;
  for (py::handle b : v) bits.push_back(bits_of(b, at + "[" + std::to_string(bits.size()) + "]"));
  return bits;
}

Policy checked(Policy p, const std::string& source) {
  raising<PolicyError>([&] { check_policy(p, p.size(), source); });
  return p;
}

Policy from_dict(const py::dict& d) {
  Policy p;
  for (const auto& [k, v] : d) {
    const std::string key = py::str(k);
    if (key == "weight_bits") p.weight_bits = bits_list(v, "policy: weight_bits");
    else if (key == "activation_bits") p.activation_bits = bits_list(v, "policy: activation_bits");
    else if (key == "model") p.model = py::str(v);
    else throw PolicyError("policy: unknown key '" + key + "' (a policy has weight_bits, activation_bits and model)");
  }
  return checked(p, "policy");
}

Policy from_pairs(const py::sequence& pairs) {
  Policy p;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const std::string at = "policy[" + std::to_string(i) + "]";
    const py::object pair = pairs[i];
    if (!py::isinstance<py::sequence>(pair) || py::isinstance<py::str>(pair) || py::len(pair) != 2)
      throw PolicyError(at + ": expected a (weight_bits, activation_bits) pair, got " +
                        std::string(py::str(py::repr(pair))));
    p.weight_bits.push_back(bits_of(pair[py::int_(0)], at + " weight bits"));
    p.activation_bits.push_back(bits_of(pair[py::int_(1)], at + " activation bits"));
  }
  return checked(p, "policy");
}

}  // namespace

Policy to_policy(py::handle spec) {
  if (py::isinstance<Policy>(spec)) return spec.cast<Policy>();
  if (py::isinstance<py::dict>(spec)) return from_dict(spec.cast<py::dict>());
  if (py::isinstance<py::sequence>(spec) && !py::isinstance<py::str>(spec)) return from_pairs(spec.cast<py::sequence>());
  throw PolicyError("a policy is a cimvp.Policy, a dict {'weight_bits': [...], 'activation_bits': [...]}, a list of "
                    "(weight_bits, activation_bits) pairs or a spec such as 'w8a8'; got " + type_name(spec));
}

void bind_policy(py::module_& m) {
  py::class_<Policy>(m, "Policy", "Weight and activation bits (1..8) per quantizable layer, in the model's layer order.")
      .def(py::init([](const py::object& spec) { return to_policy(spec); }), py::arg("spec"),
           "From a dict {'weight_bits': [...], 'activation_bits': [...]} or a list of (w, a) pairs.")
      .def(py::init([](const py::object& weight_bits, const py::object& activation_bits) {
             Policy p;
             p.weight_bits = bits_list(weight_bits, "policy: weight_bits");
             p.activation_bits = bits_list(activation_bits, "policy: activation_bits");
             return checked(p, "policy");
           }),
           py::arg("weight_bits"), py::arg("activation_bits"))
      .def_static(
          "load", [](const std::string& path) { return raising<PolicyError>([&] { return load_policy(path); }); },
          py::arg("path"), "A policy YAML file (weight_bits, activation_bits, optional model).")
      .def_static(
          "uniform",
          [](const std::string& spec, size_t layers) {
            return raising<PolicyError>([&] { return parse_bits_spec(spec, layers); });
          },
          py::arg("spec"), py::arg("layers"), "'w8a8' over `layers` layers.")
      .def_readonly("weight_bits", &Policy::weight_bits)
      .def_readonly("activation_bits", &Policy::activation_bits)
      .def_readonly("model", &Policy::model)
      .def("save", [](const Policy& p, const std::string& path) { raising<PolicyError>([&] { save_policy(p, path); }); },
           py::arg("path"))
      .def("to_dict",
           [](const Policy& p) {
             return py::dict(py::arg("weight_bits") = p.weight_bits, py::arg("activation_bits") = p.activation_bits,
                             py::arg("model") = p.model);
           })
      .def("pairs",
           [](const Policy& p) {
             std::vector<std::pair<int, int>> pairs;
             for (size_t i = 0; i < p.size(); ++i) pairs.emplace_back(p.weight_bits[i], p.activation_bits[i]);
             return pairs;
           })
      .def("__len__", &Policy::size)
      .def("__eq__", [](const Policy& a, const Policy& b) { return a == b; })
      .def("__str__", &Policy::str)
      .def("__repr__", [](const Policy& p) {
        return "<cimvp.Policy " + p.str() + " over " + std::to_string(p.size()) + " layers>";
      });
}

}  // namespace cimvp::python
