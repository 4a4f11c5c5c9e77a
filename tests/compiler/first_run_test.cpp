// The first run of a process is not special: a compiled multi-core network
// whose cores contend for the NoC and memory reports, to the picosecond, the
// same time and the same per-core waits on its first run as on every later
// one (the search measures each policy once per process, in any order).
#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "nn/model_source.h"
#include "platform/soc.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

TEST(FirstRun, ReportsExactlyWhatLaterRunsReport) {
  const ArchConfig arch = load_arch_config(test::source_path("configs/arch/default.yaml"));
  ASSERT_GT(arch.cores(), 1);
  const ModelFile model = load_model_structure("lenet5");
  Policy p = uniform_policy(model.graph.quantizable_layers().size(), 8, 8);
  p.weight_bits = {7, 3, 7, 3, 4};
  p.activation_bits = {7, 6, 4, 7, 2};
  CompileOptions options;
  options.timing_only = true;
  const CompileResult compiled = compile(quantize_any(model, p), arch, options);
  Soc soc("soc", arch);
  soc.load(compiled.image);
  const Report first = soc.run(RunMode::Timing).report;
  for (int run = 1; run < 3; ++run) {
    const Report again = soc.run(RunMode::Timing).report;
    EXPECT_EQ(again.picoseconds, first.picoseconds) << "run " << run;
    ASSERT_EQ(again.cores.size(), first.cores.size());
    for (size_t c = 0; c < first.cores.size(); ++c)
      EXPECT_EQ(again.cores[c].wait_cycles, first.cores[c].wait_cycles) << "run " << run << ", core " << c;
  }
}

}  // namespace
}  // namespace cimvp
