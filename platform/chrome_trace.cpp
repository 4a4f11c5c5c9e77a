#include "platform/chrome_trace.h"

#include <map>

#include <nlohmann/json.hpp>

#include "platform/report.h"

namespace cimvp {

namespace {

// "core 3 crossbars 0-3" -> 3: the core a group track or counter belongs to.
int core_of(const std::string& name) { return std::stoi(name.substr(5)); }

}  // namespace

void ChromeTrace::span(int core, const std::string& name, const char* category, Picos begin, Picos end) {
  spans_.push_back({core, "", name, category, begin - start_, end - start_});
}

void ChromeTrace::track_span(const std::string& track, const std::string& name, const char* category, Picos begin,
                             Picos end) {
  spans_.push_back({-1, track, name, category, begin - start_, end - start_});
}

void ChromeTrace::counter(const std::string& name, Picos t, double value) {
  samples_.push_back({name, t - start_, value});
}

void ChromeTrace::write(const std::string& path, int cores) const {
  nlohmann::json events = nlohmann::json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"tid", 0}, {"args", {{"name", "cimvp SoC"}}}});
  for (int c = 0; c < cores; ++c)
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", c},
                      {"args", {{"name", "core " + std::to_string(c)}}}});
  // Complete ("X") events sit on the core threads. A crossbar group's slices
  // are async ("b"/"e") events with the group as name and id: Perfetto gives
  // each such name and id a track of its own, named after the group.
  std::map<std::string, int> group_ids;
  for (const Span& s : spans_) {  // trace-event times are microseconds
    const double ts = double(s.begin) / 1e6, dur = double(s.end - s.begin) / 1e6;
    if (s.core >= 0) {
      events.push_back({{"name", s.name}, {"cat", s.category}, {"ph", "X"}, {"pid", 0}, {"tid", s.core},
                        {"ts", ts}, {"dur", dur}});
      continue;
    }
    const int id = group_ids.emplace(s.track, int(group_ids.size())).first->second;
    const int core = core_of(s.track);
    events.push_back({{"name", s.track}, {"cat", s.category}, {"ph", "b"}, {"pid", 0}, {"tid", core}, {"id", id},
                      {"ts", ts}, {"args", {{"instruction", s.name}}}});
    events.push_back({{"name", s.track}, {"cat", s.category}, {"ph", "e"}, {"pid", 0}, {"tid", core}, {"id", id},
                      {"ts", ts + dur}});
  }
  // Counters: one track per name; a sample only where the value changes.
  std::map<std::string, double> last;
  for (const Sample& c : samples_) {
    auto [it, fresh] = last.emplace(c.name, c.value);
    if (!fresh && it->second == c.value) continue;
    it->second = c.value;
    events.push_back({{"name", c.name}, {"ph", "C"}, {"pid", 0}, {"tid", core_of(c.name)}, {"ts", double(c.t) / 1e6},
                      {"args", {{"bytes", c.value}}}});
  }
  write_json_file({{"traceEvents", events}, {"displayTimeUnit", "ns"}}, path);
}

}  // namespace cimvp
