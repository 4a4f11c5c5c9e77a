// A run's images split over processes (flow/run_in_processes.h) give the
// same predictions as one process, because each inference reads its noise
// from a stream of its own (Soc::set_next_inference): inference k's outputs
// are the same whether the inferences before it ran or not. And the
// splitting itself: results in order, progress over every range, a child's
// error and a child's death reported as errors naming them.
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.h"
#include "flow/pipeline.h"
#include "flow/run_in_processes.h"
#include "nn/dataset.h"
#include "nn/model_source.h"
#include "nn/quant.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

// default.yaml with read noise, ADC noise and programming variation: every
// conversion draws.
ArchConfig noisy_arch() {
  ArchConfig a = load_arch_config(test::source_path("configs/arch/default.yaml"));
  a.device.program_sigma = 0.01;
  a.device.read_sigma = 0.02;
  a.adc.noise_lsb = 0.5;
  return a;
}

flow::Build lenet5(const ArchConfig& arch) {
  const ModelFile model = load_model_spec(test::source_path("pretrained/lenet5-fmnist-w8a8.cimvp"));
  return flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch);
}

TEST(SplitClassification, InferenceKReadsTheSameNoiseWhateverRanBeforeIt) {
  const ArchConfig arch = noisy_arch();
  flow::Pipeline pipeline(arch);
  const flow::Build build = lenet5(arch);
  std::vector<uint8_t> input(build.network.input_tensor().shape.size());
  for (size_t i = 0; i < input.size(); ++i) input[i] = uint8_t(i * 7 % 100);
  pipeline.load(build, "lenet5");
  std::vector<TensorBytes> outputs;
  for (int k = 0; k < 4; ++k) outputs.push_back(pipeline.run(RunMode::Functional, {input}).outputs[0]);
  EXPECT_NE(outputs[0], outputs[1]) << "the same image reads new noise at every inference";
  EXPECT_EQ(pipeline.soc().next_inference(), 4u);
  pipeline.soc().set_device_seed(uint64_t(arch.device.seed));  // programs the same cells again
  EXPECT_EQ(pipeline.soc().next_inference(), 0u);
  pipeline.soc().set_next_inference(2);
  EXPECT_EQ(pipeline.run(RunMode::Functional, {input}).outputs[0], outputs[2]);
  EXPECT_EQ(pipeline.run(RunMode::Functional, {input}).outputs[0], outputs[3]);
}

TEST(SplitClassification, ThreeProcessesPredictWhatOneDoes) {
  const ArchConfig arch = noisy_arch();
  flow::Pipeline pipeline(arch);
  pipeline.load(lenet5(arch), "lenet5");
  const Dataset images = load_dataset("fashion-mnist", Split::Test).head(40);
  flow::ClassifyOptions one;
  one.check_reference = false;
  const flow::Classification a = pipeline.classify(images, images.size(), one);
  EXPECT_EQ(pipeline.soc().next_inference(), 40u);
  pipeline.soc().set_device_seed(uint64_t(arch.device.seed));
  flow::ClassifyOptions three = one;
  three.processes = 3;
  size_t last_done = 0, last_correct = 0;
  three.progress = [&](size_t done, size_t correct) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_correct = correct;
  };
  const flow::Classification b = pipeline.classify(images, images.size(), three);
  EXPECT_EQ(b.predictions, a.predictions);
  EXPECT_EQ(b.correct, a.correct);
  EXPECT_EQ(last_done, 40u) << "progress counts every process's images";
  EXPECT_EQ(last_correct, a.correct);
  EXPECT_EQ(pipeline.soc().next_inference(), 40u) << "the count goes on as if one process had run them";
  EXPECT_EQ(b.report.inference_cycles, a.report.inference_cycles);
}

TEST(RunInProcesses, ResultsComeBackInRangeOrder) {
  std::vector<std::pair<size_t, size_t>> here;
  const std::vector<std::string> parts =
      flow::run_in_processes(10, 3, [&](size_t begin, size_t end, const flow::RangeTick& tick) {
        here.emplace_back(begin, end);
        tick(end - begin, 0);
        return std::to_string(begin) + "-" + std::to_string(end) + "@" + std::to_string(::getpid());
      });
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].substr(0, parts[0].find('@')), "0-3");
  EXPECT_EQ(parts[1].substr(0, parts[1].find('@')), "3-6");
  EXPECT_EQ(parts[2].substr(0, parts[2].find('@')), "6-10");
  EXPECT_EQ(here, (std::vector<std::pair<size_t, size_t>>{{0, 3}})) << "only the first range runs here";
  EXPECT_NE(parts[1].substr(parts[1].find('@')), parts[2].substr(parts[2].find('@'))) << "one process per range";
  // More processes than items: one per item; one process: no fork.
  EXPECT_EQ(flow::run_in_processes(2, 8, [](size_t b, size_t e, const flow::RangeTick&) {
              return std::to_string(b) + std::to_string(e);
            }),
            (std::vector<std::string>{"01", "12"}));
  EXPECT_EQ(flow::run_in_processes(5, 1, [](size_t b, size_t e, const flow::RangeTick&) {
              return std::to_string(::getpid()) + ":" + std::to_string(b) + std::to_string(e);
            }),
            (std::vector<std::string>{std::to_string(::getpid()) + ":05"}));
}

TEST(RunInProcesses, AChildsErrorAndAChildsDeathAreErrors) {
  try {
    flow::run_in_processes(6, 2, [](size_t begin, size_t, const flow::RangeTick&) -> std::string {
      if (begin == 3) throw Error("image 4: no such thing");
      return "fine";
    });
    FAIL() << "the child's error was lost";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "image 4: no such thing");
  }
  try {
    flow::run_in_processes(6, 2, [](size_t begin, size_t, const flow::RangeTick&) -> std::string {
      if (begin == 3) std::raise(SIGKILL);
      return "fine";
    });
    FAIL() << "the child's death went unnoticed";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "the process for items [3, 6) was killed by signal 9 before sending its result");
  }
}

}  // namespace
}  // namespace cimvp
