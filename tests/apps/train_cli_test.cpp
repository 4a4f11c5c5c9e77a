// `cimvp train`, `cimvp eval` and `cimvp export` as users meet them: the real
// binary on tiny runs (a few hundred Fashion-MNIST images, lenet5), the
// checkpoint that survives a kill, reports checked against the integer
// reference run here, the ONNX QDQ round trip, and the messages for bad input.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <signal.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <nlohmann/json.hpp>

#include "nn/dataset.h"
#include "nn/model_file.h"
#include "nn/model_source.h"
#include "nn/quant.h"
#include "nn/reference.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

using test::cimvp;
using test::Outcome;

std::string temp(const std::string& name) { return test::temp_path("train_cli_", name); }

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_bytes(path)); }

// The integer reference's predictions for the first n test images, computed
// here from the model file (not through `cimvp eval`).
std::vector<int> reference_predictions(const ModelFile& m, const Dataset& test, size_t n) {
  const Graph g = has_batch_norm(m.graph) ? fold_batch_norm(m.graph) : m.graph;
  const QuantizedNetwork q = quantize(g, m.policy, m.calibration);
  ReferenceExecutor ex(q);
  std::vector<int> p;
  for (size_t i = 0; i < n; ++i) p.push_back(argmax(ex.run(quantize_input(q, test.image_vector(i)))));
  return p;
}

double accuracy_of(const std::vector<int>& p, const Dataset& d) {
  size_t c = 0;
  for (size_t i = 0; i < p.size(); ++i) c += p[i] == d.labels[i];
  return double(c) / double(p.size());
}

// A tiny trained float lenet5 and its W8A8 QAT fine-tuning, made once per process.
const std::string& tiny_float() {
  static const std::string path = [] {
    const std::string p = temp("float.cimvp");
    const Outcome o = cimvp("train --model lenet5 --dataset fashion-mnist --epochs 1 --train-images 512 --batch 16 "
                            "--no-validate --seed 3 -o " + p);
    EXPECT_EQ(o.status, 0) << o.output;
    return p;
  }();
  return path;
}
const std::string& tiny_w8a8() {
  static const std::string path = [] {
    const std::string p = temp("w8a8.cimvp");
    const Outcome o = cimvp("train --from " + tiny_float() + " --bits w8a8 --dataset fashion-mnist --epochs 1 "
                            "--train-images 256 --no-validate -o " + p);
    EXPECT_EQ(o.status, 0) << o.output;
    return p;
  }();
  return path;
}

TEST(TrainCli, CommandsAreListedWithHelp) {
  const Outcome o = cimvp("--help");
  for (const char* c : {"train", "eval", "export"}) EXPECT_THAT(o.output, HasSubstr(c));
  for (const char* c : {"train", "eval", "export"}) {
    const Outcome h = cimvp(std::string(c) + " --help");
    EXPECT_EQ(h.status, 0) << c;
    EXPECT_THAT(h.output, HasSubstr("--model"));
  }
  EXPECT_NE(cimvp("train --model lenet5 --dataset fashion-mnist").status, 0);  // --epochs and -o required
}

TEST(TrainCli, TrainsWithProgressAndValidation) {
  const std::string out = temp("progress.cimvp");
  const Outcome o = cimvp("train --model lenet5 --dataset fashion-mnist --epochs 2 --train-images 384 --batch 32 "
                          "--seed 5 -o " + out);
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("epoch 1/2 ["));
  EXPECT_THAT(o.output, HasSubstr("img/s"));
  EXPECT_THAT(o.output, HasSubstr("left"));
  EXPECT_THAT(o.output, HasSubstr("epoch 2/2: train loss"));
  EXPECT_THAT(o.output, HasSubstr("validation accuracy"));
  const ModelFile m = load_model_file(out);
  EXPECT_FALSE(m.has_policy());
  EXPECT_EQ(m.metadata.at("dataset"), "fashion-mnist");
  EXPECT_EQ(m.metadata.at("train.epochs_done"), "2");
  EXPECT_THAT(m.metadata.at("command"), HasSubstr("--train-images 384"));
  const double val = std::stod(m.metadata.at("validation_accuracy"));
  EXPECT_GT(val, 0.5);  // 2 epochs on 384 images beat chance (0.1) by far
  EXPECT_FALSE(fs::exists(out + ".ckpt"));  // the checkpoint is removed after a finished run
}

TEST(TrainCli, KilledRunResumesToTheSameWeights) {
  const std::string args = "train --model lenet5 --dataset fashion-mnist --epochs 12 --train-images 256 --no-validate "
                           "--seed 9 --threads 1 ";
  const std::string whole = temp("whole.cimvp"), killed = temp("killed.cimvp");
  for (const auto& f : std::vector<std::string>{killed, killed + ".ckpt", killed + ".ckpt.state"}) fs::remove(f);
  // Start a run in the background and kill it once its first checkpoint exists.
  const std::string pid_file = temp("pid");
  ASSERT_EQ(std::system((std::string(CIMVP_BINARY) + " " + args + "-o " + killed + " >/dev/null 2>&1 & echo $! > " +
                         pid_file).c_str()), 0);
  const auto t0 = std::chrono::steady_clock::now();
  while (!fs::exists(killed + ".ckpt") && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const pid_t pid = pid_t(std::stol(read_bytes(pid_file)));
  ASSERT_EQ(kill(pid, SIGKILL), 0) << "the run ended before it could be killed";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(fs::exists(killed + ".ckpt"));
  ASSERT_FALSE(fs::exists(killed)) << "the run finished before the kill";
  const int done = std::stoi(load_model_file(killed + ".ckpt").metadata.at("train.epochs_done"));
  ASSERT_LT(done, 12);

  const Outcome resumed = cimvp(args + "--resume -o " + killed);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resuming " + killed + ".ckpt after epoch "));
  EXPECT_THAT(resumed.output, Not(HasSubstr("epoch 1/12:")));
  const Outcome straight = cimvp(args + "-o " + whole);
  ASSERT_EQ(straight.status, 0) << straight.output;
  ModelFile a = load_model_file(whole), b = load_model_file(killed);
  a.metadata.clear();
  b.metadata.clear();
  EXPECT_EQ(serialize_model(a), serialize_model(b)) << "resumed after epoch " << done;
}

TEST(TrainCli, ResumeRefusesAnotherRunsCheckpoint) {
  const std::string out = temp("other.cimvp");
  fs::copy_file(tiny_float(), out + ".ckpt", fs::copy_options::overwrite_existing);
  const Outcome o = cimvp("train --model lenet5 --dataset fashion-mnist --epochs 3 --train-images 512 --batch 16 "
                          "--no-validate --seed 3 --resume -o " + out);
  EXPECT_EQ(o.status, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("checkpoint of another run: train.epochs is '1'"));
}

TEST(TrainCli, EvalReportsEveryModeAndMatchesTheIntegerReference) {
  const std::string report = temp("eval.json");
  const Outcome o = cimvp("eval --model " + tiny_w8a8() + " --dataset fashion-mnist --count 300 --report " + report);
  ASSERT_EQ(o.status, 0) << o.output;
  for (const char* mode : {"float", "fake-quant", "integer"}) EXPECT_THAT(o.output, HasSubstr(mode));
  const nlohmann::json j = read_json(report);
  EXPECT_EQ(j.at("images"), 300);
  const ModelFile m = load_model_file(tiny_w8a8());
  ASSERT_TRUE(m.has_policy());
  const Dataset test = load_dataset("fashion-mnist", Split::Test);
  const double expected = accuracy_of(reference_predictions(m, test, 300), test);
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), expected);
  EXPECT_DOUBLE_EQ(j.at("accuracies").at("integer").get<double>(), expected);
  EXPECT_GT(j.at("accuracies").at("float").get<double>(), 0.3);  // chance is 0.1
  EXPECT_GT(j.at("accuracies").at("fake-quant").get<double>(), 0.3);

  // A float model: float accuracy only, unless bits are given (calibrated then).
  const Outcome f = cimvp("eval --model " + tiny_float() + " --dataset fashion-mnist --count 200 --report " + report);
  ASSERT_EQ(f.status, 0) << f.output;
  EXPECT_THAT(f.output, Not(HasSubstr("integer")));
  const nlohmann::json jf = read_json(report);
  EXPECT_EQ(jf.at("accuracies").size(), 1u);
  EXPECT_DOUBLE_EQ(jf.at("accuracy").get<double>(), jf.at("accuracies").at("float").get<double>());
  const Outcome fb = cimvp("eval --model " + tiny_float() + " --dataset fashion-mnist --count 200 --bits w4a4");
  ASSERT_EQ(fb.status, 0) << fb.output;
  EXPECT_THAT(fb.output, HasSubstr("calibrating"));
  EXPECT_THAT(fb.output, HasSubstr("integer"));
}

TEST(TrainCli, ExportedOnnxGivesTheSamePredictions) {
  const std::string onnx = temp("w8a8.onnx");
  const Outcome e = cimvp("export --model " + tiny_w8a8() + " -o " + onnx);
  ASSERT_EQ(e.status, 0) << e.output;
  EXPECT_THAT(e.output, HasSubstr("wrote"));
  const Dataset test = load_dataset("fashion-mnist", Split::Test);
  const std::vector<int> from_file = reference_predictions(load_model_file(tiny_w8a8()), test, 500);
  const std::vector<int> from_onnx = reference_predictions(load_model_spec(onnx), test, 500);
  EXPECT_EQ(from_file, from_onnx);

  // eval and infer take the ONNX file too.
  const std::string report = temp("onnx.json");
  const Outcome ev = cimvp("eval --model " + onnx + " --dataset fashion-mnist --count 500 --report " + report);
  ASSERT_EQ(ev.status, 0) << ev.output;
  EXPECT_DOUBLE_EQ(read_json(report).at("accuracy").get<double>(), accuracy_of(from_file, test));
  const Outcome in = cimvp("infer --arch " + test::source_path("configs/arch/default.yaml") + " --model " + onnx +
                           " --dataset fashion-mnist --count 40 --report " + report);
  ASSERT_EQ(in.status, 0) << in.output;
  EXPECT_THAT(in.output, HasSubstr("0 of 40 outputs differ"));
  EXPECT_DOUBLE_EQ(read_json(report).at("accuracy").get<double>(),
                   accuracy_of(std::vector<int>(from_file.begin(), from_file.begin() + 40), test));

  // A float model has nothing to export as QDQ.
  const Outcome fl = cimvp("export --model " + tiny_float() + " -o " + temp("float.onnx"));
  EXPECT_EQ(fl.status, 1);
  EXPECT_THAT(fl.output, HasSubstr("--bits"));
}

TEST(TrainCli, BadInputIsAClearError) {
  // A dataset without its test files: the install hint.
  const std::string data = temp("data");
  fs::create_directories(data + "/mnist");
  fs::copy_file(find_dataset_dir("mnist") + "/train-images-idx3-ubyte" +
                    (fs::exists(find_dataset_dir("mnist") + "/train-images-idx3-ubyte") ? "" : ".gz"),
                data + "/mnist/train-images-idx3-ubyte", fs::copy_options::overwrite_existing);
  Outcome o = cimvp("eval --model " + tiny_float() + " --dataset mnist", "CIMVP_DATA_DIR=" + data);
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("scripts/fetch_mnist.sh"));
  o = cimvp("train --model lenet5 --dataset cifar10 --epochs 1 -o " + temp("x.cimvp"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("unknown dataset 'cifar10'"));

  // A truncated IDX file names the file.
  fs::create_directories(data + "/fashion-mnist");
  const std::string images = read_bytes(find_dataset_dir("fashion-mnist") + "/t10k-images-idx3-ubyte.gz");
  write_bytes(data + "/fashion-mnist/train-images-idx3-ubyte.gz", images);  // 10,000 images, 60,000 labels
  fs::copy_file(find_dataset_dir("fashion-mnist") + "/train-labels-idx1-ubyte.gz",
                data + "/fashion-mnist/train-labels-idx1-ubyte.gz", fs::copy_options::overwrite_existing);
  o = cimvp("train --model lenet5 --dataset fashion-mnist --epochs 1 -o " + temp("x.cimvp"), "CIMVP_DATA_DIR=" + data);
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("train-images-idx3-ubyte.gz has 10000 images but"));

  // A model file from another format version, and a corrupted one.
  std::string bytes = read_bytes(tiny_float());
  std::string other = bytes;
  other[8] = char(99);
  write_bytes(temp("v99.cimvp"), other);
  o = cimvp("eval --model " + temp("v99.cimvp") + " --dataset fashion-mnist --count 10");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr(temp("v99.cimvp")));
  EXPECT_THAT(o.output, HasSubstr("version"));
  std::string corrupt = bytes;
  corrupt[corrupt.size() / 2] = char(corrupt[corrupt.size() / 2] ^ 0x5a);
  write_bytes(temp("corrupt.cimvp"), corrupt);
  for (const char* cmd : {"eval --dataset fashion-mnist --count 10 --model ", "export -o x.onnx --model ",
                                 "train --dataset fashion-mnist --epochs 1 -o x.cimvp --from "}) {
    o = cimvp(std::string(cmd) + temp("corrupt.cimvp"));
    EXPECT_EQ(o.status, 1) << cmd;
    EXPECT_THAT(o.output, HasSubstr(temp("corrupt.cimvp"))) << cmd;
    EXPECT_THAT(o.output, HasSubstr("checksum")) << cmd;
  }

  // A policy that does not fit the model names the file and the entry.
  const std::string policy = temp("short.yaml");
  write_bytes(policy, "weight_bits: [8, 8, 8]\nactivation_bits: [8, 8, 8]\n");
  for (const auto& cmd : std::vector<std::string>{"train --from " + tiny_float() + " --dataset fashion-mnist --epochs 1 -o " +
                                     temp("x.cimvp") + " --policy " + policy,
                                 "eval --model " + tiny_float() + " --dataset fashion-mnist --policy " + policy}) {
    o = cimvp(cmd);
    EXPECT_EQ(o.status, 1) << cmd;
    EXPECT_THAT(o.output, HasSubstr(policy)) << cmd;
    EXPECT_THAT(o.output, HasSubstr("weight_bits has 3 entries")) << cmd;
  }
  write_bytes(policy, "weight_bits: [8, 8, 12, 8, 8]\nactivation_bits: [8, 8, 8, 8, 8]\n");
  o = cimvp("eval --model " + tiny_float() + " --dataset fashion-mnist --policy " + policy);
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("12 is outside 1..8"));
  EXPECT_THAT(o.output, HasSubstr(policy));
}

// Noise-aware training (--arch): the architecture's programming variation
// is recorded in the model, and every wrong combination is one message
// naming the option, the file or the key.
TEST(TrainCli, NoiseAwareTrainingRecordsTheArchitecture) {
  const std::string arch = temp("noisy.yaml");
  std::ofstream(arch) << "name: noisy\ndevice:\n  program_sigma: 0.01\n";
  const std::string out = temp("noise-aware.cimvp");
  const Outcome o = cimvp("train --from " + tiny_float() + " --bits w8a8 --arch " + arch + " --noise-scale 1.5 "
                          "--dataset fashion-mnist --epochs 1 --train-images 128 --no-validate -o " + out);
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("noise-aware: programming variation of architecture 'noisy'"));
  const ModelFile m = load_model_file(out);
  EXPECT_THAT(m.metadata.at("train.weight_noise"),
              HasSubstr("'noisy' (" + arch + "): device.program_sigma 0.01 normal, device.on_off_ratio 0, "
                        "crossbar.cell_bits 2, crossbar.mapping differential-column, noise scale 1.5"));
}

TEST(TrainCli, NoiseAwareTrainingRefusesBadInput) {
  const std::string noisy = temp("noisy.yaml");
  std::ofstream(noisy) << "name: noisy\ndevice:\n  program_sigma: 0.01\n";
  const std::string run = "train --dataset fashion-mnist --epochs 1 --train-images 64 --no-validate -o " +
                          temp("refused.cimvp") + " --from " + tiny_float();
  struct Case {
    std::string args, message;
  };
  for (const Case& c : {
           Case{" --arch " + noisy, "--arch " + noisy + ": noise-aware training trains the quantized weights the "
                                                          "crossbar stores: give --bits or --policy"},
           Case{" --bits w8a8 --arch " + test::source_path("configs/arch/default.yaml"),
                "default.yaml: device.program_sigma is 0: the architecture has no programming variation"},
           Case{" --bits w8a8 --arch " + temp("missing.yaml"), temp("missing.yaml")},
           Case{" --bits w8a8 --noise-scale 2", "--noise-scale needs --arch"},
           Case{" --bits w8a8 --arch " + noisy + " --noise-scale 0", "--noise-scale must be in (0, 100]"},
       }) {
    const Outcome o = cimvp(run + c.args);
    EXPECT_EQ(o.status, 1) << c.args << "\n" << o.output;
    EXPECT_THAT(o.output, HasSubstr(c.message)) << c.args;
  }
}

}  // namespace
}  // namespace cimvp
