// One elaborated SoC runs image after image: the n-th run of an image
// reports exactly what the first did, and different images in turn do not
// disturb each other (the search runs hundreds of policies per process).
#include <gtest/gtest.h>

#include <random>

#include "platform/soc.h"
#include "tests/support/tiling.h"

namespace cimvp {
namespace {

nlohmann::json without_host_time(const Report& r) {
  nlohmann::json j = to_json(r);
  j.erase("host_seconds");
  return j;
}

ArchConfig arch() {
  ArchConfig a;
  a.name = "repeat";
  a.mesh.rows = 1;
  a.mesh.cols = 2;
  a.core.pes = 1;
  a.core.crossbars_per_pe = 4;
  a.crossbar.rows = a.crossbar.cols = 64;
  a.adc.bits = 16;
  a.buffer.bytes = 1 << 14;
  a.memory.bytes = 1 << 16;
  return a;
}

TEST(Repeat, HundredRunsOfOneImageReportTheSame) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::mt19937 rng(3);
  const test::Matrix m = test::random_matrix(rng, 150, 40, 6);
  const std::vector<uint8_t> x = test::random_input(rng, 150, 7, false);
  soc.load(test::mvm_image(a, m, 6, 7, false, 8192));
  const RunResult first = soc.run(RunMode::Functional, {x});
  const nlohmann::json expected = without_host_time(first.report);
  for (int i = 1; i < 100; ++i) {
    const RunResult r = soc.run(RunMode::Functional, {x});
    ASSERT_EQ(without_host_time(r.report), expected) << "run " << i;
    ASSERT_EQ(r.outputs, first.outputs) << "run " << i;
  }
}

TEST(Repeat, DifferentImagesInTurn) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::mt19937 rng(4);
  struct Case {
    FirmwareImage image;
    std::vector<uint8_t> x;
    std::vector<int64_t> expected;
    nlohmann::json report;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 3; ++i) {
    const int rows = 30 + 60 * i, cols = 10 + 15 * i, wb = 2 + 3 * i, ib = 8 - 2 * i;
    const test::Matrix m = test::random_matrix(rng, rows, cols, wb);
    Case c{test::mvm_image(a, m, wb, ib, i == 1, 8192), test::random_input(rng, rows, ib, i == 1), {}, {}};
    c.expected = test::reference_product(m, c.x, i == 1);
    cases.push_back(std::move(c));
  }
  for (int round = 0; round < 4; ++round)
    for (Case& c : cases) {
      soc.load(c.image);
      const RunResult r = soc.run(RunMode::Functional, {c.x});
      const std::vector<int32_t> y = test::as_int32(r.outputs[0]);
      ASSERT_EQ(std::vector<int64_t>(y.begin(), y.end()), c.expected);
      if (round == 0) c.report = without_host_time(r.report);
      ASSERT_EQ(without_host_time(r.report), c.report);
    }
}

TEST(Repeat, FunctionalAndTimingModesReportIdenticalCycles) {
  const ArchConfig a = arch();
  Soc soc("soc", a);
  std::mt19937 rng(5);
  const test::Matrix m = test::random_matrix(rng, 200, 70, 8);
  FirmwareImage image = test::mvm_image(a, m, 8, 8, true, 8192);
  // core 1 receives the result and stores it again: NoC traffic in the run
  image.cores[0].code.pop_back();
  test::Program tail;
  tail.send(1, 200, 4 * 70).halt();
  for (const Instruction& in : tail.code) image.cores[0].code.push_back(in);
  test::Program receiver;
  receiver.recv(0, 0, 4 * 70).barrier().store(16384, 0, 4 * 70).halt();
  image.cores[0].code.insert(image.cores[0].code.end() - 1, Instruction{Opcode::Barrier});
  image.cores[1].code = receiver.code;
  soc.load(image);
  nlohmann::json functional = without_host_time(soc.run(RunMode::Functional, {test::random_input(rng, 200, 8, true)}).report);
  nlohmann::json timing = without_host_time(soc.run(RunMode::Timing).report);
  EXPECT_EQ(functional["mode"], "functional");
  functional.erase("mode");
  timing.erase("mode");
  EXPECT_EQ(functional, timing);
  EXPECT_GT(timing["cycles"].get<uint64_t>(), 0u);
}

}  // namespace
}  // namespace cimvp
