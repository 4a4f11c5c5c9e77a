// Training speed: lenet5 on Fashion-MNIST at batch 64 on 2 threads, float and
// quantization-aware (W8A8 and W4A4), in images per second; then, if Debian's
// python3-torch is importable by /usr/bin/python3, the PyTorch reference
// (/work/shared/reference/torch_lenet5.py, or $CIMVP_TORCH_REFERENCE) in the
// same run and the ratio cimvp / PyTorch.
//   train_bench [STEPS]   (default 600 batches per measurement, best of 3)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nn/dataset.h"
#include "nn/train/network.h"
#include "nn/train/trainer.h"
#include "nn/zoo.h"

using namespace cimvp;

namespace {

double images_per_second(const Dataset& d, const Policy* p, int steps) {
  Graph g = make_model("lenet5", 1);
  Calibration cal;
  if (p) cal = initial_calibration(g, *p, d, 256);
  training::Network net(g, 64, 2, 2, p, p ? &cal : nullptr);
  training::SgdParams sp;
  sp.lr = 0.02f;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < steps; ++b) {
      const size_t off = (size_t(b) * 64) % (d.size() - 64);
      net.forward(d.image(off), 64, true);
      net.loss_backward(d.labels.data() + off);
      net.sgd_step(sp);
    }
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, steps * 64 / dt);
  }
  return best;
}

// Runs the PyTorch reference for one epoch; returns its img/s or 0.
double torch_reference() {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) return 0;
  const char* env = std::getenv("CIMVP_TORCH_REFERENCE");
  const std::string script = env ? env : "/work/shared/reference/torch_lenet5.py";
  FILE* f = popen(("/usr/bin/python3 " + script + " 1 2>&1").c_str(), "r");
  if (!f) return 0;
  char line[512];
  double ips = 0;
  while (std::fgets(line, sizeof line, f)) {
    double s, v;
    int e;
    if (std::sscanf(line, "epoch %d %lf s %lf img/s", &e, &s, &v) == 3) ips = v;
  }
  pclose(f);
  return ips;
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 600;
  const Dataset d = load_dataset("fashion-mnist", Split::Train);
  const double fl = images_per_second(d, nullptr, steps);
  std::printf("cimvp lenet5 float  batch 64, 2 threads: %8.0f img/s\n", fl);
  const Policy w8 = uniform_policy(5, 8, 8), w4 = uniform_policy(5, 4, 4);
  const double q8 = images_per_second(d, &w8, steps);
  std::printf("cimvp lenet5 QAT W8A8 batch 64, 2 threads: %8.0f img/s (%.2fx float)\n", q8, q8 / fl);
  const double q4 = images_per_second(d, &w4, steps);
  std::printf("cimvp lenet5 QAT W4A4 batch 64, 2 threads: %8.0f img/s\n", q4);
  const double torch = torch_reference();
  if (torch > 0)
    std::printf("pytorch lenet5 float batch 64, 2 threads: %8.0f img/s   ratio cimvp/pytorch %.2f\n", torch,
                fl / torch);
  else
    std::printf("pytorch reference not run (/usr/bin/python3 cannot import torch: apt-get install python3-torch)\n");
  return 0;
}
