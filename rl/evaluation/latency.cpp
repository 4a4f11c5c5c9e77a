#include "rl/evaluation/latency.h"

#include <chrono>

#include "common/seconds_since.h"
#include "flow/pipeline.h"

namespace cimvp::rl {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

VpLatency::VpLatency(const ArchConfig& arch) : arch_(arch), pipeline_(std::make_unique<flow::Pipeline>(arch)) {}

VpLatency::~VpLatency() = default;

LatencyResult VpLatency::measure(const ModelFile& model, const Policy& policy) {
  auto t0 = std::chrono::steady_clock::now();
  flow::BuildOptions options;
  options.compile.timing_only = true;
  flow::Build built = flow::build(model, policy, arch_, options);
  compile_seconds_ += seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  const Placement placement = built.compiled.placement;
  pipeline_->load(std::move(built), model.graph.name);
  LatencyResult out;
  out.report = pipeline_->time();
  run_seconds_ += seconds_since(t0);
  // One inference of the deployment: the whole run when nothing is set up
  // once, plus its share of the refreshes when device.refresh_interval_s is
  // set (equal to inference_* without one).
  out.seconds = out.report.deployed_inference_seconds;
  out.cycles = out.report.inference_cycles;
  out.energy_joules = out.report.deployed_inference_energy_joules;
  out.placement = placement_name(placement);
  return out;
}

LatencyResult analytic_latency(const ModelFile& model, const ArchConfig& arch, const Policy& policy) {
  const Graph& g = model.graph;
  const std::vector<int> layers = g.quantizable_layers();
  check_policy(policy, layers.size(), "policy for model '" + g.name + "'");
  // Times of one whole crossbar write and of one read (one input slice).
  const double write_s = (arch.crossbar.program_ns + arch.crossbar.rows * arch.crossbar.program_row_ns) * 1e-9;
  const double read_s = arch.crossbar.read_ns * 1e-9;
  double seconds = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    const Node& nd = g.nodes[size_t(layers[l])];
    const Shape& in = g.nodes[size_t(nd.inputs[0])].shape;
    const bool conv = nd.kind == OpKind::Conv2d;
    const int64_t m = nd.out_channels;
    const int64_t n = conv ? int64_t(in.c) * nd.kernel * nd.kw() : in.size();
    const int64_t invocations = conv ? int64_t(nd.shape.h) * nd.shape.w : 1;
    int64_t cols = m * ceil_div(policy.weight_bits[l], arch.crossbar.cell_bits), rows = n;
    switch (arch.crossbar.mapping) {
      case WeightMapping::DifferentialColumn: cols *= 2; break;
      case WeightMapping::DifferentialRow: rows *= 2; break;
      case WeightMapping::Offset: cols += 1; break;
    }
    const int64_t tiles = ceil_div(cols, arch.crossbar.cols) * ceil_div(rows, arch.crossbar.rows);
    const int64_t executes = invocations * tiles * ceil_div(policy.activation_bits[l], arch.dac.bits);
    seconds += double(tiles) * write_s + double(executes) * read_s;
  }
  LatencyResult out;
  out.seconds = seconds;
  out.placement = "analytic";
  return out;
}

}  // namespace cimvp::rl
