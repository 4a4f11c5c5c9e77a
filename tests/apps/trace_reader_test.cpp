// `cimvp run --trace` read back by a real trace reader: the trace engine of
// Chrome DevTools' Performance panel (tests/support/read_trace.mjs), not only
// a JSON parse. What it makes of the trace is checked against the compiled
// image and the run: every core slice sits in its thread's slice tree (none
// overlaps another partially) and has arguments; the reader links one flow
// per message, from the send to the recv of the core it names, as many as
// the image's Send instructions execute; the NoC links and the memory channel
// are threads of their own processes; a large SoC's cores are grouped by mesh
// row. Also: the detail levels, and bad options.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "firmware/image.h"
#include "tests/support/cli.h"
#include "tests/support/paths.h"
#include "tests/support/tall_part_arch.h"

namespace cimvp {
namespace {

using test::cimvp;
using test::Outcome;

std::string temp(const std::string& name) { return test::temp_path("trace_reader_", name); }

std::string engine_dir() {
  const char* data = std::getenv("CIMVP_DATA_DIR");
  return std::string(data ? data : "/usr/local/share/cimvp") + "/npm/node_modules/@paulirish/trace_engine";
}

// Runs the reader on `trace_file` and returns what it printed.
nlohmann::json read_with_devtools(const std::string& trace_file) {
  const std::string engine = engine_dir();
  if (!std::ifstream(engine + "/models/trace/trace.js"))
    ADD_FAILURE() << "the trace reader is not installed in " << engine << ": run scripts/install_deps.sh";
  const std::string out = temp("reader.json");
  const std::string command = "node " + test::source_path("tests/support/read_trace.mjs") + " " + engine + " " +
                              trace_file + " > " + out + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << text;
  return nlohmann::json::parse(text, nullptr, false);
}

struct TracedRun {
  nlohmann::json trace, report;
  std::string trace_file;
  FirmwareImage image;
  ArchConfig arch;
};

// `arch` is a path; `model` is compiled at W8A8, run functional with `extra` options.
TracedRun compile_and_run(const std::string& arch, const std::string& model, const std::string& extra = "") {
  const std::string image = temp(model + ".img");
  const std::string report = temp(model + "_report.json"), trace = temp(model + "_trace.json");
  Outcome o = cimvp("compile --arch " + arch + " --model " + model + " --bits w8a8 -o " + image);
  EXPECT_EQ(o.status, 0) << o.output;
  o = cimvp("run --arch " + arch + " --firmware " + image + " --report " + report + " --trace " + trace + " " + extra);
  EXPECT_EQ(o.status, 0) << o.output;
  return {nlohmann::json::parse(std::ifstream(trace)), nlohmann::json::parse(std::ifstream(report)), trace,
          read_image_file(image), load_arch_config(arch)};
}

// Send instructions the run executes: the image's, each once (lenet5's fc1
// helpers send outside loops; checked: no backward jump spans a Send).
size_t sends_in(const FirmwareImage& image) {
  size_t sends = 0;
  for (const CoreProgram& core : image.cores)
    for (size_t pc = 0; pc < core.code.size(); ++pc) {
      const Instruction& in = core.code[pc];
      if (in.op == Opcode::Send) ++sends;
      const bool jump = in.op == Opcode::Jmp || in.op == Opcode::Beq || in.op == Opcode::Bne ||
                        in.op == Opcode::Blt || in.op == Opcode::Bge;
      if (!jump || uint32_t(in.imm0) > pc) continue;
      for (uint32_t k = uint32_t(in.imm0); k < pc; ++k)
        EXPECT_NE(core.code[k].op, Opcode::Send) << "a Send in a loop: the image's count is not the run's";
    }
  return sends;
}

TEST(TraceReader, DevToolsReadsSlicesArgumentsFlowsAndTracks) {
  const TracedRun r = compile_and_run(test::write_tall_part_arch(temp("tall.yaml")), "lenet5");
  const nlohmann::json read = read_with_devtools(r.trace_file);
  ASSERT_TRUE(read.is_object()) << read.dump();

  std::set<std::string> processes;
  for (const auto& [pid, name] : read["processes"].items()) processes.insert(name.get<std::string>());
  EXPECT_EQ(processes, (std::set<std::string>{"cores", "NoC links", "global memory"}));  // 16 cores: one process

  const std::regex link_name("core [0-9]+ (east|west|north|south|inject|eject)|memory port");
  int core_threads = 0, link_threads = 0, channel_threads = 0;
  for (const nlohmann::json& t : read["threads"]) {
    const std::string name = t["name"].is_string() ? t["name"].get<std::string>() : "";
    SCOPED_TRACE("thread " + name);
    EXPECT_GT(t["slices"].get<int>(), 0);
    EXPECT_EQ(t["in_tree"], t["slices"]) << "slices the reader could not nest";
    EXPECT_EQ(t["with_args"], t["slices"]) << "slices without arguments";
    const int tid = t["tid"].get<int>();
    if (tid < r.arch.cores()) {
      ++core_threads;
      EXPECT_EQ(name, "core " + std::to_string(tid));
      EXPECT_GE(t["max_depth"].get<int>(), 3);  // run > layer > instruction
    } else if (name == "channel") {
      ++channel_threads;
    } else {
      ++link_threads;
      EXPECT_TRUE(std::regex_match(name, link_name));
    }
  }
  int cores_with_code = 0;
  for (const CoreProgram& c : r.image.cores) cores_with_code += c.code.empty() ? 0 : 1;
  EXPECT_EQ(core_threads, cores_with_code);
  EXPECT_EQ(channel_threads, 1);
  EXPECT_GE(link_threads, 3);  // inject, a hop, eject at least

  const size_t sends = sends_in(r.image);
  ASSERT_GT(sends, 0u);
  ASSERT_EQ(read["flows"].size(), sends);
  for (const nlohmann::json& flow : read["flows"]) {
    SCOPED_TRACE(flow.dump());
    ASSERT_EQ(flow.size(), 2u);
    const nlohmann::json &send = flow[0], &recv = flow[1];
    EXPECT_EQ(send["name"], "send");
    EXPECT_EQ(recv["name"], "recv");
    EXPECT_EQ(send["args"]["to"], "core " + std::to_string(recv["tid"].get<int>()));
    EXPECT_EQ(recv["args"]["from"], "core " + std::to_string(send["tid"].get<int>()));
    EXPECT_EQ(send["args"]["message"], recv["args"]["message"]);
  }
}

// 64 cores in an 8 x 8 mesh: a process per mesh row, its cores as threads.
TEST(TraceReader, LargeSocGroupsCoresByMeshRow) {
  const TracedRun r = compile_and_run(test::source_path("configs/arch/large.yaml"), "lenet5");
  ASSERT_EQ(r.arch.cores(), 64);
  const nlohmann::json read = read_with_devtools(r.trace_file);
  ASSERT_TRUE(read.is_object()) << read.dump();
  std::map<int, std::string> processes;
  for (const auto& [pid, name] : read["processes"].items()) processes[std::stoi(pid)] = name.get<std::string>();
  const int cols = r.arch.mesh.cols;
  for (int row = 0; row < r.arch.mesh.rows; ++row)
    EXPECT_EQ(processes[row + 1], "cores " + std::to_string(row * cols) + "-" + std::to_string(row * cols + cols - 1) +
                                      " (mesh row " + std::to_string(row) + ")");
  for (const nlohmann::json& t : read["threads"]) {
    const int tid = t["tid"].get<int>();
    if (tid < r.arch.cores()) {
      EXPECT_EQ(t["pid"].get<int>(), 1 + tid / cols) << "core " << tid;
    }
  }
}

// Less detail, fewer slices; the most detail adds crossbar-group tracks. The
// run, layer and message slices and the flows are in every level.
TEST(TraceReader, DetailLevels) {
  std::map<std::string, std::map<std::string, int>> seen;  // level: kind of event -> count
  for (const char* level : {"layers", "instructions", "crossbars"}) {
    const std::string arch = test::write_tall_part_arch(temp("tall.yaml"));
    const TracedRun r = compile_and_run(arch, "lenet5", std::string("--trace-detail ") + level);
    for (const nlohmann::json& e : r.trace["traceEvents"]) {
      const std::string ph = e["ph"], cat = e.value("cat", "");
      ++seen[level][ph == "X" && cat == "instruction" ? e["name"].get<std::string>() : ph + " " + cat];
    }
  }
  EXPECT_EQ(seen["layers"].count("mvm"), 0u);
  EXPECT_GT(seen["instructions"]["mvm"], 0);
  EXPECT_EQ(seen["instructions"].count("b crossbar"), 0u);
  EXPECT_GT(seen["crossbars"]["b crossbar"], 0);
  for (const char* kept : {"X layer", "X run", "send", "recv", "s instruction", "f instruction", "X noc", "X memory"})
    for (const char* level : {"layers", "instructions", "crossbars"})
      EXPECT_EQ(seen[level][kept], seen["instructions"][kept]) << kept << " at " << level;
  EXPECT_GT(seen["layers"]["s instruction"], 0);
}

TEST(TraceReader, BadDetailIsOneClearError) {
  const std::string arch = test::source_path("configs/arch/default.yaml"), image = temp("lenet5.img");
  ASSERT_EQ(cimvp("compile --arch " + arch + " --model lenet5 --bits w8a8 -o " + image).status, 0);
  Outcome o = cimvp("run --arch " + arch + " --firmware " + image + " --trace " + temp("t.json") +
                    " --trace-detail everything");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.output.find("--trace-detail must be 'layers', 'instructions' or 'crossbars', got 'everything'"),
            std::string::npos)
      << o.output;
  o = cimvp("run --arch " + arch + " --firmware " + image + " --trace-detail layers");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.output.find("--trace-detail needs --trace"), std::string::npos) << o.output;
}

}  // namespace
}  // namespace cimvp
