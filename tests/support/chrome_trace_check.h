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
// Every core slice states its cycles; the counts its arguments carry add up
// to the report: a layer's over the cores to the report's layer, the
// instruction slices' to the report's totals (every instruction that moves
// bytes or reads crossbars is traced). Each send starts one flow that ends at
// the recv of the same message on its destination, no earlier, with the same bytes, and
// the messages' bytes are the report's moved bytes less the DMA's, counted at
// both ends. Each core's bandwidth counters integrate over time to the bytes
// the report gives the core; the memory channel's slices carry every DMA
// byte and never overlap, nor do the slices of a NoC link.
// Events of other kinds or categories are checked for the format only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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
  // Times: the trace in microseconds (doubles) of whole nanoseconds, each
  // time rounded to its nearest; the report in whole cycles of the
  // architecture's clock (whole picoseconds each), rounded to nearest.
  const double cycle_ps = double(std::llround(1e6 / arch.clock_mhz));
  const double to_ns = 500 + 1e-3;                  // a time and its rounding to nanoseconds
  const double to_cycle = cycle_ps / 2 + to_ns;     // a time in the trace and its rounding to cycles
  const double exact = 1e-3;                        // the same nanosecond through a double in microseconds
  auto ps = [](const nlohmann::json& microseconds) { return microseconds.get<double>() * 1e6; };

  ASSERT_TRUE(trace.is_object());
  ASSERT_TRUE(trace.contains("traceEvents"));
  ASSERT_TRUE(trace["traceEvents"].is_array());

  struct Span {
    std::string name, category;
    int core;
    double begin, end;  // picoseconds from the start of the run
    nlohmann::json args;
  };
  const std::set<std::string> core_categories = {"run", "layer", "instruction", "wait"};
  std::map<std::string, std::vector<std::pair<int, double>>> flow_ends;  // "s"/"f": (core, ps)
  std::map<uint64_t, int> flow_starts, flow_finishes;                      // per message id
  std::map<std::string, std::vector<std::pair<double, double>>> counters;  // name: (ps, value)
  std::map<std::string, std::vector<std::pair<double, double>>> resources;  // noc/memory thread: busy times
  uint64_t memory_slice_bytes = 0;
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
    if (ph == "s" || ph == "f") {
      flow_ends[ph].push_back({e["tid"].get<int>(), ps(e["ts"])});
      (ph == "s" ? flow_starts : flow_finishes)[e["id"].get<uint64_t>()]++;
    }
    if (ph == "C") {
      ASSERT_EQ(e["args"].size(), 1u) << e.dump();
      counters[e["name"].get<std::string>()].push_back({ps(e["ts"]), e["args"].begin()->get<double>()});
    }
    if (ph != "X") continue;
    ASSERT_TRUE(e.contains("dur") && e["dur"].is_number()) << e.dump();
    EXPECT_GE(e["dur"].get<double>(), 0.0) << e.dump();
    ASSERT_TRUE(e.contains("cat") && e["cat"].is_string()) << e.dump();
    ASSERT_TRUE(e.contains("args") && e["args"].is_object() && e["args"].contains("cycles")) << e.dump();
    // cycles: of the exact duration, which the trace rounds at both ends
    EXPECT_NEAR(e["args"]["cycles"].get<double>() * cycle_ps, ps(e["dur"]), 2 * to_ns + 1e-5 * ps(e["dur"]))
        << e.dump();
    const std::string category = e["cat"].get<std::string>();
    const double begin = ps(e["ts"]);
    if (!core_categories.count(category)) {  // a NoC link's or the memory channel's
      resources[std::to_string(e["pid"].get<int>()) + "/" + std::to_string(e["tid"].get<int>())].push_back(
          {begin, begin + ps(e["dur"])});
      if (category == "memory") memory_slice_bytes += e["args"]["bytes"].get<uint64_t>();
      continue;
    }
    const int core = e["tid"].get<int>();
    ASSERT_GE(core, 0) << e.dump();
    ASSERT_LT(core, arch.cores()) << e.dump();
    spans.push_back({e["name"].get<std::string>(), category, core, begin, begin + ps(e["dur"]), e["args"]});
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

  // Counts in the arguments add up to the report.
  const char* const counts[] = {"instructions", "mvms", "buffer_bytes", "bytes_moved", "memory_bytes_transferred",
                                "crossbars_used"};
  auto count = [](const Span& s, const char* key) { return s.args.value(key, uint64_t(0)); };
  std::map<std::string, std::map<std::string, uint64_t>> per_layer;
  std::map<std::string, uint64_t> instruction_sum;
  for (const Span& s : spans)
    for (const char* key : counts) {
      if (s.category == "layer") per_layer[s.name][key] += count(s, key);
      if (s.category == "instruction") instruction_sum[key] += count(s, key);
    }
  for (const nlohmann::json& l : report["layers"]) {
    auto it = per_layer.find(l["name"].get<std::string>());
    if (it == per_layer.end()) continue;
    for (const char* key : counts)
      EXPECT_EQ(it->second[key], l[key].get<uint64_t>()) << "layer " << it->first << " " << key;
  }
  const nlohmann::json& totals = report["totals"];
  for (const char* key : {"mvms", "buffer_bytes", "bytes_moved", "memory_bytes_transferred"})
    EXPECT_EQ(instruction_sum[key], totals[key].get<uint64_t>()) << "instruction slices' " << key;

  // Flows: one per message, from its send to its recv.
  std::map<uint64_t, const Span*> sends, recvs;
  for (const Span& s : spans)
    if (s.category == "instruction" && (s.name == "send" || s.name == "recv")) {
      ASSERT_TRUE(s.args.contains("message")) << s.name << " on core " << s.core << " carries no message id";
      auto& side = s.name == "send" ? sends : recvs;
      EXPECT_TRUE(side.emplace(s.args["message"].get<uint64_t>(), &s).second) << "message id used twice";
    }
  EXPECT_EQ(sends.size(), recvs.size());
  uint64_t message_bytes = 0;
  for (const auto& [id, send] : sends) {
    SCOPED_TRACE("message " + std::to_string(id));
    auto r = recvs.find(id);
    ASSERT_NE(r, recvs.end()) << "no recv";
    const Span& recv = *r->second;
    EXPECT_EQ(send->args["to"], "core " + std::to_string(recv.core));
    EXPECT_EQ(recv.args["from"], "core " + std::to_string(send->core));
    EXPECT_EQ(count(*send, "bytes_moved"), count(recv, "bytes_moved"));
    EXPECT_LE(send->begin, recv.begin) << "a flow that runs back in time";
    message_bytes += count(*send, "bytes_moved");
    EXPECT_EQ(flow_starts[id], 1);
    EXPECT_EQ(flow_finishes[id], 1);
  }
  EXPECT_EQ(flow_starts.size(), sends.size());
  EXPECT_EQ(flow_finishes.size(), recvs.size());
  EXPECT_EQ(2 * message_bytes,
            totals["bytes_moved"].get<uint64_t>() - totals["memory_bytes_transferred"].get<uint64_t>());
  // Each flow end sits at the start of a send (s) or recv (f) slice of its core.
  std::set<std::pair<int, double>> send_starts, recv_starts;
  for (const auto& [id, s] : sends) send_starts.insert({s->core, s->begin});
  for (const auto& [id, s] : recvs) recv_starts.insert({s->core, s->begin});
  for (const auto& [core, t] : flow_ends["s"]) {
    EXPECT_TRUE(send_starts.count({core, t})) << "flow start on core " << core;
  }
  for (const auto& [core, t] : flow_ends["f"]) {
    EXPECT_TRUE(recv_starts.count({core, t})) << "flow end on core " << core;
  }

  // Rate counters integrate to each core's bytes.
  for (int c = 0; c < arch.cores(); ++c) {
    const nlohmann::json& rc = report["cores"][size_t(c)];
    using Counter = std::pair<const char*, const char*>;  // name suffix, report key
    for (const auto& [suffix, key] : {Counter{" buffer", "buffer_bytes"}, Counter{" NoC", "bytes_moved"}}) {
      const std::string name = "core " + std::to_string(c) + suffix;
      const auto& samples = counters[name];
      double bytes = 0;  // GB/s x ps = 1e-3 bytes
      for (size_t i = 0; i + 1 < samples.size(); ++i)
        bytes += samples[i].second * (samples[i + 1].first - samples[i].first) * 1e-3;
      const double expected = double(rc[key].get<uint64_t>());
      if (samples.empty()) {  // a core without traced instructions
        EXPECT_EQ(expected, 0.0) << name << " is missing";
        continue;
      }
      EXPECT_EQ(samples.back().second, 0.0) << name << " does not return to zero";
      EXPECT_NEAR(bytes, expected, 1e-5 * expected + 1e-6) << name;
    }
  }

  // The memory channel carries every DMA byte; no resource serves two transfers at once.
  EXPECT_EQ(memory_slice_bytes, totals["memory_bytes_transferred"].get<uint64_t>());
  for (auto& [track, busy] : resources) {
    std::sort(busy.begin(), busy.end());
    for (size_t i = 1; i < busy.size(); ++i)
      EXPECT_GE(busy[i].first, busy[i - 1].second - exact) << "overlapping transfers on " << track;
  }
}

}  // namespace cimvp::test
