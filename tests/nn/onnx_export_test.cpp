// ONNX QDQ export: zoo models with random weights, BatchNorm statistics and
// random mixed-precision policies (1 to 8 bits) go out as QDQ models that the
// ONNX checker accepts, and come back through the importer as the same graph,
// policy and calibration: quantize() then gives identical integer outputs.
// The shipped trained models (pretrained/) come back as the very same integer
// network, so every test image gets the same prediction; lenet5 W8A8 is also
// checked image by image on all 10,000 Fashion-MNIST test images.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <random>

#include "common/error.h"
#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/onnx_export.h"
#include "nn/onnx_import.h"
#include "nn/reference.h"
#include "nn/zoo.h"
#include "tests/support/paths.h"
#include "tests/support/same_network.h"
#include "tests/support/random_data.h"

using namespace cimvp;

namespace {

using test::random_images;
using test::perturb;
using test::random_policy;

}  // namespace

TEST(OnnxExport, ZooModelsRoundTripToIdenticalIntegerOutputs) {
  for (const char* name : {"lenet5", "vgg-small", "resnet-small", "mobilenet-small"}) {
    for (uint32_t trial = 0; trial < 3; ++trial) {
      SCOPED_TRACE(std::string(name) + " trial " + std::to_string(trial));
      ModelFile m;
      m.graph = make_model(name, 11 + trial);
      m.random_weights = true;  // calibrated on generated inputs
      perturb(m.graph, trial);
      m.graph.nodes[0].nonnegative = trial == 1;  // an unsigned input comes back unsigned
      const size_t layers = m.graph.quantizable_layers().size();
      m.policy = trial == 0 ? uniform_policy(layers, 8, 8) : random_policy(layers, 100 * trial + uint32_t(layers));
      const auto calib = random_images(m.graph.input_shape(), 4, trial);
      m.calibration = calibrate(m.graph, calib, m.policy);
      if (trial == 2)  // learned weight scales travel too
        for (int l : m.graph.quantizable_layers()) m.calibration.weight_scale[m.graph.nodes[size_t(l)].name] = 0.01f + 0.001f * float(l);

      const std::string bytes = export_onnx_bytes(m);
      const OnnxImport im = import_onnx_bytes(bytes, std::string(name) + ".onnx");  // runs the ONNX checker
      ASSERT_EQ(im.kind, OnnxModelKind::Qdq);
      EXPECT_EQ(im.model.policy, m.policy);
      EXPECT_EQ(im.model.graph.nodes[0].nonnegative, m.graph.nodes[0].nonnegative);
      const QuantizedNetwork qa = quantize(m.graph, m.policy, m.calibration);
      const QuantizedNetwork qb = quantize(im.model.graph, im.model.policy, im.model.calibration);
      ASSERT_EQ(qa.ops.size(), qb.ops.size());
      for (size_t i = 0; i < qa.ops.size(); ++i) {
        EXPECT_EQ(qa.ops[i].weight, qb.ops[i].weight) << qa.ops[i].name;
        EXPECT_EQ(qa.ops[i].bias, qb.ops[i].bias) << qa.ops[i].name;
        EXPECT_EQ(qa.ops[i].requant.multiplier, qb.ops[i].requant.multiplier) << qa.ops[i].name;
        EXPECT_EQ(qa.ops[i].requant.shift, qb.ops[i].requant.shift) << qa.ops[i].name;
      }
      ReferenceExecutor ea(qa), eb(qb);
      for (const auto& im_ : random_images(m.graph.input_shape(), 8, 50 + trial)) {
        const auto xa = quantize_input(qa, im_), xb = quantize_input(qb, im_);
        ASSERT_EQ(xa, xb);
        EXPECT_EQ(ea.run(xa), eb.run(xb));
      }
    }
  }
}

TEST(OnnxExport, ShippedModelsComeBackAsTheSameIntegerNetwork) {
  for (const char* file : {"lenet5-fmnist-w8a8", "vgg-small-fmnist-w8a8", "vgg-small-fmnist-w4a4",
                           "vgg-small-fmnist-w2a2"}) {
    SCOPED_TRACE(file);
    const ModelFile m = load_model_file(test::source_path(std::string("pretrained/") + file + ".cimvp"));
    const OnnxImport im = import_onnx_bytes(export_onnx_bytes(m), std::string(file) + ".onnx");
    ASSERT_EQ(im.kind, OnnxModelKind::Qdq);
    EXPECT_EQ(im.model.policy, m.policy);
    test::expect_same_network(quantize_model(m, m.policy), quantize_model(im.model, im.model.policy));
  }
  // Image by image on the whole test set, for the main job's model.
  const ModelFile m = load_model_file(test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp"));
  const OnnxImport im = import_onnx_bytes(export_onnx_bytes(m), "lenet5.onnx");
  const QuantizedNetwork qa = quantize_model(m, m.policy), qb = quantize_model(im.model, im.model.policy);
  ReferenceExecutor ea(qa), eb(qb);
  const Dataset test = load_dataset("fashion-mnist", Split::Test);
  ASSERT_EQ(test.size(), 10000u);
  size_t differ = 0;
  for (size_t i = 0; i < test.size(); ++i) {
    const std::vector<float> image = test.image_vector(i);
    differ += argmax(ea.run(quantize_input(qa, image))) != argmax(eb.run(quantize_input(qb, image)));
  }
  EXPECT_EQ(differ, 0u);
}

TEST(OnnxExport, WithoutCimvpMetadataTheQdqScalesAndBitsStillImport) {
  ModelFile m;
  m.graph = make_model("resnet-small", 3);
  m.random_weights = true;  // calibrated on generated inputs
  perturb(m.graph, 9);
  m.policy = random_policy(m.graph.quantizable_layers().size(), 77);
  m.calibration = calibrate(m.graph, random_images(m.graph.input_shape(), 2, 1), m.policy);
  onnx::ModelProto p;
  ASSERT_TRUE(p.ParseFromString(export_onnx_bytes(m)));
  p.clear_metadata_props();  // as another tool would see it
  const OnnxImport im = import_onnx_bytes(p.SerializeAsString(), "foreign.onnx");
  EXPECT_EQ(im.model.policy, m.policy);
  const QuantizedNetwork qa = quantize(m.graph, m.policy, m.calibration);
  const QuantizedNetwork qb = quantize(im.model.graph, im.model.policy, im.model.calibration);
  ASSERT_EQ(qa.tensors.size(), qb.tensors.size());
  for (size_t i = 0; i < qa.tensors.size(); ++i) {
    EXPECT_EQ(qa.tensors[i].bits, qb.tensors[i].bits);
    EXPECT_EQ(qa.tensors[i].is_signed, qb.tensors[i].is_signed);
    EXPECT_NEAR(qa.tensors[i].scale, qb.tensors[i].scale, 1e-6 * qa.tensors[i].scale) << qa.tensors[i].name;
  }
}

TEST(OnnxExport, RefusesModelsWithoutPolicyOrClips) {
  ModelFile m;
  m.graph = make_model("lenet5", 1);
  m.random_weights = true;  // calibrated on generated inputs
  EXPECT_THROW(export_onnx_bytes(m), Error);
  m.policy = uniform_policy(5, 8, 8);
  EXPECT_THROW(export_onnx_bytes(m), Error);  // no calibration
}
