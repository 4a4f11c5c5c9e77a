// What one policy costs in time and energy per inference, from two sources:
//  - VpLatency: built structure-only through the pipeline (flow/, no
//    weights, any model source) and run in timing mode; the
//    steady-state time per inference (a resident placement's inference after
//    its one-time programming, else the whole run, which reprograms);
//  - analytic_latency: the paper's table (docs/search.md): per layer
//    tiles x write latency + invocations x tiles x input slices x read latency,
//    nothing else (no ADC, digital work, data movement or parallelism).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/arch_config.h"
#include "nn/model_file.h"
#include "nn/policy.h"
#include "platform/report.h"

namespace cimvp::flow {
class Pipeline;
}

namespace cimvp::rl {

struct LatencyResult {
  double seconds = 0;        // per inference
  uint64_t cycles = 0;       // VP cycles per inference (0 for the analytic model)
  double energy_joules = 0;  // per inference (0 for the analytic model)
  std::string placement;     // "resident", "per-layer", "mixed" or "analytic"
  Report report;             // the VP's whole report (empty for the analytic model)
};

class VpLatency {
 public:
  // Takes the architecture's SoC from the pipeline (flow/pipeline.h): make
  // it before the first simulation of the process.
  explicit VpLatency(const ArchConfig& arch);
  ~VpLatency();
  // Any model source: its weights are not needed and not compiled.
  LatencyResult measure(const ModelFile& model, const Policy& policy);

  double compile_seconds() const { return compile_seconds_; }  // wall time spent compiling
  double run_seconds() const { return run_seconds_; }          // wall time spent in the VP

 private:
  ArchConfig arch_;
  std::unique_ptr<flow::Pipeline> pipeline_;
  double compile_seconds_ = 0, run_seconds_ = 0;
};

LatencyResult analytic_latency(const ModelFile& model, const ArchConfig& arch, const Policy& policy);

}  // namespace cimvp::rl
