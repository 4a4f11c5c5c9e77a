// Compiled networks on the VP reproduce the integer reference bit for bit:
// every small zoo model, random weights, random mixed-precision policies
// (1- and 2-bit layers included), every preset with an ideal ADC, with the
// weights resident (when they fit) and reprogrammed layer by layer, with the
// network input signed and unsigned (a nonnegative input).
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "models/adc.h"
#include "nn/model_source.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "nn/reference.h"
#include "nn/zoo.h"
#include "platform/soc.h"
#include "tests/support/paths.h"
#include "tests/support/random_data.h"

namespace cimvp {
namespace {

Policy random_policy(std::mt19937& rng, size_t layers) {
  Policy p;
  std::uniform_int_distribution<int> bits(1, 8);
  for (size_t i = 0; i < layers; ++i) {
    p.weight_bits.push_back(bits(rng));
    p.activation_bits.push_back(bits(rng));
  }
  p.weight_bits[0] = 1;      // make sure the extremes are covered
  p.activation_bits[layers - 1] = 2;
  return p;
}

using test::random_image;

void check_preset(const std::string& preset) {
  ArchConfig arch = load_arch_config(test::source_path("configs/arch/" + preset + ".yaml"));
  if (!AdcModel(arch).exact()) {  // bit exactness is defined for an ideal ADC
    arch.adc.bits = 24;
    arch.adc.full_scale = 0;
  }
  ASSERT_TRUE(AdcModel(arch).exact()) << preset;
  Soc soc("soc", arch);
  std::mt19937 rng(42);
  for (const std::string name : {"lenet5", "vgg-small", "resnet-small", "mobilenet-small"}) {
    ModelFile model;
    model.graph = make_model(name, 5);
    model.random_weights = true;  // calibrated on generated inputs
    for (int trial = 0; trial < 2; ++trial) {
      model.graph.nodes[0].nonnegative = trial == 1;
      const Policy policy = random_policy(rng, model.graph.quantizable_layers().size());
      const QuantizedNetwork q = quantize_model(model, policy);
      ReferenceExecutor reference(q);
      // The default placement (resident when the weights fit), and per-layer.
      for (Placement placement : {Placement::Auto, Placement::PerLayer}) {
        CompileOptions options;
        options.placement = placement;
        const CompileResult compiled = compile(q, arch, options);
        if (placement == Placement::Auto && compiled.placement == Placement::PerLayer) continue;  // done next
        soc.load(compiled.image, name);
        for (int image = 0; image < 2; ++image) {
          const std::vector<int8_t> x = random_image(rng, q);
          const RunResult r = soc.run(RunMode::Functional, {input_bytes(q, x)});
          ASSERT_EQ(output_values(compiled.image, r.outputs[0]), reference.run(x))
              << name << " on " << preset << ", " << placement_name(compiled.placement) << " placement, policy w"
              << ::testing::PrintToString(policy.weight_bits) << " a" << ::testing::PrintToString(policy.activation_bits)
              << (model.graph.nodes[0].nonnegative ? ", unsigned input" : ", signed input");
        }
      }
    }
  }
}

TEST(EndToEnd, DefaultPreset) { check_preset("default"); }
TEST(EndToEnd, PaperPreset) { check_preset("cim-aq-paper"); }
TEST(EndToEnd, PrimeLikeGeometryWithIdealAdc) { check_preset("prime-like"); }
TEST(EndToEnd, IsaacLikeGeometryWithIdealAdc) { check_preset("isaac-like"); }
TEST(EndToEnd, LargePreset) { check_preset("large"); }

}  // namespace
}  // namespace cimvp
