// The accelerator as a TLM-2.0 target inside another VP: a host initiator
// bound to the SoC's `host` socket writes the input into global memory,
// the SoC runs, and the host reads the result back through the socket.
#include <gtest/gtest.h>

#include <random>

#include <tlm_utils/simple_initiator_socket.h>

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
};

TEST(HostSocket, HostWritesInputsAndReadsResultsThroughTheSocket) {
  ArchConfig a;
  a.name = "hosted";
  a.mesh_rows = a.mesh_cols = 1;
  a.xbar_rows = a.xbar_cols = 64;
  a.adc_bits = 16;
  a.buffer_bytes = 1 << 14;
  a.memory_bytes = 1 << 16;
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
  EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, uint64_t(a.memory_bytes), &byte, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // a host write lands in memory
  uint8_t word[4] = {1, 2, 3, 4};
  ASSERT_EQ(host.access(tlm::TLM_WRITE_COMMAND, 8000, word, 4), tlm::TLM_OK_RESPONSE);
  uint8_t back[4] = {};
  ASSERT_EQ(host.access(tlm::TLM_READ_COMMAND, 8000, back, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(std::vector<uint8_t>(back, back + 4), std::vector<uint8_t>(word, word + 4));
}

}  // namespace
}  // namespace cimvp
