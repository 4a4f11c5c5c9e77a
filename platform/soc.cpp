#include "platform/soc.h"

#include <chrono>
#include <cstring>
#include <sstream>

#include "common/error.h"
#include "platform/chrome_trace.h"
#include "platform/area.h"
#include "platform/energy.h"
#include "platform/host_registers.h"
#include "models/device/lifetime.h"

namespace cimvp {
namespace {

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

}  // namespace

Soc::Soc(sc_core::sc_module_name name, const ArchConfig& arch)
    : sc_module(name),
      host("host"),
      arch_(arch),
      timing_(arch_),
      energies_(event_energies(arch_)),
      area_(area(arch_)),
      noc_("noc", arch_.mesh, arch_.noc, timing_),
      memory_("memory", uint64_t(arch_.memory.bytes), timing_) {
  for (int i = 0; i < arch_.cores(); ++i) {
    cores_.push_back(std::make_unique<Core>(("core" + std::to_string(i)).c_str(), i, arch_, timing_, control_));
    cores_.back()->noc.bind(noc_.from_cores);
    noc_.to_mailboxes.bind(cores_.back()->mailbox);
  }
  noc_.to_memory.bind(memory_.socket);
  host.register_b_transport(this, &Soc::host_b_transport);
  SC_HAS_PROCESS(Soc);
  SC_METHOD(on_all_halted);
  sensitive << control_.all_halted;
  dont_initialize();
}

ArchLimits arch_limits(const ArchConfig& arch) {
  return {arch.cores(), arch.crossbars_per_core(), arch.buffer.bytes, arch.memory.bytes};
}

void Soc::check_image(const FirmwareImage& image, const std::string& source) const {
  validate_image(image, source);  // what holds for any architecture (images built in memory skip the reader)
  auto fail = [&](const std::string& what) { throw Error(source + ": " + what); };
  if (image.arch_fingerprint != arch_.fingerprint())
    fail("compiled for architecture '" + image.arch_name + "' (fingerprint " + hex(image.arch_fingerprint) +
         "), but this SoC is '" + arch_.name + "' (fingerprint " + hex(arch_.fingerprint()) +
         "): recompile the image for this architecture");
  if (image.cores.size() != size_t(arch_.cores()))
    fail("has code for " + std::to_string(image.cores.size()) + " cores, the architecture has " +
         std::to_string(arch_.cores()));
  for (size_t b = 0; b < image.blocks.size(); ++b) {
    const WeightBlock& w = image.blocks[b];
    if (arch_.crossbar.physical_rows(int(w.rows)) > arch_.crossbar.rows ||
        arch_.crossbar.physical_cols(int(w.cols), w.weight_bits) > arch_.crossbar.cols)
      fail("weight block " + std::to_string(b) + " (" + std::to_string(w.rows) + " x " + std::to_string(w.cols) +
           " weights of " + std::to_string(w.weight_bits) + " bits) needs " +
           std::to_string(arch_.crossbar.physical_rows(int(w.rows))) + " x " +
           std::to_string(arch_.crossbar.physical_cols(int(w.cols), w.weight_bits)) + " cells, a crossbar has " +
           std::to_string(arch_.crossbar.rows) + " x " + std::to_string(arch_.crossbar.cols));
  }
  const ArchLimits limits = arch_limits(arch_);
  for (size_t c = 0; c < image.cores.size(); ++c) {
    const auto& code = image.cores[c].code;
    for (size_t pc = 0; pc < code.size(); ++pc) {
      const std::string problem = instruction_arch_problem(code[pc], int(c), limits);
      if (!problem.empty())
        fail("core " + std::to_string(c) + " instruction " + std::to_string(pc) + " (" + mnemonic(code[pc].op) +
             "): " + problem);
    }
  }
  for (size_t s = 0; s < image.segments.size(); ++s) {
    const MemorySegment& seg = image.segments[s];
    const bool global = seg.core == kGlobalMemory;
    if (!global && seg.core >= uint32_t(arch_.cores()))
      fail("memory segment " + std::to_string(s) + " targets core " + std::to_string(seg.core) + " of " +
           std::to_string(arch_.cores()));
    const uint64_t limit = uint64_t(global ? arch_.memory.bytes : arch_.buffer.bytes);
    if (seg.address > limit || seg.bytes.size() > limit - seg.address)
      fail("memory segment " + std::to_string(s) + " [" + std::to_string(seg.address) + ", " +
           std::to_string(seg.address + seg.bytes.size()) + ") is outside the " + std::to_string(limit) + "-byte " +
           (global ? "global memory" : "local buffer"));
  }
  for (const auto* list : {&image.inputs, &image.outputs})
    for (const TensorLayout& t : *list)
      if (t.address > uint64_t(arch_.memory.bytes) || t.bytes() > uint64_t(arch_.memory.bytes) - t.address)
        fail("tensor '" + t.name + "' [" + std::to_string(t.address) + ", " + std::to_string(t.address + t.bytes()) +
             ") is outside the " + std::to_string(arch_.memory.bytes) + "-byte global memory");
}

void Soc::load(const FirmwareImage& image, const std::string& source) { load(FirmwareImage(image), source); }

void Soc::set_bit_accurate_crossbars(bool on) {
  for (auto& core : cores_) core->set_crossbar_path(on ? Crossbar::Path::BitAccurate : Crossbar::Path::Auto);
}

void Soc::set_column_sum_recorder(ColumnSumRecorder* recorder) {
  for (auto& core : cores_) core->set_column_sum_recorder(recorder);
}

void Soc::set_device_seed(uint64_t seed) {
  arch_.device.seed = int64_t(seed);
  inferences_ = 0;
  for (auto& core : cores_) core->set_device_seed(seed);
}

void Soc::load(FirmwareImage&& image, const std::string& source) {
  check_image(image, source);
  image_ = std::move(image);
  source_ = source;
  loaded_ = true;
  ++serial_;
  inferences_ = 0;
  for (auto& core : cores_) core->load(image_, serial_);
}

void Soc::abort_run() {
  control_.aborting = true;
  control_.abort_event.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();  // every waiting core unwinds and returns to its start
}

RunResult Soc::run(RunMode mode, const std::vector<TensorBytes>& inputs, TraceSink* trace) {
  if (!loaded_) throw Error("no image loaded");
  const bool functional = mode == RunMode::Functional;
  if (functional && image_.timing_only)
    throw Error(source_ + ": the image has no weights (compiled with --timing-only); run it with --mode timing");
  if (functional && inputs.size() != image_.inputs.size())
    throw Error(source_ + ": the image takes " + std::to_string(image_.inputs.size()) + " input tensor(s), got " +
                std::to_string(inputs.size()));
  if (functional)
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i].size() != image_.inputs[i].bytes())
        throw Error("input '" + image_.inputs[i].name + "' needs " + std::to_string(image_.inputs[i].bytes()) +
                    " bytes, got " + std::to_string(inputs[i].size()));

  if (host_status_ == host_registers::kStatusRunning)
    throw Error(source_ + ": a run started through the host registers has not ended");

  const auto wall_start = std::chrono::steady_clock::now();
  // The first run of the process would otherwise start the cores from
  // SystemC's initialization phase, which runs them in another order than the
  // start events of every later run do; cores that contend for the NoC or
  // memory at the same instant would then be served in another order. Letting
  // initialization happen first (every core waits for its start event) makes
  // the first run of an image report exactly what every later run reports.
  if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) sc_core::sc_start(sc_core::SC_ZERO_TIME);
  reset_memory(functional);
  if (functional)
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::memcpy(memory_.storage().data() + image_.inputs[i].address, inputs[i].data(), inputs[i].size());
      memory_.storage().touch(image_.inputs[i].address, inputs[i].size());
    }
  start_cores(mode, trace);
  const Picos start = Picos(sc_core::sc_time_stamp().value());
  if (trace) {
    TraceLayout layout;
    layout.cores = arch_.cores();
    layout.mesh_cols = arch_.mesh.cols;
    layout.cycle = timing_.cycle;
    layout.layer_names = image_.layer_names;
    for (int l = 0; l < noc_.links(); ++l) layout.link_names.push_back(noc_.link_name(l));
    trace->begin_run(start, layout);
  }
  sc_core::sc_start();

  if (control_.failed) {
    const std::string error = control_.error;
    abort_run();
    throw Error(source_ + ": " + error);
  }
  std::string stuck;
  for (auto& core : cores_)
    if (!core->halted()) stuck += "; " + core->waiting_description();
  if (!stuck.empty()) {
    abort_run();
    throw Error(source_ + ": deadlock: no core can proceed" + stuck);
  }

  RunResult result;
  const double host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  result.report = make_report(mode, start, host_seconds);
  if (functional)
    for (const TensorLayout& t : image_.outputs) {
      const uint8_t* p = memory_.storage().data() + t.address;
      result.outputs.emplace_back(p, p + t.bytes());
    }
  return result;
}

void Soc::reset_memory(bool functional) {
  memory_.reset();
  if (!functional) return;
  memory_.storage().allocate();
  for (const MemorySegment& seg : image_.segments)
    if (seg.core == kGlobalMemory) {
      std::memcpy(memory_.storage().data() + seg.address, seg.bytes.data(), seg.bytes.size());
      memory_.storage().touch(seg.address, seg.bytes.size());
    }
}

void Soc::start_cores(RunMode mode, TraceSink* trace) {
  if (mode == RunMode::Functional) {  // the age and the noise of this inference's reads (lifetime.h)
    const uint64_t k = inferences_++;
    read_age_s_ = cimvp::read_age_s(arch_.device, k);
    for (auto& core : cores_) {
      if (refreshes(arch_.device)) core->set_cell_age(read_age_s_);
      core->set_inference(k);
    }
  }
  control_.reset(mode, &image_, trace);
  control_.barrier_participants = 0;
  for (auto& core : cores_) control_.barrier_participants += core->has_code() ? 1 : 0;
  noc_.reset();
  noc_.set_trace(trace);
  memory_.reset_channel();
  memory_.set_trace(trace);  // host writes before the start are not part of the run
  for (auto& core : cores_) core->begin_run();  // clears the local buffers
  if (mode == RunMode::Functional)
    for (const MemorySegment& seg : image_.segments)
      if (seg.core != kGlobalMemory) {
        LocalBuffer& target = cores_[seg.core]->buffer();
        target.allocate();
        std::memcpy(target.data() + seg.address, seg.bytes.data(), seg.bytes.size());
        target.touch(seg.address, seg.bytes.size());
      }
}

void Soc::host_command(uint64_t command) {
  namespace hr = host_registers;
  auto refuse = [&](const std::string& why) {
    host_status_ = hr::kStatusFailed;
    host_error_ = why;
  };
  if (host_status_ == hr::kStatusRunning) return refuse("command " + std::to_string(command) + " while a run is in progress");
  if (!loaded_) return refuse("no image loaded");
  if (command == hr::kCommandReset) {
    reset_memory(true);
    host_status_ = hr::kStatusIdle;
    return;
  }
  if (command != hr::kCommandRunFunctional && command != hr::kCommandRunTiming)
    return refuse("unknown command " + std::to_string(command));
  host_mode_ = command == hr::kCommandRunFunctional ? RunMode::Functional : RunMode::Timing;
  if (host_mode_ == RunMode::Functional && image_.timing_only)
    return refuse(source_ + ": the image has no weights (compiled with --timing-only); run it in timing mode");
  host_error_.clear();
  host_status_ = hr::kStatusRunning;
  host_start_ = Picos(sc_core::sc_time_stamp().value());
  start_cores(host_mode_, nullptr);
  control_.signal_halted = true;
  if (control_.running == 0) control_.all_halted.notify(sc_core::SC_ZERO_TIME);  // no core has code
}

void Soc::on_all_halted() {
  if (host_status_ != host_registers::kStatusRunning) return;  // a run() of the host program's own
  if (control_.failed) {
    host_status_ = host_registers::kStatusFailed;
    host_error_ = source_ + ": " + control_.error;
  } else {
    host_status_ = host_registers::kStatusDone;
    host_report_ = make_report(host_mode_, host_start_, 0);
  }
  run_done.notify(sc_core::SC_ZERO_TIME);
}

void Soc::host_register(tlm::tlm_generic_payload& trans) {
  namespace hr = host_registers;
  const uint64_t offset = trans.get_address() - hr::kBase;
  if (trans.get_data_length() != 8 || !trans.get_data_ptr()) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint64_t value = 0;
  if (trans.is_write()) {
    std::memcpy(&value, trans.get_data_ptr(), 8);
    if (offset != hr::kCommand) {
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    host_command(value);
  } else {
    switch (offset) {
      case hr::kStatus: value = host_status_; break;
      case hr::kCycles: value = host_report_.cycles; break;
      case hr::kInferenceCycles: value = host_report_.inference_cycles; break;
      default: trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE); return;
    }
    std::memcpy(trans.get_data_ptr(), &value, 8);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

Report Soc::make_report(RunMode mode, Picos start, double host_seconds) const {
  Report r;
  r.arch = arch_.name;
  r.architecture = arch_;
  r.mode = mode == RunMode::Functional ? "functional" : "timing";
  Picos end = start;
  for (const auto& core : cores_) end = std::max(end, core->end_time());
  r.picoseconds = end - start;
  const double cycle = double(timing_.cycle);
  auto cycles = [&](Picos ps) { return uint64_t(std::llround(double(ps) / cycle)); };
  r.cycles = cycles(r.picoseconds);
  r.seconds = double(r.picoseconds) * 1e-12;
  // Static power: each core for the whole run; a layer's (or the set-up's)
  // share is the whole chip's power over its span.
  const double chip_static_watts = static_energy(arch_, 1.0);
  const double core_static_watts = chip_static_watts / arch_.cores();
  for (const auto& core : cores_) {
    CoreReport c;
    c.id = core->id();
    c.events = core->events();
    const Picos active = core->end_time() - start;
    c.end_cycle = cycles(active);
    c.wait_cycles = cycles(core->wait_time());
    c.busy_cycles = c.end_cycle - std::min(c.end_cycle, c.wait_cycles);
    c.dynamic_energy_joules = dynamic_energy_joules(energies_, c.events);
    c.static_energy_joules = core_static_watts * r.seconds;
    c.energy_joules = c.dynamic_energy_joules + c.static_energy_joules;
    r.totals += c.events;
    r.cores.push_back(c);
  }
  r.components = dynamic_energy(energies_, r.totals);
  r.components["static"] = static_energy(arch_, r.seconds);
  r.energy_joules = total(r.components);
  r.core_area_mm2 = area_.core_mm2;
  r.core_mm2 = area_.core_total_mm2;
  r.chip_mm2 = area_.chip_total_mm2;
  EventCounts in_layers;
  double layer_static = 0;
  for (size_t i = 0; i < control_.layers.size(); ++i) {
    const LayerStats& s = control_.layers[i];
    LayerReport l;
    l.name = image_.layer_names[i];
    if (s.seen()) {
      l.start_cycle = cycles(s.first - start);
      l.end_cycle = cycles(s.last - start);
      l.cycles = l.end_cycle - l.start_cycle;
      l.seconds = double(s.last - s.first) * 1e-12;
    }
    l.events = s.events;
    l.dynamic_energy_joules = dynamic_energy_joules(energies_, l.events);
    l.static_energy_joules = chip_static_watts * l.seconds;
    l.energy_joules = l.dynamic_energy_joules + l.static_energy_joules;
    l.crossbar_utilization = crossbar_utilization(arch_, l.events);
    set_programmed_cell_share(arch_, l);
    in_layers += l.events;
    layer_static += l.static_energy_joules;
    r.layers.push_back(l);
  }
  LayerReport& outside = r.outside_layers;
  outside.name = "(outside layers)";
  outside.events = r.totals - in_layers;
  outside.dynamic_energy_joules = dynamic_energy_joules(energies_, outside.events);
  outside.static_energy_joules = r.components["static"] - layer_static;
  outside.energy_joules = outside.dynamic_energy_joules + outside.static_energy_joules;
  outside.crossbar_utilization = crossbar_utilization(arch_, outside.events);
  set_programmed_cell_share(arch_, outside);
  r.inference_cycles = r.cycles;
  r.inference_seconds = r.seconds;
  r.inference_energy_joules = r.energy_joules;
  for (size_t i = 0; i < control_.layers.size(); ++i)
    if (image_.layer_names[i] == kSetupLayerName && control_.layers[i].seen()) {
      const Picos setup = control_.layers[i].last - start;
      r.setup_cycles = cycles(setup);
      r.inference_cycles = r.cycles - std::min(r.cycles, r.setup_cycles);
      r.inference_seconds = double(r.picoseconds - setup) * 1e-12;
      r.setup_seconds = double(setup) * 1e-12;
      r.setup_energy_joules = r.layers[i].dynamic_energy_joules + chip_static_watts * double(setup) * 1e-12;
      r.inference_energy_joules = r.energy_joules - r.setup_energy_joules;
    }
  const double share = refresh_share(arch_.device, r.inference_seconds);
  r.refresh_seconds = share * r.setup_seconds;
  r.refresh_energy_joules = share * r.setup_energy_joules;
  r.deployed_inference_seconds = r.inference_seconds + r.refresh_seconds;
  r.deployed_inference_energy_joules = r.inference_energy_joules + r.refresh_energy_joules;
  r.figures = figures_of_merit(r);
  r.host_seconds = host_seconds;
  return r;
}

void Soc::host_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (trans.get_address() >= host_registers::kBase) return host_register(trans);
  // The host reaches global memory directly (no NoC hop), e.g. to place
  // inputs or read results, like a DMA from the host bus.
  memory_.b_transport(trans, delay);
}

}  // namespace cimvp
