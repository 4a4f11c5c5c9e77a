// Checks the Chrome trace that `cimvp run --trace` writes against what the
// same run reports and what its image says, without the trace writer's code
// (platform/chrome_trace.cpp): the file must be trace-event JSON (every event
// has name, ph, pid, tid; timed events ts >= 0, complete events dur >= 0);
// each core has a thread name, and each core with code one "run" span from
// the start of the run to the end the report gives for it (a core without
// code never starts and has no spans); layer and wait spans lie inside their
// core's run span; layer spans do not overlap on a core, are named after the
// image's layers, cover exactly the (core, layer) pairs whose code range is
// not empty, and start and end where the report says each layer does.
// Events of other kinds or categories are checked for the format only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/arch_config.h"
#include "firmware/image.h"

namespace cimvp::test {

inline void expect_trace_matches_run(const nlohmann::json& trace, const nlohmann::json& report,
                                     const FirmwareImage& image, const ArchConfig& arch) {
  // Times: the trace in microseconds (doubles), the report in whole cycles
  // of the architecture's clock (whole picoseconds each), rounded to nearest.
  const double cycle_ps = double(std::llround(1e6 / arch.clock_mhz));
  const double to_cycle = cycle_ps / 2 + 1e-3;  // a time and its rounding to cycles
  const double exact = 1e-3;                    // the same picosecond through a double in microseconds
  auto ps = [](const nlohmann::json& microseconds) { return microseconds.get<double>() * 1e6; };

  ASSERT_TRUE(trace.is_object());
  ASSERT_TRUE(trace.contains("traceEvents"));
  ASSERT_TRUE(trace["traceEvents"].is_array());

  struct Span {
    std::string name, category;
    int core;
    double begin, end;  // picoseconds from the start of the run
  };
  std::vector<Span> spans;
  std::map<int, std::string> thread_names;
  for (const nlohmann::json& e : trace["traceEvents"]) {
    ASSERT_TRUE(e.is_object()) << e.dump();
    for (const char* key : {"name", "ph", "pid", "tid"}) ASSERT_TRUE(e.contains(key)) << key << " in " << e.dump();
    ASSERT_TRUE(e["name"].is_string()) << e.dump();
    ASSERT_TRUE(e["ph"].is_string()) << e.dump();
    ASSERT_TRUE(e["pid"].is_number_integer()) << e.dump();
    ASSERT_TRUE(e["tid"].is_number_integer()) << e.dump();
    const std::string ph = e["ph"].get<std::string>();
    if (ph == "M") {  // metadata: no time
      if (e["name"] == "thread_name") thread_names[e["tid"].get<int>()] = e["args"]["name"].get<std::string>();
      continue;
    }
    ASSERT_TRUE(e.contains("ts") && e["ts"].is_number()) << e.dump();
    EXPECT_GE(e["ts"].get<double>(), 0.0) << e.dump();
    if (ph != "X") continue;
    ASSERT_TRUE(e.contains("dur") && e["dur"].is_number()) << e.dump();
    EXPECT_GE(e["dur"].get<double>(), 0.0) << e.dump();
    ASSERT_TRUE(e.contains("cat") && e["cat"].is_string()) << e.dump();
    EXPECT_EQ(e["pid"].get<int>(), 0) << e.dump();
    const int core = e["tid"].get<int>();
    ASSERT_GE(core, 0) << e.dump();
    ASSERT_LT(core, arch.cores()) << e.dump();
    const double begin = ps(e["ts"]);
    spans.push_back({e["name"].get<std::string>(), e["cat"].get<std::string>(), core, begin, begin + ps(e["dur"])});
  }

  // One track per core, and one run span per core, where the report puts it.
  ASSERT_EQ(report["cores"].size(), size_t(arch.cores()));
  std::vector<const Span*> run(static_cast<size_t>(arch.cores()), nullptr);
  for (const Span& s : spans)
    if (s.category == "run") {
      EXPECT_EQ(run[size_t(s.core)], nullptr) << "two run spans on core " << s.core;
      run[size_t(s.core)] = &s;
    }
  double last_end = 0;
  for (int c = 0; c < arch.cores(); ++c) {
    SCOPED_TRACE("core " + std::to_string(c));
    EXPECT_EQ(thread_names[c], "core " + std::to_string(c));
    // A core the image gives no code is never started: it has no spans at all.
    const bool has_code = size_t(c) < image.cores.size() && !image.cores[size_t(c)].code.empty();
    if (!has_code) {
      for (const Span& s : spans)
        EXPECT_NE(s.core, c) << s.category << " span '" << s.name << "' on a core without code";
      continue;
    }
    ASSERT_NE(run[size_t(c)], nullptr);
    const nlohmann::json& rc = report["cores"][size_t(c)];
    ASSERT_EQ(rc["id"].get<int>(), c);
    EXPECT_NEAR(run[size_t(c)]->begin, 0.0, to_cycle);
    EXPECT_NEAR(run[size_t(c)]->end, double(rc["end_cycle"].get<uint64_t>()) * cycle_ps, to_cycle);
    last_end = std::max(last_end, run[size_t(c)]->end);
  }
  EXPECT_NEAR(last_end, double(report["cycles"].get<uint64_t>()) * cycle_ps, to_cycle);

  // Layer and wait spans inside their core's run; layers one after another.
  std::set<std::pair<int, std::string>> traced;  // (core, layer) pairs with a span
  std::map<std::string, std::pair<double, double>> layer_extent;
  std::map<int, std::vector<std::pair<double, double>>> layer_times;
  for (const Span& s : spans) {
    if (s.category != "layer" && s.category != "wait") continue;
    SCOPED_TRACE(s.category + " span '" + s.name + "' on core " + std::to_string(s.core));
    ASSERT_NE(run[size_t(s.core)], nullptr) << "no run span around it";
    const Span& r = *run[size_t(s.core)];
    EXPECT_GE(s.begin, r.begin - exact);
    EXPECT_LE(s.end, r.end + exact);
    if (s.category != "layer") continue;
    EXPECT_NE(std::find(image.layer_names.begin(), image.layer_names.end(), s.name), image.layer_names.end());
    traced.insert({s.core, s.name});
    auto [it, first] = layer_extent.insert({s.name, {s.begin, s.end}});
    if (!first) it->second = {std::min(it->second.first, s.begin), std::max(it->second.second, s.end)};
    layer_times[s.core].push_back({s.begin, s.end});
  }
  for (auto& [core, times] : layer_times) {
    std::sort(times.begin(), times.end());
    for (size_t i = 1; i < times.size(); ++i)
      EXPECT_GE(times[i].first, times[i - 1].second - exact) << "overlapping layer spans on core " << core;
  }

  // Every layer a core has code for, and no other, is traced on that core.
  std::set<std::pair<int, std::string>> expected;
  for (size_t c = 0; c < image.cores.size(); ++c)
    for (const LayerRange& l : image.cores[c].layers)
      if (l.end > l.begin) expected.insert({int(c), image.layer_names.at(l.layer)});
  EXPECT_EQ(traced, expected);

  // Each layer starts and ends where the report says.
  ASSERT_EQ(report["layers"].size(), image.layer_names.size());
  for (const nlohmann::json& l : report["layers"]) {
    const std::string name = l["name"].get<std::string>();
    auto it = layer_extent.find(name);
    if (it == layer_extent.end()) continue;  // no code on any core: nothing to trace
    SCOPED_TRACE("layer " + name);
    EXPECT_NEAR(it->second.first, double(l["start_cycle"].get<uint64_t>()) * cycle_ps, to_cycle);
    EXPECT_NEAR(it->second.second, double(l["end_cycle"].get<uint64_t>()) * cycle_ps, to_cycle);
  }
}

}  // namespace cimvp::test
