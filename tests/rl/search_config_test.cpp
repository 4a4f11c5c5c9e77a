// Search settings from YAML: defaults, every section, relative paths, and
// the errors a user meets (unknown key with a suggestion, wrong type, out of
// range, negative budget), each naming the file, the key and the line.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "common/error.h"
#include "rl/search_config.h"
#include "tests/support/paths.h"

using namespace cimvp;
using namespace cimvp::rl;
using ::testing::HasSubstr;

namespace {

SearchConfig parse(const std::string& text) { return parse_search_config(text, "s.yaml", "/base/dir"); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

}  // namespace

TEST(SearchConfig, DefaultsAreThePapers) {
  const SearchConfig c = parse("model: lenet5\n");
  EXPECT_EQ(c.model, "lenet5");
  EXPECT_EQ(c.method, SearchMethod::Ddpg);
  EXPECT_EQ(c.episodes, 600);
  EXPECT_EQ(c.warmup, 20);
  EXPECT_EQ(c.min_bits, 2);
  EXPECT_EQ(c.max_bits, 8);
  EXPECT_EQ(c.latency, LatencySource::Vp);
  EXPECT_EQ(c.cost.objective, Objective::Latency);
  EXPECT_EQ(c.ddpg.actor_hidden, (std::vector<int>{300, 300}));
  EXPECT_EQ(c.ddpg.critic_hidden, (std::vector<int>{300, 300}));
  EXPECT_EQ(c.ddpg.actor_lr, 1e-4);
  EXPECT_EQ(c.ddpg.critic_lr, 1e-3);
  EXPECT_EQ(c.ddpg.tau, 0.01);
  EXPECT_EQ(c.ddpg.batch, 64);
  EXPECT_EQ(c.ddpg.replay_per_layer, 128);
  EXPECT_EQ(c.ddpg.sigma, 0.5);
  EXPECT_EQ(c.ddpg.sigma_decay, 0.99);
  EXPECT_EQ(c.ddpg.discount, 1.0);
  EXPECT_EQ(c.ddpg.sigma_min, 0.0);
  EXPECT_EQ(c.miss_penalty, 10.0);
  EXPECT_EQ(c.cost_target, 0.0);
  EXPECT_EQ(c.final_finetune.epochs, 1);
  EXPECT_EQ(c.final_finetune.candidates, 1);
  EXPECT_EQ(c.final_finetune.distill_weight, 0.0);
  EXPECT_EQ(c.final_finetune.distill_temperature, 1.0);
  EXPECT_FALSE(c.first_last_w8a8);
  EXPECT_FALSE(c.weight_multiple_of_cell_bits);
  EXPECT_FALSE(c.nonnegative_input);
}

TEST(SearchConfig, EveryKeyIsRead) {
  const SearchConfig c = parse(R"(
model: nets/m.cimvp
dataset: fashion-mnist
arch: ../arch/cim-aq-paper.yaml
output: /abs/out
method: random
episodes: 50
warmup: 5
seed: 42
accuracy_budget: 0.5
min_bits: 3
max_bits: 6
constraints: {first_last_w8a8: true, weight_multiple_of_cell_bits: yes}
latency: analytic
objective: mix
latency_weight: 0.7
reward: {miss_penalty: 2.5}
cost_target: 0.4
nonnegative_input: true
finetune: {batches: 20, lr: 0.0005}
validation: {images: 1000}
final: {epochs: 3, lr: 0.002, train_images: 5000, candidates: 4, distill_weight: 0.5, distill_temperature: 2}
ddpg:
  actor_hidden: [64, 32]
  critic_hidden: [16]
  actor_lr: 2e-4
  critic_lr: 0.002
  tau: 0.05
  batch: 16
  replay_per_layer: 10
  sigma: 0.3
  sigma_decay: 0.95
  sigma_min: 0.05
  discount: 0.9
  moving_average_alpha: 0.25
  updates_per_step: 8
)");
  EXPECT_EQ(c.model, "/base/dir/nets/m.cimvp");  // a file, resolved against the YAML's folder
  EXPECT_EQ(c.dataset, "fashion-mnist");
  EXPECT_EQ(c.arch, "/base/arch/cim-aq-paper.yaml");
  EXPECT_EQ(c.output, "/abs/out");
  EXPECT_EQ(c.method, SearchMethod::Random);
  EXPECT_EQ(c.episodes, 50);
  EXPECT_EQ(c.warmup, 5);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.accuracy_budget, 0.5);
  EXPECT_EQ(c.min_bits, 3);
  EXPECT_EQ(c.max_bits, 6);
  EXPECT_TRUE(c.first_last_w8a8);
  EXPECT_TRUE(c.weight_multiple_of_cell_bits);
  EXPECT_EQ(c.latency, LatencySource::Analytic);
  EXPECT_EQ(c.cost.objective, Objective::Mix);
  EXPECT_EQ(c.cost.latency_weight, 0.7);
  EXPECT_EQ(c.miss_penalty, 2.5);
  EXPECT_EQ(c.cost_target, 0.4);
  EXPECT_TRUE(c.nonnegative_input);
  EXPECT_EQ(c.finetune.batches, 20);
  EXPECT_EQ(c.finetune.lr, 0.0005);
  EXPECT_EQ(c.validation_images, 1000);
  EXPECT_EQ(c.final_finetune.epochs, 3);
  EXPECT_EQ(c.final_finetune.lr, 0.002);
  EXPECT_EQ(c.final_finetune.train_images, 5000);
  EXPECT_EQ(c.final_finetune.candidates, 4);
  EXPECT_EQ(c.final_finetune.distill_weight, 0.5);
  EXPECT_EQ(c.final_finetune.distill_temperature, 2.0);
  EXPECT_EQ(c.ddpg.actor_hidden, (std::vector<int>{64, 32}));
  EXPECT_EQ(c.ddpg.critic_hidden, (std::vector<int>{16}));
  EXPECT_EQ(c.ddpg.actor_lr, 2e-4);
  EXPECT_EQ(c.ddpg.critic_lr, 0.002);
  EXPECT_EQ(c.ddpg.tau, 0.05);
  EXPECT_EQ(c.ddpg.batch, 16);
  EXPECT_EQ(c.ddpg.replay_per_layer, 10);
  EXPECT_EQ(c.ddpg.sigma, 0.3);
  EXPECT_EQ(c.ddpg.sigma_decay, 0.95);
  EXPECT_EQ(c.ddpg.sigma_min, 0.05);
  EXPECT_EQ(c.ddpg.discount, 0.9);
  EXPECT_EQ(c.ddpg.moving_average_alpha, 0.25);
  EXPECT_EQ(c.ddpg.updates_per_step, 8);
}

TEST(SearchConfig, ZooNameStaysAName) { EXPECT_EQ(parse("model: vgg16\n").model, "vgg16"); }

TEST(SearchConfig, UnknownKeyNamesFileLineAndSuggests) {
  EXPECT_THAT(error_of("model: lenet5\nepisdoes: 10\n"),
              HasSubstr("s.yaml:2:1: unknown key 'episdoes' (did you mean 'episodes'?)"));
  EXPECT_THAT(error_of("model: lenet5\nddpg:\n  sigam: 0.1\n"),
              HasSubstr("s.yaml:3:3: unknown key 'ddpg.sigam' (did you mean 'ddpg.sigma'?)"));
  EXPECT_THAT(error_of("model: lenet5\ntau: 0.1\n"), HasSubstr("unknown key 'tau' (did you mean 'ddpg.tau'?)"));
  EXPECT_THAT(error_of("model: lenet5\ncontraints: {first_last_w8a8: true}\n"),
              HasSubstr("(did you mean 'constraints'?)"));
}

TEST(SearchConfig, WrongTypesAreErrors) {
  EXPECT_THAT(error_of("model: lenet5\nepisodes: many\n"), HasSubstr("s.yaml:2:11: 'episodes' must be an integer, got 'many'"));
  EXPECT_THAT(error_of("model: lenet5\nepisodes: 1.5\n"), HasSubstr("'episodes' must be an integer"));
  EXPECT_THAT(error_of("model: lenet5\nddpg: {tau: fast}\n"), HasSubstr("'ddpg.tau' must be a number"));
  EXPECT_THAT(error_of("model: lenet5\nconstraints: {first_last_w8a8: maybe}\n"), HasSubstr("must be true or false"));
  EXPECT_THAT(error_of("model: lenet5\nddpg: {actor_hidden: 300}\n"), HasSubstr("'ddpg.actor_hidden' must be a non-empty list"));
  EXPECT_THAT(error_of("model: lenet5\nepisodes: [1, 2]\n"), HasSubstr("'episodes' needs a single value"));
  EXPECT_THAT(error_of("model: lenet5\nlatency: cycle-accurate\n"), HasSubstr("'latency' must be one of vp, analytic"));
  EXPECT_THAT(error_of("model: lenet5\nddpg: 3\n"), HasSubstr("'ddpg' is a section"));
}

TEST(SearchConfig, OutOfRangeValuesAreErrors) {
  EXPECT_THAT(error_of("model: lenet5\naccuracy_budget: -0.5\n"),
              HasSubstr("s.yaml:2:18: 'accuracy_budget' = -0.5 is out of range 0..100"));
  EXPECT_THAT(error_of("model: lenet5\nmax_bits: 9\n"), HasSubstr("'max_bits' = 9 is out of range 1..8"));
  EXPECT_THAT(error_of("model: lenet5\nepisodes: 0\n"), HasSubstr("'episodes' = 0 is out of range"));
  EXPECT_THAT(error_of("model: lenet5\nddpg: {tau: 0}\n"), HasSubstr("'ddpg.tau' = 0 is out of range (0, 1]"));
  EXPECT_THAT(error_of("model: lenet5\nfinal: {distill_weight: 1.5}\n"),
              HasSubstr("'final.distill_weight' = 1.5 is out of range 0..1"));
  EXPECT_THAT(error_of("model: lenet5\nfinal: {distill_temperature: 0}\n"),
              HasSubstr("'final.distill_temperature' = 0 is out of range"));
  EXPECT_THAT(error_of("model: lenet5\nddpg: {critic_hidden: [300, 0]}\n"),
              HasSubstr("ddpg.critic_hidden[1] = 0 is out of range"));
  EXPECT_THAT(error_of("model: lenet5\nmin_bits: 6\nmax_bits: 4\n"), HasSubstr("min_bits (6) is greater than max_bits (4)"));
  EXPECT_THAT(error_of("model: lenet5\nepisodes: 10\nwarmup: 20\n"), HasSubstr("s.yaml:3:1: 'warmup' = 20 exceeds 'episodes' = 10"));
  EXPECT_THAT(error_of("model: lenet5\ndataset: cifar10\n"), HasSubstr("'dataset' must be one of"));
  EXPECT_THAT(error_of("model: lenet5\nlatency_weight: 0.3\n"), HasSubstr("applies only to 'objective: mix'"));
}

TEST(SearchConfig, StructuralErrors) {
  EXPECT_THAT(error_of("episodes: 10\n"), HasSubstr("s.yaml: missing key 'model'"));
  EXPECT_THAT(error_of("model: lenet5\nepisodes: 1\nepisodes: 2\n"), HasSubstr("given twice"));
  EXPECT_THAT(error_of("- a\n- b\n"), HasSubstr("must be a mapping"));
  EXPECT_THAT(error_of("model: [unclosed\n"), HasSubstr("s.yaml:"));
}

TEST(SearchConfig, FileRelativePathsResolveAgainstItsFolder) {
  const std::string dir = std::filesystem::path(::testing::TempDir() + "/search_config_" + std::to_string(::getpid()))
                              .lexically_normal()
                              .string();
  std::filesystem::create_directories(dir + "/searches");
  const std::string path = dir + "/searches/s.yaml";
  std::ofstream(path) << "model: lenet5\narch: ../arch/a.yaml\noutput: out\nepisdoes: 3\n";
  try {
    load_search_config(path);
    FAIL() << "unknown key accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":4:1: unknown key 'episdoes'"));
  }
  std::ofstream(path) << "model: lenet5\narch: ../arch/a.yaml\noutput: out\n";
  const SearchConfig c = load_search_config(path);
  EXPECT_EQ(c.arch, dir + "/arch/a.yaml");
  EXPECT_EQ(c.output, dir + "/searches/out");
  EXPECT_EQ(c.source, path);
  EXPECT_THROW(load_search_config(dir + "/missing.yaml"), Error);
}

TEST(SearchConfig, FingerprintIgnoresEpisodesAndOutputOnly) {
  const SearchConfig a = parse("model: lenet5\nepisodes: 30\noutput: x\n");
  const SearchConfig b = parse("model: lenet5\nepisodes: 40\noutput: y\n");
  const SearchConfig c = parse("model: lenet5\nddpg: {tau: 0.02}\n");
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  EXPECT_NE(fingerprint(a), fingerprint(c));
}

TEST(SearchConfig, ShippedExampleParsesAndPointsAtShippedFiles) {
  const std::string path = cimvp::test::source_path("configs/search/lenet5-fmnist.yaml");
  const SearchConfig c = load_search_config(path);
  EXPECT_TRUE(std::filesystem::exists(c.model)) << c.model;
  EXPECT_TRUE(std::filesystem::exists(c.arch)) << c.arch;
  EXPECT_EQ(c.dataset, "fashion-mnist");
  // The example spells out the defaults: it must say what the code does.
  SearchConfig defaults = parse("model: lenet5\n");
  defaults.model = c.model, defaults.dataset = c.dataset, defaults.arch = c.arch, defaults.output = c.output;
  EXPECT_EQ(fingerprint(c), fingerprint(defaults));
}

TEST(SearchConfig, EveryShippedSearchParsesAndPointsAtShippedFiles) {
  int n = 0, latency_only = 0;
  for (const auto& e : std::filesystem::directory_iterator(cimvp::test::source_path("configs/search"))) {
    if (e.path().extension() != ".yaml") continue;
    ++n;
    const SearchConfig c = load_search_config(e.path().string());
    EXPECT_TRUE(std::filesystem::exists(c.arch)) << e.path() << ": " << c.arch;
    if (c.accuracy == AccuracySource::None) {
      // A torchvision network is not shipped: it names where
      // scripts/export_torchvision.sh writes it in the default build tree.
      ++latency_only;
      EXPECT_EQ(c.model.rfind(cimvp::test::source_path("build/release/torchvision/"), 0), 0u) << e.path() << ": " << c.model;
      EXPECT_GT(c.cost_target, 0) << e.path();
      EXPECT_EQ(c.dataset, "") << e.path();
      continue;
    }
    EXPECT_TRUE(std::filesystem::exists(c.model)) << e.path() << ": " << c.model;
    EXPECT_EQ(c.dataset, "fashion-mnist") << e.path();
  }
  EXPECT_GE(n, 10);  // lenet5 and vgg-small x two presets x two sets of constraints, the annotated example, mobilenet_v2
  EXPECT_GE(latency_only, 1);  // mobilenet_v2 on large.yaml
}

TEST(SearchConfig, AccuracyNoneIsALatencyOnlySearchWithACostTarget) {
  const SearchConfig c = parse("model: m.onnx\naccuracy: none\ncost_target: 0.5\n");
  EXPECT_EQ(c.accuracy, AccuracySource::None);
  EXPECT_EQ(c.dataset, "");
  EXPECT_EQ(c.cost_target, 0.5);
  EXPECT_NE(fingerprint(c), fingerprint(parse("model: m.onnx\ncost_target: 0.5\n")));
  EXPECT_EQ(accuracy_source_from_name("none"), AccuracySource::None);
  EXPECT_EQ(accuracy_source_from_name("nothing"), std::nullopt);
}

TEST(SearchConfig, AccuracyNoneWithoutACostTargetIsAnErrorNamingTheKey) {
  EXPECT_THAT(error_of("model: m.onnx\nepisodes: 30\naccuracy: none\n"),
              HasSubstr("s.yaml:3:1: 'accuracy: none' needs 'cost_target' > 0"));
  EXPECT_THAT(error_of("model: m.onnx\naccuracy: none\ncost_target: 0\n"),
              HasSubstr("s.yaml:2:1: 'accuracy: none' needs 'cost_target' > 0"));
  EXPECT_THAT(error_of("model: m.onnx\naccuracy: nothing\n"),
              HasSubstr("s.yaml:2:11: 'accuracy' must be one of reference, vp, none, got 'nothing'"));
}

// A key that only says how accuracy is measured would silently do nothing.
TEST(SearchConfig, AccuracyNoneRefusesTheKeysThatMeasureAccuracy) {
  const std::string head = "model: m.onnx\naccuracy: none\ncost_target: 0.5\n";
  EXPECT_THAT(error_of(head + "dataset: fashion-mnist\n"),
              HasSubstr("s.yaml:4:1: 'dataset' says how the accuracy is measured, and 'accuracy: none' measures none"));
  EXPECT_THAT(error_of(head + "finetune: {batches: 30}\n"), HasSubstr("s.yaml:4:12: 'finetune.batches' says how"));
  EXPECT_THAT(error_of(head + "final:\n  epochs: 2\n"), HasSubstr("s.yaml:5:3: 'final.epochs' says how"));
  EXPECT_THAT(error_of(head + "validation: {images: 10}\n"), HasSubstr("'validation.images' says how"));
  EXPECT_THAT(error_of(head + "nonnegative_input: true\n"), HasSubstr("'nonnegative_input' says how"));
  EXPECT_THAT(error_of(head + "accuracy_seeds: 2\n"), HasSubstr("'accuracy_seeds' says how"));
}
