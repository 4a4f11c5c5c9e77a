#include <cstdio>
#include <iostream>

#include "apps/command.h"
#include "config/arch_config.h"
#include "models/adc.h"
#include "platform/area.h"
#include "platform/energy.h"

namespace cimvp::cli {

namespace {

// What the energy and area models make of an architecture: the per-event
// energies a run is priced with and the area per core and per chip.
void print_derived(const ArchConfig& a) {
  const EventEnergies e = event_energies(a);
  const AreaBreakdown r = area(a);
  std::printf("\nenergy per event and area of '%s' (docs/energy-area.md)\n", a.name.c_str());
  std::printf("  crossbar read   %10.4g pJ per column per input slice\n", e.crossbar_read_pj);
  std::printf("  DAC             %10.4g pJ per row per input slice\n", e.dac_pj);
  std::printf("  ADC             %10.4g pJ per conversion (%d bits at %.3g GS/s)\n", e.adc_pj, a.adc.bits,
              AdcCosts(a).rate_gsps);
  std::printf("  programming     %10.4g pJ per cell\n", e.cell_program_pj);
  std::printf("  buffer          %10.4g pJ per byte\n", e.buffer_pj_per_byte);
  std::printf("  GPEU            %10.4g pJ per lane operation\n", e.gpeu_pj_per_op);
  std::printf("  NoC             %10.4g pJ per flit per hop\n", e.noc_pj_per_flit_hop);
  std::printf("  global memory   %10.4g pJ per byte\n", e.memory_pj_per_byte);
  for (const auto& [name, mm2] : r.core_mm2) std::printf("  area %-10s %10.4g mm2 per core\n", name.c_str(), mm2);
  std::printf("  area           %10.4g mm2 per core, %.4g mm2 per chip (%d cores, %d ADCs per crossbar)\n",
              r.core_total_mm2, r.chip_total_mm2, a.cores(), r.adcs_per_crossbar);
}

}  // namespace

int cmd_params(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("markdown", "print the table as Markdown (docs/params.md)")(
      "arch", po::value<std::string>(), "also print the per-event energies and area this architecture YAML gives");
  po::variables_map vm;
  if (!parse("params", "[--markdown] [--arch ARCH.yaml]", options, {}, args, vm)) return 0;
  if (vm.count("markdown")) {
    std::cout << params_markdown();
    return 0;
  }
  std::cout << params_table();
  std::cout.flush();
  print_derived(vm.count("arch") ? load_arch_config(vm["arch"].as<std::string>()) : ArchConfig{});
  return 0;
}

}  // namespace cimvp::cli
