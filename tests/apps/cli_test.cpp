// The command line as users meet it: the real `cimvp` binary, its exit codes
// and its one-line error messages for bad input.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <array>
#include <iterator>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>

#include <nlohmann/json.hpp>

#include "firmware/image.h"
#include "config/arch_config.h"
#include "tests/support/chrome_trace_check.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"
#include "tests/support/tiling.h"

namespace cimvp {
namespace {

using ::testing::HasSubstr;

using test::cimvp;
using test::Outcome;

std::string temp(const std::string& name) { return test::temp_path("cli_", name); }

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

const std::string kDefault = test::source_path("configs/arch/default.yaml");

TEST(Cli, HelpListsCommands) {
  const Outcome o = cimvp("--help");
  EXPECT_EQ(o.status, 0);
  for (const char* c : {"run", "asm", "disasm", "params"}) EXPECT_THAT(o.output, HasSubstr(c));
  EXPECT_EQ(cimvp("run --help").status, 0);
  EXPECT_NE(cimvp("frobnicate").status, 0);
}

TEST(Cli, ParamsListsEveryParameter) {
  const Outcome o = cimvp("params");
  EXPECT_EQ(o.status, 0);
  for (const ParamInfo& p : arch_params()) EXPECT_THAT(o.output, HasSubstr(p.key));
}

TEST(Cli, RunsAnImageAndWritesTheReport) {
  const ArchConfig arch = load_arch_config(kDefault);
  std::mt19937 rng(11);
  const test::Matrix m = test::random_matrix(rng, 300, 20, 8);
  const std::vector<uint8_t> x = test::random_input(rng, 300, 8, false);
  write_image_file(test::mvm_image(arch, m, 8, 8, false, 4096), temp("mvm.img"));
  {
    std::ofstream in(temp("x.bin"), std::ios::binary);
    in.write(reinterpret_cast<const char*>(x.data()), std::streamsize(x.size()));
  }
  const Outcome o = cimvp("run --arch " + kDefault + " --firmware " + temp("mvm.img") + " --input " + temp("x.bin") +
                          " --output " + temp("y.txt") + " --report " + temp("r.json") + " --trace " + temp("t.json"));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("cycles"));
  std::ifstream yin(temp("y.txt"));
  const std::vector<int64_t> expected = test::reference_product(m, x, false);
  for (size_t j = 0; j < expected.size(); ++j) {
    int64_t v = 0;
    ASSERT_TRUE(yin >> v);
    EXPECT_EQ(v, expected[j]);
  }
  const nlohmann::json r = nlohmann::json::parse(std::ifstream(temp("r.json")));
  for (const char* key : {"cycles", "seconds", "energy_joules", "cores", "components"}) EXPECT_TRUE(r.contains(key)) << key;
  EXPECT_GT(r["cycles"].get<uint64_t>(), 0u);
  EXPECT_TRUE(r["cores"][0].contains("busy_cycles"));
  EXPECT_TRUE(r["cores"][0].contains("adc_conversions"));
  // The trace agrees with the report and the image (tests/apps/trace_test.cpp: compiled networks).
  const nlohmann::json t = nlohmann::json::parse(std::ifstream(temp("t.json")));
  test::expect_trace_matches_run(t, r, read_image_file(temp("mvm.img")), arch);
}

TEST(Cli, AssemblesRunsAndDisassemblesTheExample) {
  const std::string source = test::source_path("examples/mvm_relu.s");
  Outcome o = cimvp("asm " + source + " --arch " + kDefault + " -o " + temp("ex.img"));
  ASSERT_EQ(o.status, 0) << o.output;
  o = cimvp("run --arch " + kDefault + " --firmware " + temp("ex.img") + " --input " +
            test::source_path("examples/mvm_relu.input.txt") + " --output " + temp("ex.txt"));
  ASSERT_EQ(o.status, 0) << o.output;
  // y = relu(W^T x) for x = (1, 2, 3, 4), worked out by hand in the source
  std::ifstream y(temp("ex.txt"));
  int a = -1, b = -1, c = -1;
  y >> a >> b >> c;
  EXPECT_EQ(a, 28);
  EXPECT_EQ(b, 0);
  EXPECT_EQ(c, 66);
  // disassembling and assembling again gives the same image
  o = cimvp("disasm " + temp("ex.img") + " > " + temp("ex2.s"));
  ASSERT_EQ(o.status, 0) << o.output;
  ASSERT_EQ(cimvp("asm " + temp("ex2.s") + " --arch " + kDefault + " -o " + temp("ex2.img")).status, 0);
  std::ifstream i1(temp("ex.img"), std::ios::binary), i2(temp("ex2.img"), std::ios::binary);
  const std::string b1((std::istreambuf_iterator<char>(i1)), {}), b2((std::istreambuf_iterator<char>(i2)), {});
  EXPECT_EQ(b1, b2);
}

TEST(Cli, AssemblerErrorsNameTheLine) {
  write_file(temp("bad.s"), "  li r1, 5\n  mvx r1, r2\n  halt\n");
  const Outcome o = cimvp("asm " + temp("bad.s") + " --arch " + kDefault + " -o " + temp("bad.img"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("bad.s:2"));
  EXPECT_THAT(o.output, HasSubstr("mvx"));
  // Operands beyond the architecture fail here, at their line, not when run.
  write_file(temp("far.s"), ".core 0\n  mvm 0, 64, xb=999\n  halt\n");
  const Outcome far = cimvp("asm " + temp("far.s") + " --arch " + kDefault + " -o " + temp("far.img"));
  EXPECT_EQ(far.status, 1);
  EXPECT_THAT(far.output, HasSubstr("far.s:2: mvm crossbars 999..999 are out of range 0.."));
}

TEST(Cli, BadInputGivesOneClearMessage) {
  write_file(temp("bad.yaml"), "mesh:\n  rows: 2\n  colums: 2\n");
  Outcome o = cimvp("run --arch " + temp("bad.yaml") + " --firmware nothing.img");
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("bad.yaml"));
  EXPECT_THAT(o.output, HasSubstr("colums"));

  o = cimvp("run --arch " + kDefault + " --firmware " + temp("missing.img"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("missing.img"));

  write_file(temp("garbage.img"), "this is not an image");
  o = cimvp("run --arch " + kDefault + " --firmware " + temp("garbage.img"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("garbage.img"));

  o = cimvp("run --arch " + kDefault + " --firmware x.img --mode fast");
  EXPECT_NE(o.status, 0);
  EXPECT_THAT(o.output, HasSubstr("--mode"));

  o = cimvp("run --firmware x.img");
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.output, HasSubstr("arch"));
}

TEST(Cli, ImageForAnotherArchitectureIsRefused) {
  const ArchConfig arch = load_arch_config(kDefault);
  ArchConfig other = arch;
  other.name = "other";
  other.crossbar.rows = 128;
  write_image_file(test::make_image(other, {test::Program().halt()}), temp("other.img"));
  const Outcome o = cimvp("run --arch " + kDefault + " --firmware " + temp("other.img"));
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.output, HasSubstr("compiled for architecture 'other'"));
}

}  // namespace
}  // namespace cimvp
