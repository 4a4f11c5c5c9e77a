// Accuracy without the VP, as `cimvp eval`: a model at a policy on a
// dataset in float, fake-quantized (what QAT trains) or integer-reference
// arithmetic (what the VP computes, bit for bit), through the same
// evaluate() and calibration as the CLI. Also the datasets as numpy arrays,
// for functional runs of the VP (Arch.infer).
#include <pybind11/stl.h>

#include <cstring>

#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/train/trainer.h"
#include "python/arrays.h"

namespace cimvp::python {

namespace {

Dataset load(const std::string& name, const std::string& split, size_t count) {
  Dataset d = raising<DatasetError>([&] { return load_dataset(name, split_from_name(split)); });
  return count > 0 ? d.head(count) : d;
}

// (images float32 (N, C, H, W), labels uint8 (N,)) of a dataset split.
py::tuple dataset_arrays(const std::string& name, const std::string& split, size_t count) {
  const Dataset d = load(name, split, count);
  py::array_t<float> images({py::ssize_t(d.size()), py::ssize_t(d.shape.c), py::ssize_t(d.shape.h), py::ssize_t(d.shape.w)});
  std::memcpy(images.mutable_data(), d.images.data(), d.images.size() * sizeof(float));
  py::array_t<uint8_t> labels(py::ssize_t(d.size()));
  std::memcpy(labels.mutable_data(), d.labels.data(), d.labels.size());
  return py::make_tuple(images, labels);
}

EvalMode eval_mode(const std::string& mode) {
  for (EvalMode m : {EvalMode::Float, EvalMode::FakeQuant, EvalMode::Integer})
    if (mode == eval_mode_name(m)) return m;
  throw InputError("mode must be '" + std::string(eval_mode_name(EvalMode::Float)) + "', '" +
                   eval_mode_name(EvalMode::FakeQuant) + "' or '" + eval_mode_name(EvalMode::Integer) + "', got '" +
                   mode + "'");
}

py::dict evaluate_model(Model& model, const py::object& policy_spec, const std::string& dataset,
                        const std::string& split, size_t count, const std::string& mode_name, int threads) {
  const EvalMode mode = eval_mode(mode_name);
  if (threads < 1 || threads > 64) throw InputError("threads must be in 1..64, got " + std::to_string(threads));
  const ModelFile& m = model.weights();
  std::optional<Policy> policy;
  if (!policy_spec.is_none()) {
    const size_t layers = m.graph.quantizable_layers().size();
    policy = py::isinstance<py::str>(policy_spec)
                 ? raising<PolicyError>([&] { return parse_bits_spec(policy_spec.cast<std::string>(), layers); })
                 : to_policy(policy_spec);
    raising<PolicyError>([&] { check_policy(*policy, layers, "policy for " + m.graph.name); });
  } else if (m.has_policy()) {
    policy = m.policy;
  } else if (mode != EvalMode::Float) {
    throw PolicyError(model.spec + " carries no policy: give one for mode '" + mode_name + "'");
  }
  EvalResult r;
  {
    py::gil_scoped_release release;
    const Dataset data = load(dataset, split, count);
    std::optional<Dataset> calibration;
    if (policy && mode != EvalMode::Float)
      calibration = raising<DatasetError>([&] { return calibration_images(m, *policy, dataset); });
    r = raising<ModelError>(
        [&] { return evaluate(m, data, mode, threads, policy, calibration ? &*calibration : nullptr); });
  }
  return py::dict(py::arg("accuracy") = r.accuracy, py::arg("correct") = r.correct, py::arg("images") = r.images,
                  py::arg("mode") = eval_mode_name(mode), py::arg("predictions") = r.predictions);
}

}  // namespace

void bind_evaluate(py::module_& m) {
  m.def("dataset_names", &dataset_names, "The datasets load_dataset() and evaluate() take.");
  m.def("load_dataset", &dataset_arrays, py::arg("name"), py::arg("split") = "test", py::arg("count") = 0,
        "(images float32 (N, 1, 28, 28) in [0, 1], labels uint8 (N,)) of a split: train, validation, "
        "train-full, test; count > 0 keeps the first count.");
  m.def("_evaluate", &evaluate_model, py::arg("model"), py::arg("policy") = py::none(), py::arg("dataset") = "fashion-mnist",
        py::arg("split") = "test", py::arg("count") = 0, py::arg("mode") = "integer", py::arg("threads") = 2);
}

}  // namespace cimvp::python
