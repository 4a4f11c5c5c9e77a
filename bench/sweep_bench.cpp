// Speed of co-design sweeps (docs/benchmarks.md):
//  (a) one vgg-small point on default.yaml: `cimvp sweep-worker` as the sweep
//      runs it (process start, SystemC elaboration, quantize, compile timing
//      only, timing run, energy and area), wall time, best of 5. Goal < 0.5 s.
//  (b) the 108-point configs/sweeps/vgg-small-xbar.yaml with --jobs 1 and
//      --jobs 2 in the same run: the ratio of wall times (2 cores fully
//      used: ~0.5), points per second, and the CPU time of the --jobs 2 run
//      over its wall time (cores busy on average).
// Usage: sweep_bench [--quick]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Runs `command` through the shell, output discarded; its wall time.
// CPU seconds (user + system) of every child process waited for so far.
double children_cpu() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double timed(const std::string& command) {
  const double t0 = now();
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  if (status != 0) std::fprintf(stderr, "sweep_bench: '%s' failed (%d)\n", command.c_str(), status);
  return now() - t0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::string cimvp = CIMVP_BINARY;
  const std::string sweep = std::string(CIMVP_SOURCE_DIR) + "/configs/sweeps/vgg-small-xbar.yaml";
  const std::string out = "/tmp/sweep_bench_" + std::to_string(getpid());

  double best = 1e9;
  for (int i = 0; i < (quick ? 2 : 5); ++i)
    best = std::min(best, timed(cimvp + " sweep-worker --config " + sweep + " --point 0"));
  std::printf("(a) one vgg-small point (new process, elaborate, compile timing only, run, energy, area): %.3f s wall "
              "(best of %d); goal < 0.5 s: %.2fx of the goal\n", best, quick ? 2 : 5, best / 0.5);

  const double one = timed(cimvp + " sweep --no-progress --config " + sweep + " -o " + out + "_1 --jobs 1");
  const double cpu0 = children_cpu();
  const double two = timed(cimvp + " sweep --no-progress --config " + sweep + " -o " + out + "_2 --jobs 2");
  const double cpu2 = children_cpu() - cpu0;
  std::printf("(b) vgg-small-xbar.yaml, 108 points: --jobs 1 %.2f s (%.0f points/s), --jobs 2 %.2f s (%.0f points/s)\n",
              one, 108 / one, two, 108 / two);
  std::printf("    wall(--jobs 2) / wall(--jobs 1) = %.2f (0.5 = both cores fully used)\n", two / one);
  std::printf("    --jobs 2: %.2f CPU seconds in %.2f s wall = %.2f cores busy on average (the machine has %ld)\n", cpu2,
              two, cpu2 / two, sysconf(_SC_NPROCESSORS_ONLN));
  std::system(("rm -rf " + out + "_1 " + out + "_2").c_str());
  return 0;
}
