// cimvp train: float training or quantization-aware training (QAT) of a zoo
// model, a model file or an ONNX model on Fashion-MNIST or MNIST, with a
// progress bar on stderr, a validation line per epoch on stdout, and a
// checkpoint after every epoch (OUTPUT.ckpt + OUTPUT.ckpt.state) so that a
// killed run continues with --resume. docs/training.md, docs/pretrained.md.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>

#include "apps/command.h"
#include "common/error.h"
#include "common/progress_bar.h"
#include "config/arch_config.h"
#include "models/device/programmed_weight_error.h"
#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/train/trainer.h"

namespace cimvp::cli {

namespace {

// One progress line on stderr, rewritten with \r (at most 5 times a second
// on a terminal, every 10 s when stderr is a file); epoch lines on stdout.
class ConsoleProgress : public ProgressSink {
 public:
  ConsoleProgress() : tty_(isatty(fileno(stderr)) != 0), interval_(tty_ ? 0.2 : 10.0) {}

  void on_batch(const BatchProgress& p) override {
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.batch + 1 == p.batches;
    if (!last && std::chrono::duration<double>(now - last_print_).count() < interval_) return;
    last_print_ = now;
    const int width = 24;
    const int filled = p.batches ? int(double(width) * double(p.batch + 1) / double(p.batches)) : width;
    std::string bar(size_t(filled), '=');
    if (filled < width) bar += '>' + std::string(size_t(width - filled - 1), ' ');
    std::fprintf(stderr, "\repoch %d/%d [%s] batch %zu/%zu  loss %.4f  acc %5.2f %%  %.0f img/s  %s left   ",
                 p.epoch + 1, p.epochs, bar.c_str(), p.batch + 1, p.batches, p.loss, 100 * p.accuracy,
                 p.images_per_second, duration_text(p.seconds_left).c_str());
    if (!tty_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
    open_line_ = tty_;
  }

  void on_epoch(const EpochReport& r) override {
    end_line();
    std::printf("epoch %d/%d: train loss %.4f, train accuracy %.2f %%", r.epoch + 1, r.epochs, r.train_loss,
                100 * r.train_accuracy);
    if (r.validation_accuracy >= 0) std::printf(", validation accuracy %.2f %%", 100 * r.validation_accuracy);
    std::printf(", %.1f s, %.0f img/s%s\n", r.seconds, r.images_per_second,
                r.checkpoint.empty() ? "" : (", checkpoint " + r.checkpoint).c_str());
    std::fflush(stdout);
  }

  void on_message(const std::string& m) override {
    end_line();
    std::printf("%s\n", m.c_str());
    std::fflush(stdout);
  }

 private:
  void end_line() {
    if (open_line_) std::fprintf(stderr, "\n");
    open_line_ = false;
  }
  bool tty_;
  double interval_;
  bool open_line_ = false;
  std::chrono::steady_clock::time_point last_print_{};
};

void remove_file(const std::string& path) { std::remove(path.c_str()); }

// --arch: the error the architecture's programming variation puts on each
// weight value at every weight bit width of the policy, and what it models.
void set_weight_noise(const std::string& path, TrainOptions& o) {
  if (!o.policy)
    throw Error("--arch " + path + ": noise-aware training trains the quantized weights the crossbar stores: give "
                "--bits or --policy (or --from a quantized model)");
  const ArchConfig arch = load_arch_config(path);
  if (!(arch.device.program_sigma > 0))
    throw Error(path + ": device.program_sigma is 0: the architecture has no programming variation for --arch to "
                "train against (set device.program_sigma above 0)");
  for (int bits : o.policy->weight_bits) {
    if (o.weight_noise.count(bits)) continue;
    training::WeightErrorTable t;
    for (int q = -(1 << (bits - 1)); q < (1 << (bits - 1)); ++q) {
      const WeightError e = programmed_weight_error(arch.crossbar, arch.device, bits, q);
      t.mean.push_back(float(e.mean));
      t.std_dev.push_back(float(e.std_dev));
    }
    o.weight_noise[bits] = std::move(t);
  }
  auto number = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return std::string(b);
  };
  o.noise_source = "programming variation of architecture '" + arch.name + "' (" + path + "): device.program_sigma " +
                   number(arch.device.program_sigma) + " " + arch.device.program_distribution + ", device.on_off_ratio " +
                   number(arch.device.on_off_ratio) + ", crossbar.cell_bits " +
                   std::to_string(arch.crossbar.cell_bits) + ", crossbar.mapping " + mapping_name(arch.crossbar.mapping);
  DeviceParams others = arch.device;
  others.program_sigma = 0;
  others.on_off_ratio = 0;
  if (!others.ideal())
    std::printf("note: --arch trains against %s's programming variation only, not its other device effects\n",
                arch.name.c_str());
}

}  // namespace

int cmd_train(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()
      ("model", po::value<std::string>(), "zoo name, model file or ONNX file to start from")
      ("from", po::value<std::string>(), "model file to start from (e.g. a float model for QAT); replaces --model")
      ("dataset", po::value<std::string>()->required(), "fashion-mnist | mnist")
      ("policy", po::value<std::string>(), "QAT at this policy YAML")
      ("bits", po::value<std::string>(), "QAT at this uniform policy, e.g. w8a8")
      ("epochs", po::value<int>()->required(), "epochs")
      ("output,o", po::value<std::string>()->required(), "model file to write")
      ("batch", po::value<int>()->default_value(64), "batch size")
      ("lr", po::value<float>(), "peak learning rate, cosine-annealed to 0 (default 0.05 float, 0.005 QAT)")
      ("momentum", po::value<float>()->default_value(0.9f), "SGD momentum")
      ("weight-decay", po::value<float>()->default_value(5e-4f), "L2 weight decay on conv/dense weights")
      ("constant-lr", "no cosine annealing")
      ("augment", "augment the training images: random left-right flips and shifts")
      ("augment-shift", po::value<int>()->default_value(2), "with --augment: largest shift in pixels (0..8)")
      ("distill", po::value<std::string>(), "knowledge distillation from this teacher (a model file or zoo name, run in float)")
      ("distill-weight", po::value<float>()->default_value(0.5f), "with --distill: weight of the teacher's term (0..1)")
      ("distill-temperature", po::value<float>()->default_value(1.f), "with --distill: softmax temperature (> 0)")
      ("nonnegative-input", "quantize the network input unsigned (every image value is >= 0): one more level per bit")
      ("seed", po::value<uint64_t>()->default_value(1), "initial weights (zoo models) and shuffling")
      ("threads", po::value<int>()->default_value(2), "threads (results do not depend on it)")
      ("train-images", po::value<size_t>()->default_value(0), "use only the first N training images (0: all 55,000)")
      ("no-validate", "skip the validation split after each epoch")
      ("resume", "continue a killed run from OUTPUT.ckpt")
      ("arch", po::value<std::string>(),
       "noise-aware training: with QAT, add this architecture's programming variation (device.program_sigma) to "
       "the weights in every training forward")
      ("noise-scale", po::value<float>(), "with --arch: multiply the injected noise's standard deviation (default 1)")
      ("scale-lr-factor", po::value<float>()->default_value(1.f),
       "QAT: learning rate of the learned quantization scales (weight scales, activation step sizes) relative to "
       "--lr; below 1 steadies noise-aware training, whose weight-scale gradient carries the injected noise");
  po::variables_map vm;
  if (!parse("train",
             "--model M --dataset D [--policy P.yaml | --bits wXaY] [--from MODEL-FILE] --epochs N -o MODEL-FILE "
             "[--batch 64] [--lr LR] [--seed S] [--threads 2] [--resume]",
             options, {}, args, vm))
    return 0;
  if (!vm.count("model") && !vm.count("from")) throw Error("give --model (zoo name, model file, ONNX file) or --from");
  TrainOptions o;
  o.dataset = vm["dataset"].as<std::string>();
  o.epochs = vm["epochs"].as<int>();
  o.batch = vm["batch"].as<int>();
  o.momentum = vm["momentum"].as<float>();
  o.weight_decay = vm["weight-decay"].as<float>();
  o.cosine = !vm.count("constant-lr");
  o.augment = vm.count("augment") > 0;
  o.augment_shift = vm["augment-shift"].as<int>();
  o.seed = vm["seed"].as<uint64_t>();
  o.threads = vm["threads"].as<int>();
  if (o.threads < 1 || o.threads > 64) throw Error("--threads must be in 1..64");
  o.train_images = vm["train-images"].as<size_t>();
  o.validate = !vm.count("no-validate");
  o.resume = vm.count("resume") > 0;
  const std::string output = vm["output"].as<std::string>();
  o.checkpoint = output + ".ckpt";

  const std::string spec = vm.count("from") ? vm["from"].as<std::string>() : vm["model"].as<std::string>();
  if (vm.count("from")) o.from = spec;
  o.model = spec;
  ModelFile start = vm.count("from") ? load_model_file(spec) : load_model_spec(spec, o.seed);
  std::optional<std::string> policy_file, bits;
  if (vm.count("policy")) policy_file = vm["policy"].as<std::string>();
  if (vm.count("bits")) bits = vm["bits"].as<std::string>();
  if (policy_file || bits || start.has_policy()) o.policy = choose_policy(start, policy_file, bits);
  if (vm.count("noise-scale") && !vm.count("arch")) throw Error("--noise-scale needs --arch");
  if (vm.count("noise-scale")) {
    o.noise_scale = vm["noise-scale"].as<float>();
    if (!(o.noise_scale > 0 && o.noise_scale <= 100))
      throw Error("--noise-scale must be in (0, 100], got " + std::to_string(o.noise_scale));
  }
  if (vm.count("arch")) set_weight_noise(vm["arch"].as<std::string>(), o);
  o.lr = vm.count("lr") ? vm["lr"].as<float>() : (o.policy ? 0.005f : 0.05f);
  o.scale_lr_factor = vm["scale-lr-factor"].as<float>();
  if (!(o.scale_lr_factor > 0 && o.scale_lr_factor <= 10))
    throw Error("--scale-lr-factor must be in (0, 10], got " + std::to_string(o.scale_lr_factor));
  if (vm.count("distill")) {
    o.teacher_name = vm["distill"].as<std::string>();
    o.teacher = std::make_shared<const ModelFile>(load_model_spec(o.teacher_name, o.seed));
    o.distill_weight = vm["distill-weight"].as<float>();
    o.distill_temperature = vm["distill-temperature"].as<float>();
    if (!(o.distill_weight >= 0 && o.distill_weight <= 1)) throw Error("--distill-weight must be in 0..1");
    if (!(o.distill_temperature > 0)) throw Error("--distill-temperature must be above 0");
  }

  const TrainData data = load_train_data(o.dataset);
  if (vm.count("nonnegative-input")) mark_input_nonnegative(start, data.train);
  if (!o.weight_noise.empty()) std::printf("noise-aware: %s, noise scale %g\n", o.noise_source.c_str(), double(o.noise_scale));
  std::printf("training %s on %s (%zu of %zu training images, %zu validation) %s, %d epochs, batch %d, lr %g%s, seed %llu\n",
              start.graph.name.c_str(), o.dataset.c_str(),
              o.train_images ? std::min(o.train_images, data.train.size()) : data.train.size(), data.train.size(),
              o.validate ? data.validation.size() : size_t(0),
              o.policy ? ("QAT at " + o.policy->str()).c_str() : "float", o.epochs, o.batch, double(o.lr),
              o.cosine ? " cosine" : "", (unsigned long long)o.seed);
  std::fflush(stdout);
  ConsoleProgress progress;
  const auto t0 = std::chrono::steady_clock::now();
  ModelFile result = train(start, data, o, progress);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ostringstream command;
  command << "cimvp train";
  for (const auto& a : args) command << ' ' << a;
  result.metadata["command"] = command.str();
  result.metadata["train.seconds_last_run"] = std::to_string(int(seconds + 0.5));
  save_model_file(result, output);
  remove_file(o.checkpoint);
  remove_file(o.checkpoint + ".state");
  std::printf("wrote %s (%s, %.0f s)\n", output.c_str(), o.policy ? o.policy->str().c_str() : "float", seconds);
  return 0;
}

}  // namespace cimvp::cli
