// cimvp.Model: a zoo name, cimvp model file or ONNX file (nn/model_source.h),
// and Model.compile(), the CLI's `cimvp compile`: the model at a policy is
// quantized and mapped onto an architecture by flow::quantize and the
// compiler (flow/build.h's two steps, taken one by one so that a model error
// and a mapping error raise different exceptions).
#include <pybind11/stl.h>

#include "compiler/compile.h"
#include "nn/model_source.h"
#include "nn/zoo.h"
#include "python/bindings.h"

namespace cimvp::python {

const ModelFile& Model::weights() {
  if (!full) full = std::make_shared<const ModelFile>(raising<ModelError>([&] { return load_model_spec(spec, seed); }));
  return *full;
}

namespace {

std::shared_ptr<Model> load(const std::string& spec, uint64_t seed, bool weights) {
  auto m = std::make_shared<Model>();
  m->spec = spec;
  m->seed = seed;
  m->structure = raising<ModelError>([&] { return load_model_structure(spec); });
  if (weights) m->weights();  // now, for a file that will not stay (Model.from_torch's)
  return m;
}

std::shared_ptr<Model> zoo(const std::string& name, uint64_t seed) {
  if (!is_zoo_model(name)) {
    std::string known;
    for (const std::string& n : zoo_names()) known += (known.empty() ? "" : ", ") + n;
    throw ModelError("'" + name + "' is not a zoo model (the zoo: " + known + ")");
  }
  return load(name, seed, false);
}

// The policy a compile uses: the given one, a spec such as "w8a8", or (None)
// the model file's own, as `cimvp compile` without --policy/--bits.
Policy policy_for(const Model& m, const py::object& spec) {
  const size_t layers = m.structure.graph.quantizable_layers().size();
  Policy p;
  if (spec.is_none())
    p = raising<PolicyError>([&] { return choose_policy(m.structure, std::nullopt, std::nullopt); });
  else if (py::isinstance<py::str>(spec))
    p = raising<PolicyError>([&] { return parse_bits_spec(spec.cast<std::string>(), layers); });
  else
    p = to_policy(spec);
  raising<PolicyError>([&] { check_policy(p, layers, "policy for " + m.structure.graph.name); });
  return p;
}

std::shared_ptr<Image> compile_model(Model& m, const ArchConfig& arch, const py::object& policy_spec, bool timing_only,
                                     int cores, const std::string& placement, const std::string& dataset) {
  const Policy policy = policy_for(m, policy_spec);
  flow::BuildOptions options;
  options.compile.timing_only = timing_only;
  if (cores < 0) throw InputError("cores must be 0 (all) or more, got " + std::to_string(cores));
  options.compile.max_cores = cores;
  options.compile.placement = raising<InputError>([&] { return parse_placement(placement); });
  options.dataset = dataset;
  // A timing-only image needs no weights (as `cimvp compile --timing-only`).
  const ModelFile& model = timing_only ? m.structure : m.weights();
  auto image = std::make_shared<Image>();
  image->arch = arch;
  image->timing_only = timing_only;
  image->source = model.graph.name + " at " + policy.str() + " for " + arch.name;
  py::gil_scoped_release release;
  image->build.network = raising<ModelError>([&] { return flow::quantize(model, policy, options); });
  image->build.compiled = raising<CompileError>([&] { return compile(image->build.network, arch, options.compile); });
  return image;
}

py::tuple shape_tuple(const Shape& s) { return py::make_tuple(s.c, s.h, s.w); }

}  // namespace

void bind_model(py::module_& m) {
  m.def("zoo_names", &zoo_names, "The names Model.zoo() takes.");
  py::class_<Model, std::shared_ptr<Model>>(m, "Model", "A network: a zoo name, a cimvp model file or an ONNX file.")
      .def_static("load", &load, py::arg("path"), py::arg("seed") = 1, py::arg("weights") = false,
                  "A cimvp model file, an ONNX file (float or QDQ) or a zoo name; `seed` seeds a zoo model's weights. "
                  "The weights are read on first use, or now with weights=True.")
      .def_static("zoo", &zoo, py::arg("name"), py::arg("seed") = 1, "A zoo model with seeded random weights.")
      .def_property_readonly("name", [](const Model& m) { return m.structure.graph.name; })
      .def_property_readonly("spec", [](const Model& m) { return m.spec; })
      .def_property_readonly("input_shape", [](const Model& m) { return shape_tuple(m.structure.graph.input_shape()); })
      .def_property_readonly("output_shape", [](const Model& m) { return shape_tuple(m.structure.graph.output_shape()); })
      .def_property_readonly("layers",
                             [](const Model& m) {
                               std::vector<std::string> names;
                               for (int i : m.structure.graph.quantizable_layers())
                                 names.push_back(m.structure.graph.nodes[size_t(i)].name);
                               return names;
                             },
                             "The quantizable layers, in policy order.")
      .def_property_readonly("policy",
                             [](const Model& m) -> py::object {
                               if (!m.structure.has_policy()) return py::none();
                               return py::cast(m.structure.policy);
                             },
                             "The policy the model file carries, or None.")
      .def_property_readonly("metadata", [](const Model& m) { return m.structure.metadata; })
      .def_property_readonly("parameter_count", [](const Model& m) { return m.structure.graph.parameter_count(); })
      .def("compile", &compile_model, py::arg("arch"), py::arg("policy") = py::none(), py::arg("timing_only") = false,
           py::arg("cores") = 0, py::arg("placement") = "auto", py::arg("dataset") = "",
           "The model at `policy` (Policy, dict, list of (w, a), 'w8a8', or None for the model's own) compiled for "
           "`arch`, as `cimvp compile`. timing_only leaves the weights out (timing runs only, any model size). "
           "`dataset` calibrates a trained model that carries no scales for the policy.")
      .def("__repr__", [](const Model& m) { return "<cimvp.Model '" + m.structure.graph.name + "' from " + m.spec + ">"; });
}

}  // namespace cimvp::python
