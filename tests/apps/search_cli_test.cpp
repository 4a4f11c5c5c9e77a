// `cimvp search` as users run it, on the shipped float lenet5 with a tiny
// budget: the files it writes, the same bytes for the same seed, a search
// killed (SIGKILL) and resumed ending exactly as one that ran straight
// through, and one clear message for each kind of bad input.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "nn/model_file.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using test::cimvp;
using test::Outcome;
namespace fs = std::filesystem;

std::string temp(const std::string& name) { return test::temp_path("search_cli_", name); }

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// A search small enough for a test: 10 episodes of each search, 300
// validation images, no fine-tune (the final models are calibrated only).
std::string write_config(const std::string& name, const std::string& extra = "") {
  const std::string path = temp(name + ".yaml");
  std::ofstream(path) << "model: " << test::source_path("pretrained/lenet5-fmnist-float.cimvp") << "\n"
                      << "dataset: fashion-mnist\n"
                      << "arch: " << test::source_path("configs/arch/default.yaml") << "\n"
                      << "episodes: 10\nwarmup: 4\nseed: 3\naccuracy_budget: 2.0\n"
                      << "validation: {images: 300}\nfinal: {epochs: 0}\n"
                      << "ddpg: {actor_hidden: [32, 32], critic_hidden: [32, 32], batch: 16}\n"
                      << extra;
  return path;
}

// summary.json without the wall times, which differ from run to run, and
// the command line (its output folder differs).
nlohmann::json summary_without_times(const std::string& dir) {
  nlohmann::json j = nlohmann::json::parse(read_text(dir + "/summary.json"));
  j.erase("seconds");
  j.erase("cimvp");
  j.erase("evaluations");  // how many policies this process measured, which a resumed run does not repeat
  for (auto& [name, b] : j["baselines"].items()) b.erase("seconds");
  if (j.contains("policy")) j["policy"].erase("seconds");
  return j;
}

void expect_same_search(const std::string& a, const std::string& b) {
  for (const char* f : {"episodes.csv", "best-policy.yaml", "random/episodes.csv", "analytic/episodes.csv"}) {
    EXPECT_EQ(fs::exists(a + "/" + f), fs::exists(b + "/" + f)) << f;
    EXPECT_EQ(read_text(a + "/" + f), read_text(b + "/" + f)) << f;
  }
  EXPECT_EQ(summary_without_times(a), summary_without_times(b));
}

TEST(SearchCli, WritesEveryFileAndTheSameBytesForTheSameSeed) {
  const std::string config = write_config("det");
  const std::string a = temp("det-a"), b = temp("det-b");
  fs::remove_all(a), fs::remove_all(b);
  const Outcome ra = cimvp("search --config " + config + " -o " + a);
  ASSERT_EQ(ra.status, 0) << ra.output;
  EXPECT_THAT(ra.output, HasSubstr("summary: " + a + "/summary.json"));
  const Outcome rb = cimvp("search --config " + config + " -o " + b);
  ASSERT_EQ(rb.status, 0) << rb.output;
  expect_same_search(a, b);

  const std::string episodes = read_text(a + "/episodes.csv");
  EXPECT_EQ(std::count(episodes.begin(), episodes.end(), '\n'), 11);  // header + 10 episodes
  const nlohmann::json s = nlohmann::json::parse(read_text(a + "/summary.json"));
  for (const char* name : {"w8a8", "w4a8", "w4a4"}) {
    ASSERT_TRUE(s["baselines"].contains(name)) << name;
    EXPECT_TRUE(fs::exists(a + "/final/" + name + ".cimvp")) << name;
    EXPECT_GT(s["baselines"][name]["test_accuracy"].get<double>(), 0.5) << name;
  }
  EXPECT_DOUBLE_EQ(s["baselines"]["w8a8"]["speedup"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(s["baselines"]["w8a8"]["accuracy_drop_points"].get<double>(), 0.0);
  EXPECT_TRUE(s["warnings"].empty());
  EXPECT_THAT(cimvp("--version").output, HasSubstr(s["cimvp"]["version"].get<std::string>() + " (commit " +
                                                  s["cimvp"]["commit"].get<std::string>() + ")"));
  EXPECT_EQ(s["architecture"]["adc"]["bits"], 10);  // default.yaml's, held by the summary
  ASSERT_TRUE(s["found"].get<bool>());  // seed 3 finds a policy within the 2-point budget on validation
  EXPECT_GT(s["speedup"].get<double>(), 1);
  // The goal is judged against this run's W8A8 final, tested the same way.
  const double drop = 100 * (s["accuracy_w8a8"].get<double>() - s["accuracy_policy"].get<double>());
  EXPECT_DOUBLE_EQ(s["accuracy_drop_points"].get<double>(), drop);
  EXPECT_EQ(s["within_accuracy_budget"].get<bool>(), drop <= 2.0);
  EXPECT_EQ(s["accuracy_w8a8"], s["baselines"]["w8a8"]["test_accuracy"]);
  // The policy's model file is a quantized model the other commands take.
  const ModelFile m = load_model_file(a + "/final/policy.cimvp");
  EXPECT_EQ(m.policy.weight_bits, s["policy"]["weight_bits"].get<std::vector<int>>());
  // The same folder again needs --resume or --force.
  const Outcome again = cimvp("search --config " + config + " -o " + a);
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.output, HasSubstr("--resume"));
}

// nonnegative_input reaches every model the search writes, the final
// fine-tune distils from the float model when asked, and with several
// candidates the one most accurate on validation after its fine-tune is the
// answer.
TEST(SearchCli, UnsignedInputDistilledFinalsAndCandidates) {
  std::string text =
      read_text(write_config("unsigned", "nonnegative_input: true\nepisodes: 6\nwarmup: 2\ncost_target: 0.8\n"));
  text.replace(text.find("final: {epochs: 0}"), 18,
               "final: {epochs: 1, train_images: 640, distill_weight: 0.5, candidates: 2}");
  text.replace(text.find("episodes: 10\nwarmup: 4\n"), 22, "");
  const std::string config = temp("unsigned2.yaml"), out = temp("unsigned-out");
  std::ofstream(config) << text;
  fs::remove_all(out);
  const Outcome r = cimvp("search --config " + config + " -o " + out + " --no-baselines");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("distilled from the float model"));
  const nlohmann::json s = nlohmann::json::parse(read_text(out + "/summary.json"));
  EXPECT_TRUE(s["nonnegative_input"].get<bool>());
  EXPECT_EQ(s["final_finetune"]["distill_weight"].get<double>(), 0.5);
  const ModelFile w8a8 = load_model_file(out + "/final/w8a8.cimvp");
  EXPECT_TRUE(w8a8.graph.nodes[0].nonnegative);
  EXPECT_EQ(w8a8.metadata.at("train.distill"), "model 'lenet5' weight 0.5 temperature 1");

  ASSERT_TRUE(s["found"].get<bool>());
  ASSERT_EQ(s["candidates"].size(), 2u);
  const nlohmann::json &c1 = s["candidates"][0], &c2 = s["candidates"][1];
  EXPECT_TRUE(c1["weight_bits"] != c2["weight_bits"] || c1["activation_bits"] != c2["activation_bits"]);
  // The first candidate is the search's own best.
  const std::string best = read_text(out + "/best-policy.yaml");
  std::string bits = "activation_bits: [";
  for (size_t k = 0; k < c1["activation_bits"].size(); ++k)
    bits += (k ? ", " : "") + std::to_string(c1["activation_bits"][k].get<int>());
  EXPECT_THAT(best, HasSubstr(bits + "]"));
  const bool second_wins = c2["validation_accuracy"].get<double>() > c1["validation_accuracy"].get<double>();
  EXPECT_EQ(s["policy"]["chosen_from"], second_wins ? "candidate-2" : "candidate-1");
  EXPECT_EQ(s["policy"]["test_accuracy"], (second_wins ? c2 : c1)["test_accuracy"]);
  EXPECT_EQ(read_text(out + "/final/policy.cimvp"),
            read_text(out + "/final/" + s["policy"]["chosen_from"].get<std::string>() + ".cimvp"));
}

TEST(SearchCli, KilledAndResumedEndsLikeAStraightRun) {
  const std::string config = write_config("kill");
  const std::string straight = temp("straight"), killed = temp("killed");
  fs::remove_all(straight), fs::remove_all(killed);
  const std::string args = " --no-baselines --episodes 16";  // the search alone, long enough to be caught
  ASSERT_EQ(cimvp("search --config " + config + " -o " + straight + args).status, 0);
  // Kill it with SIGKILL in the middle of the search.
  const std::string watch = killed + "/episodes.csv";
  const std::string script = std::string(CIMVP_BINARY) + " search --config " + config + " -o " + killed + args +
                             " >/dev/null 2>&1 & pid=$!; for i in $(seq 1200); do "
                             "[ -s " + watch + " ] && [ $(wc -l < " + watch + ") -ge 6 ] && break; sleep 0.02; done; "
                             "kill -9 $pid; wait $pid; exit 0";
  ASSERT_EQ(std::system(script.c_str()), 0);
  ASSERT_FALSE(fs::exists(killed + "/summary.json")) << "the search finished before it was killed";
  const std::string csv = read_text(watch);
  EXPECT_LT(std::count(csv.begin(), csv.end(), '\n'), 17) << "the search finished before it was killed";
  const Outcome resumed = cimvp("search --config " + config + " -o " + killed + args + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  expect_same_search(straight, killed);
}

// --search-only stops before the finals; --resume then runs them, and the
// folder ends as one that ran straight through. --method and --latency
// override the YAML.
TEST(SearchCli, SearchOnlyThenResumeEndsLikeAStraightRun) {
  const std::string config = write_config("only");
  const std::string straight = temp("only-straight"), split = temp("only-split");
  fs::remove_all(straight), fs::remove_all(split);
  const std::string args = " --no-baselines --method random --latency analytic";
  ASSERT_EQ(cimvp("search --config " + config + " -o " + straight + args).status, 0);
  const Outcome first = cimvp("search --config " + config + " -o " + split + args + " --search-only");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("--resume runs the final fine-tunes"));
  EXPECT_FALSE(fs::exists(split + "/summary.json"));
  EXPECT_FALSE(fs::exists(split + "/final"));
  const std::string csv = read_text(split + "/episodes.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 11);
  EXPECT_THAT(csv, HasSubstr(",random,"));
  EXPECT_THAT(csv, Not(HasSubstr(",warmup,")));
  const Outcome second = cimvp("search --config " + config + " -o " + split + args + " --resume");
  ASSERT_EQ(second.status, 0) << second.output;
  expect_same_search(straight, split);
  const nlohmann::json summary = nlohmann::json::parse(read_text(split + "/summary.json"));
  EXPECT_EQ(summary["method"], "random");
  EXPECT_EQ(summary["latency"], "analytic");

  const Outcome bad = cimvp("search --config " + config + " -o " + temp("only-bad") + " --method haq");
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.output, HasSubstr("--method must be ddpg or random, not 'haq'"));
  const Outcome bad_latency = cimvp("search --config " + config + " -o " + temp("only-bad") + " --latency table");
  EXPECT_EQ(bad_latency.status, 1);
  EXPECT_THAT(bad_latency.output, HasSubstr("--latency must be vp or analytic, not 'table'"));
}

// The checkpoint holds what the episodes were computed from, not only the
// paths: an architecture file edited between the search and its resume is
// refused, naming the parameter.
TEST(SearchCli, ResumeAfterTheArchitectureFileChangedIsRefusedNamingTheKey) {
  const std::string arch = temp("arch.yaml");
  const std::string original = read_text(test::source_path("configs/arch/default.yaml"));
  std::ofstream(arch) << original;
  std::string text = read_text(write_config("archcheck"));
  text.replace(text.find("arch: "), text.find('\n', text.find("arch: ")) - text.find("arch: "), "arch: " + arch);
  const std::string config = temp("archcheck2.yaml"), out = temp("archcheck-out");
  std::ofstream(config) << text;
  fs::remove_all(out);
  const std::string args = " -o " + out + " --no-baselines --search-only";
  ASSERT_EQ(cimvp("search --config " + config + args + " --episodes 3").status, 0);
  // Same contents: resumes (and extends the search).
  ASSERT_EQ(cimvp("search --config " + config + args + " --resume --episodes 4").status, 0);
  std::string edited = original;
  const size_t at = edited.find("  bits: 10 ");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 11, "  bits: 12 ");
  std::ofstream(arch) << edited;
  const Outcome o = cimvp("search --config " + config + args + " --resume --episodes 5");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("checkpoint arch.adc.bits=10, now arch.adc.bits=12"));
  const std::string csv = read_text(out + "/episodes.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);  // header + the 4 episodes of the first architecture
}

// Finals record their policy and settings; a resumed job with other final
// settings redoes them instead of mixing old results into the summary.
TEST(SearchCli, FinalsAreRedoneWhenTheirSettingsChanged) {
  const std::string first = write_config("finals"), out = temp("finals-out");
  fs::remove_all(out);
  const std::string args = " -o " + out + " --no-baselines --episodes 6";
  ASSERT_EQ(cimvp("search --config " + first + args).status, 0);
  ASSERT_TRUE(nlohmann::json::parse(read_text(out + "/summary.json"))["found"].get<bool>());
  const nlohmann::json before = nlohmann::json::parse(read_text(out + "/final/w8a8.json"));
  EXPECT_EQ(before["settings"]["final_finetune"]["epochs"], 0);
  EXPECT_EQ(before["settings"]["policy"]["weight_bits"], before["weight_bits"]);

  const Outcome same = cimvp("search --config " + first + args + " --resume");
  ASSERT_EQ(same.status, 0) << same.output;
  EXPECT_THAT(same.output, Not(HasSubstr("redoing")));
  EXPECT_EQ(nlohmann::json::parse(read_text(out + "/final/w8a8.json")), before);

  std::string text = read_text(first);
  text.replace(text.find("final: {epochs: 0}"), 18, "final: {epochs: 1, train_images: 128}");
  const std::string second = temp("finals2.yaml");
  std::ofstream(second) << text;
  const Outcome redo = cimvp("search --config " + second + args + " --resume");
  ASSERT_EQ(redo.status, 0) << redo.output;
  EXPECT_THAT(redo.output, HasSubstr("redoing final w8a8: its final_finetune changed"));
  EXPECT_THAT(redo.output, HasSubstr("redoing final policy: its final_finetune changed"));
  const nlohmann::json after = nlohmann::json::parse(read_text(out + "/final/w8a8.json"));
  EXPECT_EQ(after["settings"]["final_finetune"]["epochs"], 1);
  const nlohmann::json s = nlohmann::json::parse(read_text(out + "/summary.json"));
  EXPECT_EQ(s["final_finetune"]["epochs"], 1);
  EXPECT_EQ(s["accuracy_w8a8"], after["test_accuracy"]);
  EXPECT_EQ(load_model_file(out + "/final/w8a8.cimvp").metadata.at("train.epochs_done"), "1");
}

TEST(SearchCli, WarnsWhenTheEpisodesDoNotExceedTheWarmUp) {
  const std::string out = temp("warmup-out");
  fs::remove_all(out);
  const Outcome o = cimvp("search --config " + write_config("warmup") + " -o " + out + " --no-baselines --episodes 4");
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("warning: the 4 episodes do not exceed the 4 warm-up episodes"));
  const nlohmann::json s = nlohmann::json::parse(read_text(out + "/summary.json"));
  ASSERT_EQ(s["warnings"].size(), 1u);
  EXPECT_THAT(s["warnings"][0].get<std::string>(), HasSubstr("DDPG never chooses"));
}

// A latency-only search from the command line: the YAML names a model
// file that is not there (as the shipped mobilenet_v2 config does before the
// export) and --model replaces it; the table shows what the VP measured.
TEST(SearchCli, LatencyOnlySearchWithTheModelGivenOnTheCommandLine) {
  const std::string config = temp("latency.yaml");
  std::ofstream(config) << "model: not-exported-yet.onnx\narch: " << test::source_path("configs/arch/default.yaml")
                        << "\naccuracy: none\ncost_target: 0.6\nepisodes: 3\nwarmup: 2\nbaselines: false\n"
                        << "ddpg: {actor_hidden: [16], critic_hidden: [16], batch: 4}\n";
  const std::string out = temp("latency-out");
  fs::remove_all(out);
  EXPECT_THAT(cimvp("search --config " + config + " -o " + out).output, HasSubstr("not-exported-yet.onnx"));
  fs::remove_all(out);
  const Outcome r = cimvp("search --config " + config + " -o " + out + " --model lenet5");
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json s = nlohmann::json::parse(read_text(out + "/summary.json"));
  EXPECT_EQ(s["model"], "lenet5");
  char line[160];
  std::snprintf(line, sizeof line, "policy: %.2fx fewer VP cycles than W8A8 per inference (cost ratio %.3f",
                s["speedup"].get<double>(), s["cost_ratio"].get<double>());
  EXPECT_THAT(r.output, HasSubstr(line));
  std::snprintf(line, sizeof line, "%.2f effective bits", s["effective_bits"].get<double>());
  EXPECT_THAT(r.output, HasSubstr(line));
  EXPECT_THAT(r.output, HasSubstr("  w8a8         1.00x"));
  EXPECT_THAT(r.output, HasSubstr(" bits)  ETA"));  // the progress line shows effective bits
}

TEST(SearchCli, BadInputIsOneClearError) {
  struct Case {
    std::string yaml_extra, expected;
  };
  const Case cases[] = {
      {"episdoes: 5\n", "did you mean 'episodes'"},
      {"max_bits: 9\n", "max_bits"},
      {"accuracy_budget: -1\n", "accuracy_budget"},
  };
  for (const Case& c : cases) {
    const Outcome o = cimvp("search --config " + write_config("bad", c.yaml_extra) + " -o " + temp("bad-out"));
    EXPECT_EQ(o.status, 1) << c.yaml_extra << o.output;
    EXPECT_THAT(o.output, HasSubstr(c.expected)) << c.yaml_extra;
    EXPECT_THAT(o.output, HasSubstr("bad.yaml")) << c.yaml_extra;
  }
  Outcome o = cimvp("search --config " + write_config("zoo", "") + " -o " + temp("zoo-out") + " --episodes 0");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("--episodes"));
  const std::string zoo = temp("zoo2.yaml");
  std::ofstream(zoo) << "model: lenet5\ndataset: fashion-mnist\narch: " << test::source_path("configs/arch/default.yaml")
                     << "\n";
  o = cimvp("search --config " + zoo + " -o " + temp("zoo2-out"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("no trained weights"));
  const std::string noarch = temp("noarch.yaml");
  std::ofstream(noarch) << "model: lenet5\ndataset: fashion-mnist\n";
  o = cimvp("search --config " + noarch + " -o " + temp("noarch-out"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("arch"));
}

}  // namespace
}  // namespace cimvp
