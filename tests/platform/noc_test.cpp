// Cores exchange data over the NoC and meet at barriers: the data arrives
// intact, and the time grows with the hop count and with link contention
// exactly as the mesh's timing model says (docs/configuration.md).
#include <gtest/gtest.h>

#include <numeric>

#include "platform/soc.h"
#include "tests/support/program.h"

namespace cimvp {
namespace {

ArchConfig mesh(int rows, int cols) {
  ArchConfig a;
  a.name = "mesh";
  a.mesh.rows = rows;
  a.mesh.cols = cols;
  a.core.pes = 1;
  a.core.crossbars_per_pe = 1;
  a.crossbar.rows = a.crossbar.cols = 64;
  a.noc.hop_cycles = 3;
  a.noc.link_bytes = 8;
  a.core.barrier_cycles = 5;
  a.buffer.bytes = 1 << 14;
  a.memory.bytes = 1 << 16;
  return a;
}

constexpr int kBytes = 256;

// Core `from` loads kBytes from memory 0 and sends them to core `to`,
// which stores them at memory 4096.
FirmwareImage relay(const ArchConfig& a, int from, int to) {
  test::Program sender, receiver;
  sender.load(0, 0, kBytes).send(to, 0, kBytes).halt();
  receiver.recv(from, 512, kBytes).store(4096, 512, kBytes).halt();
  std::vector<test::Program> programs(size_t(a.cores()));
  programs[size_t(from)] = sender;
  programs[size_t(to)] = receiver;
  FirmwareImage image = test::make_image(a, programs);
  image.inputs.push_back(test::tensor("x", DType::U8, kBytes, 0));
  image.outputs.push_back(test::tensor("y", DType::U8, kBytes, 4096));
  return image;
}

TEST(Noc, MessagesArriveIntact) {
  const ArchConfig a = mesh(4, 4);
  Soc soc("soc", a);
  std::vector<uint8_t> x(kBytes);
  std::iota(x.begin(), x.end(), uint8_t(3));
  for (int to : {1, 6, 15}) {
    soc.load(relay(a, 0, to));
    EXPECT_EQ(soc.run(RunMode::Functional, {x}).outputs[0], x) << "to core " << to;
  }
}

TEST(Noc, EachHopCostsHopCycles) {
  const ArchConfig a = mesh(4, 4);
  Soc soc("soc", a);
  // Receivers in row 0 at 1, 2, 3 hops from core 0, then down the last column.
  const int receivers[] = {1, 2, 3, 7, 11, 15};
  uint64_t previous = 0;
  for (int i = 0; i < 6; ++i) {
    std::vector<test::Program> p(size_t(a.cores()));
    p[0].send(receivers[i], 0, kBytes).halt();
    p[size_t(receivers[i])].recv(0, 0, kBytes).halt();
    soc.load(test::make_image(a, p));
    const uint64_t done = soc.run(RunMode::Timing).report.cores[size_t(receivers[i])].end_cycle;
    if (i > 0) {
      EXPECT_EQ(done - previous, uint64_t(a.noc.hop_cycles)) << "one more hop to core " << receivers[i];
    }
    previous = done;
  }
}

TEST(Noc, MessagesSharingALinkContend) {
  // 1 x 4 mesh: 0 -> 2 and 1 -> 3 both cross the link from router 1 to 2.
  const ArchConfig a = mesh(1, 4);
  Soc alone("alone", a), shared("shared", a), disjoint("disjoint", a);
  auto image = [&](bool second, int second_to) {
    std::vector<test::Program> p(4);
    p[0].send(2, 0, kBytes).halt();
    p[2].recv(0, 0, kBytes).halt();
    if (second) {
      p[1].send(second_to, 0, kBytes).halt();
      p[size_t(second_to)].recv(1, 0, kBytes).halt();
    }
    return test::make_image(a, p);
  };
  alone.load(image(false, 3));
  shared.load(image(true, 3));
  // 1 -> 0 goes west and shares nothing with 0 -> 2
  disjoint.load(image(true, 0));
  const uint64_t t_alone = alone.run(RunMode::Timing).report.cores[2].end_cycle;
  const uint64_t t_shared = shared.run(RunMode::Timing).report.cycles;
  const RunResult d = disjoint.run(RunMode::Timing);
  const uint64_t serialization = kBytes / a.noc.link_bytes;
  // The loser of the shared link waits for the winner's whole message.
  EXPECT_GE(t_shared, t_alone + serialization - uint64_t(a.noc.hop_cycles));
  EXPECT_EQ(d.report.cores[2].end_cycle, t_alone);
}

TEST(Noc, BarrierReleasesEveryCoreAfterTheLastArrives) {
  const ArchConfig a = mesh(2, 2);
  Soc soc("soc", a);
  std::vector<test::Program> p(4);
  // core 0 works 100 issue cycles before the barrier, the others arrive at once
  p[0].li(1, 0).li(2, 50);
  const int loop = p[0].here();
  p[0].addi(1, 1, 1).blt(1, 2, loop);
  for (auto& prog : p) prog.barrier().halt();
  soc.load(test::make_image(a, p));
  const RunResult r = soc.run(RunMode::Timing);
  const uint64_t work = 2 + 50 * 2;  // two li, then 50 x (addi, blt)
  for (const CoreReport& c : r.report.cores) EXPECT_EQ(c.end_cycle, work + uint64_t(a.core.barrier_cycles)) << "core " << c.id;
  EXPECT_GT(r.report.cores[1].wait_cycles, r.report.cores[0].wait_cycles);
}

}  // namespace
}  // namespace cimvp
