// Speed of the compiler with the VP (docs/benchmarks.md):
//  (a) vgg16 at W8A8 on cim-aq-paper.yaml: compile (timing only), write and
//      read the image, one timing run. Goal: < 2 s wall together.
//  (b) resnet18 at W8A8 on large.yaml: the same; goal < 0.3 s wall and
//      < 200 MB peak RSS (getrusage ru_maxrss of a process doing only this).
//  (c) lenet5 W8A8 on default.yaml: the functional VP against the integer
//      reference executor on the same images, in the same run. Goal: the VP
//      within 2x of the reference.
//  (d, e) the bit-width search's inner step: random mixed-precision policies
//      (bits 2..8 per layer, as the search draws them) of vgg16 on
//      cim-aq-paper.yaml (d) and resnet18 on large.yaml (e), each quantized
//      (structure only), compiled (timing only) and run on one SoC, without
//      files; per policy, against uniform W8A8 in the same run.
// SystemC elaborates one SoC per process, so each part runs in a child
// process of its own (this binary with --part a|b|c|d|e); that also makes
// each part's peak RSS its own.
// Usage: compile_bench [--quick] [--part a|b|c|d|e]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "common/sc_main_env.h"
#include "compiler/io_layout.h"
#include "flow/pipeline.h"
#include "nn/model_source.h"
#include "nn/reference.h"

namespace cimvp {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

std::string arch_path(const std::string& preset) {
  return std::string(CIMVP_SOURCE_DIR) + "/configs/arch/" + preset + ".yaml";
}

// Compile + image round trip + one timing run; best of `rounds` (the SoC is
// elaborated once; compile and run repeat).
int timed_compile_run(const std::string& model_name, const std::string& preset, int rounds, double goal_seconds,
                      double goal_mb) {
  const double t_start = now_seconds();
  const ArchConfig arch = load_arch_config(arch_path(preset));
  flow::Pipeline pipeline(arch);
  const double t_elab = now_seconds() - t_start;
  double best = 1e9, best_compile = 0, best_io = 0, best_run = 0;
  uint64_t ps = 0;
  size_t image_bytes = 0;
  const std::string path = "/tmp/compile_bench_" + std::to_string(getpid()) + ".img";
  for (int r = 0; r < rounds; ++r) {
    const double t0 = now_seconds();
    const ModelFile model = load_model_structure(model_name);
    const Policy policy = uniform_policy(model.graph.quantizable_layers().size(), 8, 8);
    flow::BuildOptions options;
    options.compile.timing_only = true;
    const flow::Build built = flow::build(model, policy, arch, options);
    const double t1 = now_seconds();
    write_image_file(built.compiled.image, path);
    FirmwareImage image = read_image_file(path);
    const double t2 = now_seconds();
    pipeline.load(std::move(image), path);
    const RunResult result = pipeline.run(RunMode::Timing);
    const double t3 = now_seconds();
    ps = result.report.picoseconds;
    if (t3 - t0 < best) best = t3 - t0, best_compile = t1 - t0, best_io = t2 - t1, best_run = t3 - t2;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f) {
      std::fseek(f, 0, SEEK_END);
      image_bytes = size_t(std::ftell(f));
      std::fclose(f);
    }
  }
  std::remove(path.c_str());
  const double rss = peak_rss_mb();
  std::printf("%s W8A8 on %s: simulated %.6f s\n", model_name.c_str(), preset.c_str(), double(ps) * 1e-12);
  std::printf("  elaborate SoC %.3f s (once per process)\n", t_elab);
  std::printf("  compile %.3f s + image write/read %.3f s (%zu bytes) + timing run %.3f s = %.3f s (best of %d)\n",
              best_compile, best_io, image_bytes, best_run, best, rounds);
  std::printf("  with elaboration: %.3f s; goal < %.1f s: %.2fx of the goal\n", best + t_elab, goal_seconds,
              (best + t_elab) / goal_seconds);
  std::printf("  peak RSS %.1f MB", rss);
  if (goal_mb > 0) std::printf("; goal < %.0f MB: %.2fx of the goal", goal_mb, rss / goal_mb);
  std::printf("\n");
  return 0;
}

// (c) the functional VP vs the integer reference on the same images.
int lenet5_functional(bool quick) {
  const ArchConfig arch = load_arch_config(arch_path("default"));
  flow::Pipeline pipeline(arch);
  const ModelFile model = load_model_spec("lenet5", 1);
  pipeline.load(flow::build(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8), arch), "lenet5");
  const QuantizedNetwork& q = pipeline.loaded().network;
  Soc& soc = pipeline.soc();
  const int n = quick ? 200 : 2000;
  std::mt19937 rng(3);
  const QTensor& t = q.input_tensor();
  std::uniform_int_distribution<int> v(t.lo(), t.hi());
  std::vector<std::vector<int8_t>> images(static_cast<size_t>(n));
  std::vector<std::vector<uint8_t>> bytes(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    images[size_t(i)].resize(size_t(t.shape.size()));
    for (auto& e : images[size_t(i)]) e = int8_t(v(rng));
    bytes[size_t(i)] = input_bytes(q, images[size_t(i)]);
  }
  ReferenceExecutor reference(q);
  int mismatches = 0;
  uint64_t cycles = 0;
  double best_vp = 1e9, best_ref = 1e9;
  for (int round = 0; round < 3; ++round) {  // alternate, best of three
    std::vector<std::vector<int32_t>> ref_out(static_cast<size_t>(n));
    double t0 = now_seconds();
    for (int i = 0; i < n; ++i) ref_out[size_t(i)] = reference.run(images[size_t(i)]);
    best_ref = std::min(best_ref, now_seconds() - t0);
    t0 = now_seconds();
    for (int i = 0; i < n; ++i) {
      const RunResult r = soc.run(RunMode::Functional, {bytes[size_t(i)]});
      cycles = r.report.cycles;
      if (output_values(pipeline.image(), r.outputs[0]) != ref_out[size_t(i)]) ++mismatches;
    }
    best_vp = std::min(best_vp, now_seconds() - t0);
  }
  std::printf("lenet5 W8A8 on default, %d images (%llu simulated cycles each):\n", n, (unsigned long long)cycles);
  std::printf("  integer reference %.1f us/image, functional VP %.1f us/image (run + output check)\n",
              best_ref / n * 1e6, best_vp / n * 1e6);
  std::printf("  VP / reference = %.2fx (goal <= 2x); %d outputs differ from the reference\n", best_vp / best_ref,
              mismatches);
  return mismatches == 0 ? 0 : 1;
}

// (d, e) the search loop's cost per policy: quantize + compile + timing run.
int search_step(const std::string& model_name, const std::string& preset, bool quick) {
  const ArchConfig arch = load_arch_config(arch_path(preset));
  flow::Pipeline pipeline(arch);
  const ModelFile model = load_model_structure(model_name);
  const size_t layers = model.graph.quantizable_layers().size();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> bits(2, 8);
  auto evaluate = [&](const Policy& policy) {
    flow::BuildOptions options;
    options.compile.timing_only = true;
    pipeline.load(flow::build(model, policy, arch, options), model_name);
    return pipeline.time().inference_cycles;
  };
  const Policy w8a8 = uniform_policy(layers, 8, 8);
  const int n = quick ? 5 : 40;
  double t0 = now_seconds();
  uint64_t base = 0;
  for (int i = 0; i < n; ++i) base = evaluate(w8a8);
  const double uniform_s = (now_seconds() - t0) / n;
  double ratio_sum = 0, best_ratio = 1e9;
  t0 = now_seconds();
  for (int i = 0; i < n; ++i) {
    Policy p;
    for (size_t l = 0; l < layers; ++l) p.weight_bits.push_back(bits(rng)), p.activation_bits.push_back(bits(rng));
    const double ratio = double(evaluate(p)) / double(base);
    ratio_sum += ratio;
    best_ratio = std::min(best_ratio, ratio);
  }
  const double mixed_s = (now_seconds() - t0) / n;
  std::printf("%s on %s, %d random policies (bits 2..8):\n", model_name.c_str(), preset.c_str(), n);
  std::printf("  %.1f ms per policy (quantize + compile + timing run), %.0f policies/s; uniform W8A8 %.1f ms: %.2fx\n",
              mixed_s * 1e3, 1 / mixed_s, uniform_s * 1e3, mixed_s / uniform_s);
  std::printf("  a 600-episode search spends %.0f s here\n", 600 * mixed_s);
  std::printf("  inference cycles vs W8A8: mean %.3f, best %.3f (%.2fx faster)\n", ratio_sum / n, best_ratio,
              1 / best_ratio);
  return 0;
}

int run_part(const std::string& part, bool quick) {
  if (part == "a") return timed_compile_run("vgg16", "cim-aq-paper", quick ? 1 : 3, 2.0, 0);
  if (part == "b") return timed_compile_run("resnet18", "large", quick ? 1 : 3, 0.3, 200);
  if (part == "c") return lenet5_functional(quick);
  if (part == "d") return search_step("vgg16", "cim-aq-paper", quick);
  if (part == "e") return search_step("resnet18", "large", quick);
  std::fprintf(stderr, "compile_bench: unknown part '%s' (a to e)\n", part.c_str());
  return 2;
}

}  // namespace
}  // namespace cimvp

int sc_main(int argc, char** argv) {
  bool quick = false;
  std::string part;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--part") == 0 && i + 1 < argc) part = argv[++i];
  }
  if (!part.empty()) return cimvp::run_part(part, quick);
  // Each part in a fresh process (one SoC per process, its own peak RSS).
  int status = 0;
  for (const char* p : {"a", "b", "c", "d", "e"}) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
      std::vector<const char*> a = {"/proc/self/exe", "--part", p};
      if (quick) a.push_back("--quick");
      a.push_back(nullptr);
      execv("/proc/self/exe", const_cast<char* const*>(a.data()));
      _exit(127);
    }
    int st = 0;
    waitpid(child, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) status = 1;
  }
  return status;
}

int main(int argc, char** argv) { return cimvp::enter_systemc(argc, argv); }
