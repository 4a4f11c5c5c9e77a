// A report reproduces its run: `cimvp run --arch REPORT.json` reads the
// architecture back from the report (every parameter, not a file name) and
// gives the same cycles and energy, for every preset. `cimvp --version`
// names the version CMakeLists.txt declares and the commit of the tree.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"

namespace cimvp {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json j;
  in >> j;
  return j;
}

class ReproducibleReport : public ::testing::TestWithParam<std::string> {};

TEST_P(ReproducibleReport, TheArchitectureReadBackFromAReportGivesTheSameRun) {
  const fs::path dir = fs::temp_directory_path() / ("cimvp_repro_" + GetParam() + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string d = dir.string();
  const std::string arch = test::source_path("configs/arch/" + GetParam() + ".yaml");
  auto o = test::cimvp("compile --arch " + arch + " --model lenet5 --bits w8a8 --timing-only -o " + d + "/l.img");
  ASSERT_EQ(o.status, 0) << o.output;
  o = test::cimvp("run --arch " + arch + " --firmware " + d + "/l.img --mode timing --report " + d + "/first.json");
  ASSERT_EQ(o.status, 0) << o.output;
  o = test::cimvp("run --arch " + d + "/first.json --firmware " + d + "/l.img --mode timing --report " + d +
                  "/again.json");
  ASSERT_EQ(o.status, 0) << o.output;
  const nlohmann::json first = read_json(d + "/first.json"), again = read_json(d + "/again.json");
  // The report holds every parameter, equal to the YAML file's.
  EXPECT_TRUE(load_arch_config(d + "/first.json") == load_arch_config(arch));
  EXPECT_EQ(first.at("architecture"), again.at("architecture"));
  EXPECT_EQ(first.at("architecture").at("crossbar").size(), again.at("architecture").at("crossbar").size());
  EXPECT_EQ(first.at("cycles"), again.at("cycles"));
  EXPECT_EQ(first.at("inference_cycles"), again.at("inference_cycles"));
  EXPECT_EQ(first.at("energy_joules"), again.at("energy_joules"));
  EXPECT_EQ(first.at("layers"), again.at("layers"));
  EXPECT_EQ(first.at("components"), again.at("components"));
  // ... and where it came from
  const nlohmann::json& cimvp = again.at("cimvp");
  EXPECT_FALSE(cimvp.at("version").get<std::string>().empty());
  ASSERT_TRUE(cimvp.at("command_line").is_array());
  EXPECT_EQ(cimvp.at("command_line").at(0), "cimvp");
  EXPECT_EQ(cimvp.at("command_line").at(1), "run");
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Presets, ReproducibleReport,
                         ::testing::Values("default", "cim-aq-paper", "isaac-like", "prime-like", "large", "rram-wan2022"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(ReproducibleReportErrors, AJsonFileWithoutAnArchitectureIsOneClearError) {
  const fs::path path = fs::temp_directory_path() / ("cimvp_noarch_" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << "{\"cycles\": 3}\n";
  const auto o = test::cimvp("run --arch " + path.string() + " --firmware x.img");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.output.find(path.string() + ": a JSON architecture file is a report with an \"architecture\" object"),
            std::string::npos)
      << o.output;
  fs::remove(path);
}

std::string project_version() {  // from CMakeLists.txt, not from the binary
  std::ifstream in(test::source_path("CMakeLists.txt"));
  std::stringstream text;
  text << in.rdbuf();
  std::smatch m;
  const std::string s = text.str();
  if (!std::regex_search(s, m, std::regex(R"(project\(cimvp VERSION ([0-9.]+))"))) return "";
  return m[1];
}

std::string git_head() {
  FILE* p = popen(("git -C " + test::source_path("") + " rev-parse HEAD 2>/dev/null").c_str(), "r");
  if (!p) return "";
  char buf[64] = {};
  const size_t n = fread(buf, 1, sizeof buf - 1, p);
  pclose(p);
  std::string s(buf, n);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(Version, PrintsTheProjectVersionAndTheCommit) {
  const auto o = test::cimvp("--version");
  ASSERT_EQ(o.status, 0) << o.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(o.output, m, std::regex(R"(^cimvp ([0-9.]+) \(commit ([0-9a-f]{40}(-modified)?|unknown)\)\n$)")))
      << o.output;
  EXPECT_EQ(m[1].str(), project_version());
  const std::string head = git_head();
  if (!head.empty()) EXPECT_EQ(m[2].str().substr(0, 40), head);  // the tree this binary was built from
}

}  // namespace
}  // namespace cimvp
