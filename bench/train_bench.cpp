// Training and evaluation speed against PyTorch, measured in the same run.
//
//   train_bench [--quick] [--part lenet5|vgg|eval] [--reference DIR] [--reps N]
//
// Parts (all by default):
//   lenet5  lenet5 training at batch 64 on 2 threads, float and
//           quantization-aware (W8A8, W4A4), 600 batches per measurement;
//           PyTorch: torch_lenet5.py, one epoch.
//   vgg     vgg-small training at batch 64 on 2 threads over the first 6,400
//           Fashion-MNIST training images, float and QAT W4A4; PyTorch:
//           torch_vgg_small.py 6400 and torch_vgg_small.py 6400 --qat
//           (per-tensor fake quantization at 4 bits).
//   eval    vgg-small evaluation of the 10,000 test images (cimvp's
//           evaluate(): float, fake-quant and integer reference, 2 threads) on
//           the shipped models pretrained/vgg-small-fmnist-{float,w4a4}.cimvp;
//           PyTorch: torch_vgg_small.py --infer (inference at batch 256).
// Every number is the best of --reps runs (default 3); cimvp and PyTorch
// alternate run by run (a shared machine's load changes by the minute), and
// every ratio is cimvp / PyTorch from this run. PyTorch runs when
// /usr/bin/python3 can import torch (Debian's python3-torch). The reference
// scripts are looked up in --reference DIR, else $CIMVP_TORCH_REFERENCE_DIR,
// else ../shared/reference next to the source tree (CIMVP_SOURCE_DIR/..).
// --quick: fewer batches and one run each, for a smoke test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common/seconds_since.h"
#include "nn/dataset.h"
#include "nn/graph.h"
#include "nn/model_file.h"
#include "nn/train/network.h"
#include "nn/train/trainer.h"
#include "nn/zoo.h"

using namespace cimvp;

namespace {

struct Options {
  bool quick = false;
  std::string part;  // empty: all
  std::string reference_dir;
  int reps = 3;
};

// Training at batch 64 (forward, backward, SGD step) cycling through the
// first `images` images; once() times `steps` batches in images per second.
struct TrainRun {
  const Dataset& d;
  int steps;
  size_t batches;
  Graph g;
  Calibration cal;
  std::unique_ptr<training::Network> net;
  training::SgdParams sp;

  TrainRun(const std::string& model, const Dataset& data, const Policy* p, int n_steps, size_t images)
      : d(data), steps(n_steps), batches(std::max<size_t>(1, std::min(images, data.size()) / 64)) {
    g = make_model(model, 1);
    if (p) g = fold_batch_norm(g);  // QAT trains the folded graph, as the trainer does
    if (p) cal = initial_calibration(g, *p, d, 256);
    net = std::make_unique<training::Network>(g, 64, 2, 2, p, p ? &cal : nullptr);
    sp.lr = 0.02f;
  }
  double once() {
    const auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < steps; ++b) {
      const size_t off = (size_t(b) % batches) * 64;
      net->forward(d.image(off), 64, true);
      net->loss_backward(d.labels.data() + off);
      net->sgd_step(sp);
    }
    return steps * 64 / seconds_since(t0);
  }
};

// Runs a reference script `reps` times; returns the best images per second
// it printed (the number before "img/s" on its last such line), or 0.
double torch_speed(const Options& o, const std::string& script, const std::string& args, int reps = 1) {
  static const bool have_torch = std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
  if (!have_torch) return 0;
  const std::string path = o.reference_dir + "/" + script;
  double best = 0;
  for (int rep = 0; rep < reps; ++rep) {
    FILE* f = popen(("/usr/bin/python3 '" + path + "' " + args + " 2>&1").c_str(), "r");
    if (!f) return 0;
    char line[1024];
    double ips = 0;
    while (std::fgets(line, sizeof line, f)) {
      const char* unit = std::strstr(line, " img/s");
      if (!unit) continue;
      const char* start = unit;
      while (start > line && start[-1] != ' ') --start;
      ips = std::atof(start);
    }
    if (pclose(f) != 0) {
      std::printf("  (reference %s %s failed)\n", path.c_str(), args.c_str());
      return 0;
    }
    best = std::max(best, ips);
  }
  return best;
}

void report(const char* what, double cimvp, double torch) {
  if (torch > 0)
    std::printf("%-44s cimvp %7.0f img/s   pytorch %7.0f img/s   ratio %.2f\n", what, cimvp, torch, cimvp / torch);
  else
    std::printf("%-44s cimvp %7.0f img/s   pytorch not run\n", what, cimvp);
  std::fflush(stdout);
}

// cimvp and PyTorch alternate, rep after rep, so that both see the same
// phases of a shared machine's load; each keeps its best.
struct Best {
  double cimvp = 0, torch = 0;
};
template <typename Cimvp, typename Torch>
Best alternate(int reps, Cimvp cimvp, Torch torch) {
  Best b;
  for (int rep = 0; rep < reps; ++rep) {
    b.cimvp = std::max(b.cimvp, cimvp());
    b.torch = std::max(b.torch, torch());
  }
  return b;
}

void lenet5_part(const Options& o) {
  const Dataset d = load_dataset("fashion-mnist", Split::Train);
  const int steps = o.quick ? 60 : 600;
  const Policy w8 = uniform_policy(5, 8, 8), w4 = uniform_policy(5, 4, 4);
  TrainRun fl("lenet5", d, nullptr, steps, d.size()), q8("lenet5", d, &w8, steps, d.size()),
      q4("lenet5", d, &w4, steps, d.size());
  double best8 = 0, best4 = 0;
  const Best b = alternate(
      o.reps,
      [&] {
        best8 = std::max(best8, q8.once());
        best4 = std::max(best4, q4.once());
        return fl.once();
      },
      [&] { return torch_speed(o, "torch_lenet5.py", "1"); });
  report("lenet5 train float, batch 64, 2 threads", b.cimvp, b.torch);
  report("lenet5 train QAT W8A8 (pytorch: float)", best8, b.torch);
  report("lenet5 train QAT W4A4 (pytorch: float)", best4, b.torch);
}

void vgg_part(const Options& o) {
  const Dataset d = load_dataset("fashion-mnist", Split::Train);
  const size_t images = 6400;
  const int steps = o.quick ? 20 : int(images / 64);
  const Policy w4 = uniform_policy(make_model("vgg-small", 1).quantizable_layers().size(), 4, 4);
  TrainRun fl("vgg-small", d, nullptr, steps, images);
  const Best bf = alternate(o.reps, [&] { return fl.once(); },
                            [&] { return torch_speed(o, "torch_vgg_small.py", std::to_string(images)); });
  report("vgg-small train float, batch 64, 2 threads", bf.cimvp, bf.torch);
  TrainRun q4("vgg-small", d, &w4, steps, images);
  const Best bq = alternate(o.reps, [&] { return q4.once(); },
                            [&] { return torch_speed(o, "torch_vgg_small.py", std::to_string(images) + " --qat"); });
  report("vgg-small train QAT W4A4, batch 64, 2 threads", bq.cimvp, bq.torch);
}

void eval_part(const Options& o) {
  const std::string dir = std::string(CIMVP_SOURCE_DIR) + "/pretrained/";
  const ModelFile fl = load_model_file(dir + "vgg-small-fmnist-float.cimvp");
  const ModelFile q4 = load_model_file(dir + "vgg-small-fmnist-w4a4.cimvp");
  Dataset test = load_dataset("fashion-mnist", Split::Test);
  if (o.quick) test = test.head(2000);
  double f = 0, fq = 0, in = 0, acc[3] = {0, 0, 0};
  auto speed = [&](const ModelFile& m, EvalMode mode, double& best, double& accuracy) {
    const EvalResult r = evaluate(m, test, mode, 2);
    best = std::max(best, double(r.images) / r.seconds);
    accuracy = r.accuracy;
  };
  const Best b = alternate(
      o.reps,
      [&] {
        speed(fl, EvalMode::Float, f, acc[0]);
        speed(q4, EvalMode::FakeQuant, fq, acc[1]);
        speed(q4, EvalMode::Integer, in, acc[2]);
        return f;
      },
      [&] { return torch_speed(o, "torch_vgg_small.py", "--infer"); });
  std::printf("  accuracy: float %.2f %%, fake-quant W4A4 %.2f %%, integer W4A4 %.2f %%\n", 100 * acc[0],
              100 * acc[1], 100 * acc[2]);
  const std::string n = std::to_string(test.size());
  report(("vgg-small eval float, " + n + " images").c_str(), f, b.torch);
  report(("vgg-small eval fake-quant W4A4, " + n + " images").c_str(), fq, b.torch);
  report(("vgg-small eval integer W4A4, " + n + " images").c_str(), in, b.torch);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("CIMVP_TORCH_REFERENCE_DIR")) o.reference_dir = env;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if ((a == "--part" || a == "--reference" || a == "--reps") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--part") o.part = v;
      if (a == "--reference") o.reference_dir = v;
      if (a == "--reps") o.reps = std::max(1, std::atoi(v.c_str()));
    } else {
      std::fprintf(stderr, "usage: train_bench [--quick] [--part lenet5|vgg|eval] [--reference DIR] [--reps N]\n");
      return 2;
    }
  }
  if (o.reference_dir.empty()) o.reference_dir = std::string(CIMVP_SOURCE_DIR) + "/../shared/reference";
  if (o.quick) o.reps = 1;
  if (o.part != "" && o.part != "lenet5" && o.part != "vgg" && o.part != "eval") {
    std::fprintf(stderr, "unknown part '%s' (lenet5, vgg, eval)\n", o.part.c_str());
    return 2;
  }
  std::printf("PyTorch reference scripts: %s\n", o.reference_dir.c_str());
  try {
    if (o.part.empty() || o.part == "lenet5") lenet5_part(o);
    if (o.part.empty() || o.part == "vgg") vgg_part(o);
    if (o.part.empty() || o.part == "eval") eval_part(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
