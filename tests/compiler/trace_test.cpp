// `cimvp run --trace` for Perfetto: a compiled network's timing run at the
// most detail gives tracks per core and per crossbar group, slices per
// instruction kind and per layer, counters of buffer and NoC bandwidth, and
// every track's slices nest properly (Perfetto drops slices that overlap
// partially).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "compiler/compile.h"
#include "nn/model_source.h"
#include "platform/chrome_trace.h"
#include "platform/soc.h"

namespace cimvp {
namespace {

TEST(Trace, TracksSlicesAndCountersForPerfetto) {
  const ArchConfig arch = load_arch_config(std::string(CIMVP_SOURCE_DIR) + "/configs/arch/default.yaml");
  const ModelFile model = load_model_structure("vgg-small");
  CompileOptions options;
  options.timing_only = true;
  const CompileResult compiled =
      compile(quantize_any(model, uniform_policy(model.graph.quantizable_layers().size(), 8, 8)), arch, options);
  Soc soc("soc", arch);
  soc.load(compiled.image, "vgg-small");
  ChromeTrace trace(TraceDetail::Crossbars);
  soc.run(RunMode::Timing, {}, &trace);
  const std::string path = "/tmp/cimvp_trace_test_" + std::to_string(::getpid()) + ".json";
  trace.write(path);
  nlohmann::json j;
  std::ifstream(path) >> j;
  std::remove(path.c_str());

  std::map<int, std::string> track_names;
  std::map<int, std::vector<std::pair<double, double>>> slices;
  std::set<std::string> kinds, layers, counters, groups, group_kinds;
  std::map<std::string, int> open_groups;  // async begin minus end per group
  for (const auto& e : j["traceEvents"]) {
    for (const char* key : {"name", "ph", "pid", "tid"}) ASSERT_TRUE(e.contains(key)) << e.dump();
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "thread_name" && e["tid"].get<int>() < arch.cores())
      track_names[e["tid"]] = e["args"]["name"];
    const std::string cat = e.value("cat", "");
    if (ph == "X" && cat != "noc" && cat != "memory") {
      ASSERT_LT(e["tid"].get<int>(), arch.cores());  // the others are on the core tracks
      slices[e["tid"]].emplace_back(e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>());
      if (e["cat"] == "instruction") kinds.insert(e["name"].get<std::string>());
      if (e["cat"] == "layer") layers.insert(e["name"].get<std::string>());
    }
    if (ph == "b" || ph == "e") {
      const std::string group = e["name"];
      EXPECT_EQ(group.rfind("core " + std::to_string(e["tid"].get<int>()) + " crossbars ", 0), 0u) << group;
      groups.insert(group);
      open_groups[group] += ph == "b" ? 1 : -1;
      EXPECT_GE(open_groups[group], 0) << group;
      EXPECT_LE(open_groups[group], 1) << group << ": a group runs one instruction at a time";
      if (ph == "b") group_kinds.insert(e["args"]["instruction"].get<std::string>());
    }
    if (ph == "C") counters.insert(e["name"].get<std::string>());
  }
  for (int c = 0; c < arch.cores(); ++c) {
    EXPECT_EQ(track_names[c], "core " + std::to_string(c));
    EXPECT_TRUE(counters.count("core " + std::to_string(c) + " buffer")) << c;
    EXPECT_TRUE(counters.count("core " + std::to_string(c) + " NoC")) << c;
  }
  EXPECT_GE(groups.size(), size_t(arch.cores()));
  for (const auto& [group, open] : open_groups) EXPECT_EQ(open, 0) << group;
  EXPECT_EQ(group_kinds, (std::set<std::string>{"mvm", "xprog"}));
  for (const char* k : {"mvm", "xprog", "gpeu", "dma", "barrier"}) EXPECT_TRUE(kinds.count(k)) << k;
  for (const auto& op : compiled.plan) EXPECT_TRUE(layers.count(op.name)) << op.name;
  // Proper nesting on every track: a slice that starts inside another ends inside it.
  for (auto& [tid, s] : slices) {
    std::sort(s.begin(), s.end(), [](auto a, auto b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
    std::vector<std::pair<double, double>> open;
    for (const auto& x : s) {
      while (!open.empty() && open.back().second <= x.first + 1e-9) open.pop_back();
      if (!open.empty()) {
        EXPECT_LE(x.second, open.back().second + 1e-9) << track_names[tid] << " at " << x.first;
      }
      open.push_back(x);
    }
  }
}

}  // namespace
}  // namespace cimvp
