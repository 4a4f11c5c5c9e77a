// One quantization path: a float model at a policy is one integer network,
// whichever command quantizes it. `eval` (integer reference), `infer` (the
// VP), `compile` + `run` (the VP through an image file) and `export` (ONNX
// QDQ, imported back) are run as a user runs them, on the shipped float
// lenet5 at w8a8 and at a mixed policy, and must predict the same class for
// every image.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "firmware/image.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"
#include "tests/support/same_network.h"

namespace cimvp {
namespace {

using test::cimvp;
using test::Outcome;

constexpr int kImages = 300;    // eval, infer and the ONNX model
constexpr int kRunImages = 8;   // compile + run: one process per image

std::string temp(const std::string& name) { return test::temp_path("quant_path_", name); }

std::vector<int> read_predictions(const std::string& path) {
  std::ifstream f(path);
  std::vector<int> p;
  for (int v; f >> v;) p.push_back(v);
  return p;
}

std::vector<int64_t> read_integers(const std::string& path) {
  std::ifstream f(path);
  std::vector<int64_t> v;
  for (int64_t x; f >> x;) v.push_back(x);
  return v;
}

// The command-line arguments that select the policy, and the policy itself.
struct PolicyCase {
  std::string name, args;
  Policy policy;
};

std::vector<PolicyCase> cases(const ModelFile& model) {
  const size_t layers = model.graph.quantizable_layers().size();
  Policy mixed = uniform_policy(layers, 8, 8);
  const int w[] = {6, 3, 4, 5, 8}, a[] = {8, 5, 3, 4, 6};
  for (size_t l = 0; l < layers; ++l) mixed.weight_bits[l] = w[l % 5], mixed.activation_bits[l] = a[l % 5];
  const std::string mixed_file = temp("mixed.yaml");
  save_policy(mixed, mixed_file);
  return {{"w8a8", "--bits w8a8", uniform_policy(layers, 8, 8)}, {"mixed", "--policy " + mixed_file, mixed}};
}

TEST(QuantizationPath, FloatModelGivesTheSamePredictionsThroughEveryCommand) {
  const std::string model_path = test::source_path("pretrained/lenet5-fmnist-float.cimvp");
  const std::string arch = test::source_path("configs/arch/default.yaml");
  const ModelFile model = load_model_spec(model_path);
  ASSERT_FALSE(model.has_policy()) << "the test needs a float model";
  const Dataset test_set = load_dataset("fashion-mnist", Split::Test);

  for (const PolicyCase& c : cases(model)) {
    SCOPED_TRACE(c.name);
    const std::string common = "--model " + model_path + " --dataset fashion-mnist --count " +
                               std::to_string(kImages) + " " + c.args;
    // eval: the integer reference.
    const Outcome ev = cimvp("eval " + common + " --predictions " + temp(c.name + "-eval.txt"));
    ASSERT_EQ(ev.status, 0) << ev.output;
    const std::vector<int> eval = read_predictions(temp(c.name + "-eval.txt"));
    ASSERT_EQ(eval.size(), size_t(kImages));

    // infer: the VP, compiled in the same process.
    const Outcome in = cimvp("infer --arch " + arch + " " + common + " --predictions " + temp(c.name + "-infer.txt"));
    ASSERT_EQ(in.status, 0) << in.output;
    EXPECT_EQ(read_predictions(temp(c.name + "-infer.txt")), eval);

    // compile (calibrating on the dataset the model file names) and run image by image.
    const std::string image = temp(c.name + ".img");
    const Outcome co = cimvp("compile --arch " + arch + " --model " + model_path + " " + c.args + " -o " + image);
    ASSERT_EQ(co.status, 0) << co.output;
    const std::optional<Dataset> calibration = calibration_images(model, c.policy);
    ASSERT_TRUE(calibration.has_value());
    const QuantizedNetwork net = quantize_model(model, c.policy, &*calibration);
    for (int i = 0; i < kRunImages; ++i) {
      std::ofstream x(temp("x.txt"));
      for (int8_t v : quantize_input(net, test_set.image_vector(size_t(i)))) x << int(v) << "\n";
      x.close();
      const Outcome run = cimvp("run --arch " + arch + " --firmware " + image + " --input " + temp("x.txt") +
                                " --output " + temp("y.txt"));
      ASSERT_EQ(run.status, 0) << run.output;
      const std::vector<int64_t> y = read_integers(temp("y.txt"));
      ASSERT_EQ(y.size(), 10u);
      EXPECT_EQ(int(std::max_element(y.begin(), y.end()) - y.begin()), eval[size_t(i)]) << "image " << i;
    }

    // export to ONNX QDQ: evaluates to the same predictions and imports back to the same network.
    const std::string onnx = temp(c.name + ".onnx");
    const Outcome ex = cimvp("export --model " + model_path + " " + c.args + " -o " + onnx);
    ASSERT_EQ(ex.status, 0) << ex.output;
    const Outcome eo = cimvp("eval --model " + onnx + " --dataset fashion-mnist --count " + std::to_string(kImages) +
                             " --predictions " + temp(c.name + "-onnx.txt"));
    ASSERT_EQ(eo.status, 0) << eo.output;
    EXPECT_EQ(read_predictions(temp(c.name + "-onnx.txt")), eval);
    const ModelFile imported = load_model_spec(onnx);
    test::expect_same_network(quantize_model(imported, c.policy), net);
  }
}

TEST(QuantizationPath, TimingOnlyCompileStripsWeightsFromEverySource) {
  const std::string arch = test::source_path("configs/arch/default.yaml");
  const std::string model_file = test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp");
  // Not "w8a8.onnx": FloatModelGivesTheSamePredictionsThroughEveryCommand writes that file, and ctest -j
  // runs the two tests at the same time (its import then read this model's scales).
  const std::string onnx = temp("timing_only_w8a8.onnx");
  ASSERT_EQ(cimvp("export --model " + model_file + " -o " + onnx).status, 0);
  for (const std::string& source : {std::string("lenet5"), model_file, onnx}) {
    SCOPED_TRACE(source);
    const Outcome full = cimvp("compile --arch " + arch + " --model " + source + " --bits w8a8 -o " + temp("full.img"));
    ASSERT_EQ(full.status, 0) << full.output;
    const Outcome timing = cimvp("compile --arch " + arch + " --model " + source + " --bits w8a8 --timing-only -o " +
                                 temp("timing.img"));
    ASSERT_EQ(timing.status, 0) << timing.output;
    const FirmwareImage a = read_image_file(temp("full.img")), b = read_image_file(temp("timing.img"));
    EXPECT_TRUE(b.timing_only);
    ASSERT_EQ(a.blocks.size(), b.blocks.size());
    for (const WeightBlock& w : b.blocks) EXPECT_TRUE(w.weights.empty());
    // The same instructions (requantization constants aside: a structure has no scales) ...
    ASSERT_EQ(a.cores.size(), b.cores.size());
    for (size_t c = 0; c < a.cores.size(); ++c) {
      ASSERT_EQ(a.cores[c].code.size(), b.cores[c].code.size()) << "core " << c;
      for (size_t i = 0; i < a.cores[c].code.size(); ++i)
        ASSERT_EQ(int(a.cores[c].code[i].op), int(b.cores[c].code[i].op)) << "core " << c << " instruction " << i;
    }
    // ... and the same cycles in a timing run.
    std::string cycles[2];
    for (int k = 0; k < 2; ++k) {
      const Outcome run = cimvp("run --arch " + arch + " --mode timing --firmware " +
                                temp(k ? "timing.img" : "full.img") + " --report " + temp("timing.json"));
      ASSERT_EQ(run.status, 0) << run.output;
      std::ifstream f(temp("timing.json"));
      const std::string json((std::istreambuf_iterator<char>(f)), {});
      const size_t at = json.find("\"cycles\"");
      ASSERT_NE(at, std::string::npos) << json;
      cycles[k] = json.substr(at, json.find_first_of(",}", at) - at);
    }
    EXPECT_EQ(cycles[0], cycles[1]);
  }
}

}  // namespace
}  // namespace cimvp
