// Model files: round trip of graph, weights, policy, scales and metadata;
// corruption, truncation, wrong magic and wrong version are clear errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "nn/zoo.h"

using namespace cimvp;

namespace {

ModelFile sample_model() {
  ModelFile m;
  m.graph = make_model("resnet-small", 4);
  m.graph.nodes[0].nonnegative = true;  // images: the input is quantized unsigned
  for (Node& n : m.graph.nodes)
    if (n.kind == OpKind::BatchNorm) {
      n.mean[0] = 0.25f;
      n.var[1] = 1.5f;
      n.eps = 1e-3f;
    }
  Policy p = parse_bits_spec("w4a8", 10);
  p.weight_bits[3] = 2;
  p.activation_bits[7] = 1;
  m.policy = p;
  std::vector<std::vector<float>> samples(2, std::vector<float>(784, 0.3f));
  samples[1][5] = 1;
  m.calibration = calibrate(m.graph, samples, p);
  m.calibration.weight_scale["stem"] = 0.0123456789f;
  m.metadata["dataset"] = "fashion-mnist";
  m.metadata["command"] = "cimvp train --model resnet-small: \"quoted\"";
  return m;
}

std::string error_of(const std::string& bytes) {
  try {
    parse_model(bytes, "m.cimvp");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ModelFile, RoundTripKeepsEverything) {
  const ModelFile m = sample_model();
  const std::string path = ::testing::TempDir() + "/model_file_test.cimvp";
  save_model_file(m, path);
  EXPECT_TRUE(is_model_file(path));
  const ModelFile r = load_model_file(path);
  std::remove(path.c_str());
  EXPECT_EQ(r.graph.name, "resnet-small");
  EXPECT_TRUE(r.graph.nodes[0].nonnegative);
  ASSERT_EQ(r.graph.nodes.size(), m.graph.nodes.size());
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const Node &a = m.graph.nodes[i], &b = r.graph.nodes[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_EQ(a.out_channels, b.out_channels);
    EXPECT_EQ(a.kernel, b.kernel);
    EXPECT_EQ(a.stride, b.stride);
    EXPECT_EQ(a.padding, b.padding);
    EXPECT_EQ(a.eps, b.eps);
    EXPECT_EQ(a.nonnegative, b.nonnegative);
    EXPECT_EQ(a.weight, b.weight);
    EXPECT_EQ(a.bias, b.bias);
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.var, b.var);
  }
  EXPECT_EQ(r.policy, m.policy);
  EXPECT_EQ(r.calibration, m.calibration);  // floats survive bit for bit
  EXPECT_EQ(r.metadata, m.metadata);
  // Same integer model and outputs.
  const QuantizedNetwork qa = quantize(m.graph, m.policy, m.calibration);
  const QuantizedNetwork qb = quantize(r.graph, r.policy, r.calibration);
  std::vector<float> im(784, 0.7f);
  EXPECT_EQ(run_reference(qa, quantize_input(qa, im)), run_reference(qb, quantize_input(qb, im)));
}

TEST(ModelFile, FloatModelWithoutPolicy) {
  ModelFile m;
  m.graph = make_model("lenet5", 2);
  const ModelFile r = parse_model(serialize_model(m), "x");
  EXPECT_FALSE(r.has_policy());
  EXPECT_TRUE(r.calibration.act_clip.empty());
  EXPECT_EQ(r.graph.nodes.back().weight, m.graph.nodes.back().weight);
}

TEST(ModelFile, CorruptionIsDetected) {
  const std::string good = serialize_model(sample_model());
  ASSERT_EQ(parse_model(good, "ok").graph.nodes.size(), sample_model().graph.nodes.size());

  std::string e = error_of("PK\x03\x04 not a model");
  EXPECT_NE(e.find("m.cimvp: not a cimvp model file"), std::string::npos) << e;

  std::string v = good;
  v[8] = 2;
  e = error_of(v);
  EXPECT_NE(e.find("m.cimvp: model file format version 2, this cimvp reads version 1"), std::string::npos) << e;

  for (size_t cut : {size_t(10), size_t(40), good.size() / 2, good.size() - 1}) {
    e = error_of(good.substr(0, cut));
    EXPECT_NE(e.find("truncated"), std::string::npos) << cut << ": " << e;
  }
  e = error_of(good + "x");
  EXPECT_NE(e.find("trailing bytes"), std::string::npos) << e;

  // A flipped bit anywhere in the header or in the weights.
  for (size_t at : {size_t(20), size_t(200), good.size() / 2, good.size() - 10}) {
    std::string b = good;
    b[at] = char(b[at] ^ 0x10);
    e = error_of(b);
    EXPECT_NE(e.find("checksum mismatch"), std::string::npos) << at << ": " << e;
  }
  EXPECT_THROW(load_model_file(::testing::TempDir() + "/does-not-exist.cimvp"), Error);
}

TEST(ModelFile, InconsistentContentIsAnErrorEvenWithAValidChecksum) {
  // A graph whose policy has the wrong length (written by hand, checksummed).
  ModelFile m = sample_model();
  m.policy.weight_bits.pop_back();
  m.policy.activation_bits.pop_back();
  std::string e = error_of(serialize_model(m));
  EXPECT_NE(e.find("m.cimvp: policy: weight_bits has 9 entries, the model has 10"), std::string::npos) << e;
  // A weight tensor of the wrong size for its layer.
  ModelFile w = sample_model();
  w.graph.nodes[1].weight.pop_back();
  e = error_of(serialize_model(w));
  EXPECT_NE(e.find("'stem' (conv2d): weight"), std::string::npos) << e;
}

// Only images that are all >= 0 mark a model's input nonnegative; the error
// names the model, the dataset and the image.
TEST(ModelFile, NonnegativeInputIsCheckedAgainstTheImages) {
  ModelFile m;
  m.graph = make_model("lenet5", 2);
  Dataset d;
  d.name = "shifted";
  d.labels = {0, 1};
  d.images.assign(2 * 784, 0.5f);
  mark_input_nonnegative(m, d);
  EXPECT_TRUE(m.graph.nodes[0].nonnegative);
  ModelFile n;
  n.graph = make_model("lenet5", 2);
  d.images[784 + 3] = -0.25f;
  try {
    mark_input_nonnegative(n, d);
    FAIL() << "a negative value was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model 'lenet5'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("shifted image 1"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(n.graph.nodes[0].nonnegative);
}
