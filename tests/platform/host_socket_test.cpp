// The accelerator as a TLM-2.0 target inside another VP: a host initiator
// bound to the SoC's `host` socket writes the input into global memory,
// the SoC runs, and the host reads the result back through the socket. The
// host can also start runs itself through the control registers, inside its
// own simulation, and gets what Soc::run gives.
#include <gtest/gtest.h>

#include <random>

#include <tlm_utils/simple_initiator_socket.h>

#include "platform/host_registers.h"
#include "platform/soc.h"
#include "tests/support/tiling.h"

namespace cimvp {
namespace {

struct Host : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Host> socket{"socket"};
  explicit Host(sc_core::sc_module_name name) : sc_module(name) {}
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned length) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(address);
    t.set_data_ptr(data);
    t.set_data_length(length);
    t.set_streaming_width(length);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(t, delay);
    return t.get_response_status();
  }
  tlm::tlm_response_status write_register(uint64_t offset, uint64_t value) {
    return access(tlm::TLM_WRITE_COMMAND, host_registers::kBase + offset, reinterpret_cast<uint8_t*>(&value), 8);
  }
  uint64_t read_register(uint64_t offset) {
    uint64_t value = ~uint64_t(0);
    EXPECT_EQ(access(tlm::TLM_READ_COMMAND, host_registers::kBase + offset, reinterpret_cast<uint8_t*>(&value), 8),
              tlm::TLM_OK_RESPONSE);
    return value;
  }
};

ArchConfig hosted_arch() {
  ArchConfig a;
  a.name = "hosted";
  a.mesh.rows = a.mesh.cols = 1;
  a.crossbar.rows = a.crossbar.cols = 64;
  a.adc.bits = 16;
  a.buffer.bytes = 1 << 14;
  a.memory.bytes = 1 << 16;
  return a;
}

TEST(HostSocket, HostWritesInputsAndReadsResultsThroughTheSocket) {
  const ArchConfig a = hosted_arch();
  Soc soc("soc", a);
  Host host("host");
  host.socket.bind(soc.host);
  std::mt19937 rng(9);
  const test::Matrix m = test::random_matrix(rng, 100, 30, 8);
  std::vector<uint8_t> x = test::random_input(rng, 100, 8, true);
  soc.load(test::mvm_image(a, m, 8, 8, true, 4096));
  // The host hands the input to the run and reads the result from memory.
  const RunResult r = soc.run(RunMode::Functional, {x});
  std::vector<uint8_t> y(4 * 30);
  ASSERT_EQ(host.access(tlm::TLM_READ_COMMAND, 4096, y.data(), unsigned(y.size())), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(y, r.outputs[0]);
  const std::vector<int32_t> got = test::as_int32(y);
  const std::vector<int64_t> expected = test::reference_product(m, x, true);
  for (size_t j = 0; j < got.size(); ++j) EXPECT_EQ(int64_t(got[j]), expected[j]);
  // out of range accesses are refused, not crashes
  uint8_t byte = 0;
  EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, uint64_t(a.memory.bytes), &byte, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // a host write lands in memory
  uint8_t word[4] = {1, 2, 3, 4};
  ASSERT_EQ(host.access(tlm::TLM_WRITE_COMMAND, 8000, word, 4), tlm::TLM_OK_RESPONSE);
  uint8_t back[4] = {};
  ASSERT_EQ(host.access(tlm::TLM_READ_COMMAND, 8000, back, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(std::vector<uint8_t>(back, back + 4), std::vector<uint8_t>(word, word + 4));
}

// The host's program, run by its own SC_THREAD once `go` is notified (so that
// the reference Soc::run calls before it do not start it): reset, write the
// input, start, wait for run_done, read the cycles and the output.
struct HostProgram : Host {
  sc_core::sc_event go;
  std::vector<uint8_t> input, output;
  uint64_t input_address = 0, output_address = 0, command = host_registers::kCommandRunFunctional;
  uint64_t status_after_start = 0, status_at_end = 0, cycles = 0, inference_cycles = 0;
  Soc* soc = nullptr;
  bool finished = false;

  SC_HAS_PROCESS(HostProgram);
  explicit HostProgram(sc_core::sc_module_name name) : Host(name) { SC_THREAD(program); }

  void program() {
    wait(go);
    wait(sc_core::sc_time(1, sc_core::SC_US));  // the host starts the accelerator some time into its simulation
    EXPECT_EQ(write_register(host_registers::kCommand, host_registers::kCommandReset), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(access(tlm::TLM_WRITE_COMMAND, input_address, input.data(), unsigned(input.size())), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(write_register(host_registers::kCommand, command), tlm::TLM_OK_RESPONSE);
    status_after_start = read_register(host_registers::kStatus);
    wait(soc->run_done);
    status_at_end = read_register(host_registers::kStatus);
    cycles = read_register(host_registers::kCycles);
    inference_cycles = read_register(host_registers::kInferenceCycles);
    EXPECT_EQ(access(tlm::TLM_READ_COMMAND, output_address, output.data(), unsigned(output.size())), tlm::TLM_OK_RESPONSE);
    finished = true;
  }
};

TEST(HostSocket, HostStartedRunsGiveWhatSocRunGives) {
  const ArchConfig a = hosted_arch();
  Soc soc("soc", a);
  HostProgram functional("functional");
  functional.socket.bind(soc.host);
  std::mt19937 rng(10);
  const test::Matrix m = test::random_matrix(rng, 150, 40, 6);
  const std::vector<uint8_t> x = test::random_input(rng, 150, 7, false);
  const FirmwareImage image = test::mvm_image(a, m, 6, 7, false, 8192);
  soc.load(image);
  const RunResult want = soc.run(RunMode::Functional, {x});  // the reference: Soc::run owns sc_start
  // Poison the output, so that a run that did not write it would show.
  std::vector<uint8_t> junk(image.outputs[0].bytes(), 0xa5);
  ASSERT_EQ(functional.access(tlm::TLM_WRITE_COMMAND, 8192, junk.data(), unsigned(junk.size())), tlm::TLM_OK_RESPONSE);

  functional.soc = &soc;
  functional.input = x;
  functional.input_address = image.inputs[0].address;
  functional.output.assign(image.outputs[0].bytes(), 0);
  functional.output_address = image.outputs[0].address;
  functional.go.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();  // the host's simulation
  ASSERT_TRUE(functional.finished);
  EXPECT_EQ(functional.status_after_start, host_registers::kStatusRunning);
  EXPECT_EQ(functional.status_at_end, host_registers::kStatusDone) << soc.last_error();
  EXPECT_EQ(functional.output, want.outputs[0]);
  EXPECT_EQ(functional.cycles, want.report.cycles);
  EXPECT_EQ(functional.inference_cycles, want.report.inference_cycles);
  EXPECT_EQ(soc.last_report().picoseconds, want.report.picoseconds);
  EXPECT_EQ(soc.last_report().energy_joules, want.report.energy_joules);  // host writes are not the run's DRAM traffic
  EXPECT_EQ(soc.last_report().totals.mvms, want.report.totals.mvms);
  const std::vector<int64_t> expected = test::reference_product(m, x, false);
  const std::vector<int32_t> got = test::as_int32(functional.output);
  for (size_t j = 0; j < got.size(); ++j) EXPECT_EQ(int64_t(got[j]), expected[j]);

  // Soc::run still works afterwards.
  EXPECT_EQ(soc.run(RunMode::Functional, {x}).outputs[0], want.outputs[0]);
}

TEST(HostSocket, TimingRunThroughTheRegisters) {
  const ArchConfig a = hosted_arch();
  Soc soc("soc", a);
  HostProgram host("host");
  host.socket.bind(soc.host);
  std::mt19937 rng(12);
  const test::Matrix m = test::random_matrix(rng, 90, 20, 8);
  const FirmwareImage image = test::mvm_image(a, m, 8, 8, true, 4096);
  soc.load(image);
  const RunResult want = soc.run(RunMode::Timing);
  host.soc = &soc;
  host.command = host_registers::kCommandRunTiming;
  host.input.assign(90, 0);
  host.output.assign(4, 0);
  host.output_address = 4096;
  host.go.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  ASSERT_TRUE(host.finished);
  EXPECT_EQ(host.status_at_end, host_registers::kStatusDone);
  EXPECT_EQ(host.cycles, want.report.cycles);
}

// Wrong register accesses are TLM errors; wrong commands and faults set the
// failed status with a message naming the problem.
TEST(HostSocket, BadRegisterAccessesAndFailedRuns) {
  ArchConfig a = hosted_arch();
  Soc soc("soc", a);
  Host host("host");
  host.socket.bind(soc.host);
  namespace hr = host_registers;
  uint32_t word = 0;
  EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, hr::kBase + hr::kStatus, reinterpret_cast<uint8_t*>(&word), 4),
            tlm::TLM_BURST_ERROR_RESPONSE);
  uint64_t value = 0;
  EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, hr::kBase + 0x40, reinterpret_cast<uint8_t*>(&value), 8),
            tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(host.write_register(hr::kStatus, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(host.read_register(hr::kStatus), hr::kStatusIdle);
  // no image yet
  EXPECT_EQ(host.write_register(hr::kCommand, hr::kCommandRunTiming), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(host.read_register(hr::kStatus), hr::kStatusFailed);
  EXPECT_EQ(soc.last_error(), "no image loaded");

  // an image whose core faults at run time
  test::Program p;
  p.li(3, int32_t(a.buffer.bytes) - 4).vcfg(VcfgReg::VL, 16);
  Instruction fill;
  fill.op = Opcode::Vfill32;
  fill.rd = 3;
  p.emit(fill).halt();
  soc.load(test::make_image(a, {p}), "fault.img");
  EXPECT_EQ(host.write_register(hr::kCommand, 9), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(host.read_register(hr::kStatus), hr::kStatusFailed);
  EXPECT_EQ(soc.last_error(), "unknown command 9");
  EXPECT_EQ(host.write_register(hr::kCommand, hr::kCommandRunTiming), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(host.read_register(hr::kStatus), hr::kStatusRunning);
  sc_core::sc_start();
  EXPECT_EQ(host.read_register(hr::kStatus), hr::kStatusFailed);
  EXPECT_NE(soc.last_error().find("fault.img: core 0 instruction 2 (vfill32)"), std::string::npos) << soc.last_error();
  // and the SoC runs the next image normally
  std::mt19937 rng(3);
  soc.load(test::mvm_image(a, test::random_matrix(rng, 10, 4, 8), 8, 8, true, 1024));
  EXPECT_NO_THROW(soc.run(RunMode::Timing));
}

}  // namespace
}  // namespace cimvp
