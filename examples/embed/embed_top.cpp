// An example of cimvp inside another SystemC virtual platform. The top
// instantiates the accelerator (cimvp::Soc) and a host module of its own,
// binds the host's TLM-2.0 initiator socket to the accelerator's `host`
// target socket, and the host then runs a compiled network the way a CPU
// model's driver would, inside the top's simulation:
//   load    the firmware image (compiled here from a model file) into the SoC,
//   reset   through the command register (global memory gets the image's data),
//   input   written into global memory over the socket,
//   start   a functional run through the command register,
//   wait    for the run_done event, then check the status register,
//   read    the cycle count register and the output tensor over the socket.
// The output is compared with cimvp's integer reference for the same input.
//   embed_top ARCH.yaml MODEL.cimvp
#include <cstdio>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "common/error.h"
#include "compiler/compile.h"
#include "compiler/io_layout.h"
#include "config/arch_config.h"
#include "nn/model_source.h"
#include "nn/reference.h"
#include "platform/host_registers.h"
#include "platform/soc.h"

namespace regs = cimvp::host_registers;

// The host: a CPU model's driver in miniature.
struct Host : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Host> socket{"socket"};

  Host(sc_core::sc_module_name name, cimvp::Soc& soc, const cimvp::QuantizedNetwork& net, std::vector<int8_t> input)
      : sc_module(name), soc_(soc), net_(net), input_(std::move(input)) {
    SC_HAS_PROCESS(Host);
    SC_THREAD(drive);
  }

  bool passed = false;

 private:
  void transport(tlm::tlm_command command, uint64_t address, uint8_t* data, unsigned length) {
    tlm::tlm_generic_payload t;
    t.set_command(command);
    t.set_address(address);
    t.set_data_ptr(data);
    t.set_data_length(length);
    t.set_streaming_width(length);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(t, delay);
    if (t.get_response_status() != tlm::TLM_OK_RESPONSE)
      throw cimvp::Error("host: transaction at " + std::to_string(address) + " failed: " + t.get_response_string());
    wait(delay);
  }
  void write_register(uint64_t offset, uint64_t value) {
    transport(tlm::TLM_WRITE_COMMAND, regs::kBase + offset, reinterpret_cast<uint8_t*>(&value), 8);
  }
  uint64_t read_register(uint64_t offset) {
    uint64_t value = 0;
    transport(tlm::TLM_READ_COMMAND, regs::kBase + offset, reinterpret_cast<uint8_t*>(&value), 8);
    return value;
  }

  void drive() {
    const cimvp::FirmwareImage& image = soc_.image();
    write_register(regs::kCommand, regs::kCommandReset);
    std::vector<uint8_t> in = cimvp::input_bytes(net_, input_);
    transport(tlm::TLM_WRITE_COMMAND, image.inputs[0].address, in.data(), unsigned(in.size()));
    write_register(regs::kCommand, regs::kCommandRunFunctional);
    wait(soc_.run_done);
    if (read_register(regs::kStatus) != regs::kStatusDone) {
      std::fprintf(stderr, "embed_top: the run failed: %s\n", soc_.last_error().c_str());
      return;
    }
    const uint64_t cycles = read_register(regs::kCycles);
    std::vector<uint8_t> out(image.outputs[0].bytes());
    transport(tlm::TLM_READ_COMMAND, image.outputs[0].address, out.data(), unsigned(out.size()));
    const std::vector<int32_t> vp = cimvp::output_values(image, out);
    const std::vector<int32_t> reference = cimvp::run_reference(net_, input_);
    passed = vp == reference;
    std::printf("%s on the accelerator: class %d after %llu cycles (%s); integer reference: class %d\n",
                net_.name.c_str(), cimvp::argmax(vp), (unsigned long long)cycles,
                sc_core::sc_time_stamp().to_string().c_str(), cimvp::argmax(reference));
    std::printf("outputs %s the integer reference\n", passed ? "equal" : "DIFFER FROM");
  }

  cimvp::Soc& soc_;
  const cimvp::QuantizedNetwork& net_;
  std::vector<int8_t> input_;
};

int sc_main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: embed_top ARCH.yaml MODEL.cimvp\n");
    return 2;
  }
  try {
    const cimvp::ArchConfig arch = cimvp::load_arch_config(argv[1]);
    const cimvp::ModelFile model = cimvp::load_model_spec(argv[2]);
    if (!model.has_policy()) throw cimvp::Error(std::string(argv[2]) + ": give a quantized model (with bit widths)");
    const cimvp::QuantizedNetwork net = cimvp::quantize_model(model, model.policy);
    cimvp::Soc soc("accelerator", arch);
    soc.load(cimvp::compile(net, arch).image, argv[2]);
    // A deterministic input pattern over the input tensor's range.
    const cimvp::QTensor& t = net.input_tensor();
    std::vector<int8_t> input(size_t(t.shape.size()));
    for (size_t i = 0; i < input.size(); ++i) input[i] = int8_t(t.lo() + int32_t((i * 37) % size_t(t.hi() - t.lo() + 1)));
    Host host("host", soc, net, input);
    host.socket.bind(soc.host);
    sc_core::sc_start();
    return host.passed ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "embed_top: %s\n", e.what());
    return 1;
  }
}
