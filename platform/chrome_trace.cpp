#include "platform/chrome_trace.h"

#include <map>

#include <nlohmann/json.hpp>

#include "platform/report.h"

namespace cimvp {

void ChromeTrace::span(int core, const std::string& name, const char* category, Picos begin, Picos end) {
  spans_.push_back({core, "", name, category, begin - start_, end - start_});
}

void ChromeTrace::track_span(const std::string& track, const std::string& name, const char* category, Picos begin,
                             Picos end) {
  spans_.push_back({-1, track, name, category, begin - start_, end - start_});
}

void ChromeTrace::counter(const std::string& name, Picos t, double value) {
  if (!samples_.empty() && samples_.back().name == name && samples_.back().value == value) return;
  samples_.push_back({name, t - start_, value});
}

void ChromeTrace::write(const std::string& path, int cores) const {
  nlohmann::json events = nlohmann::json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"args", {{"name", "cimvp SoC"}}}});
  for (int c = 0; c < cores; ++c) {
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", c},
                      {"args", {{"name", "core " + std::to_string(c)}}}});
    events.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 0}, {"tid", c},
                      {"args", {{"sort_index", c * 1000}}}});
  }
  // Crossbar-group tracks get thread ids after the cores', sorted under their core.
  std::map<std::string, int> track_ids;
  for (const Span& s : spans_)
    if (s.core < 0 && !track_ids.count(s.track)) {
      const int tid = cores + int(track_ids.size());
      track_ids[s.track] = tid;
      const int core = std::stoi(s.track.substr(5));  // "core N crossbars ..."
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", tid}, {"args", {{"name", s.track}}}});
      events.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 0}, {"tid", tid},
                        {"args", {{"sort_index", core * 1000 + 1 + int(track_ids.size())}}}});
    }
  for (const Span& s : spans_)  // trace-event times are microseconds
    events.push_back({{"name", s.name}, {"cat", s.category}, {"ph", "X"}, {"pid", 0},
                      {"tid", s.core >= 0 ? s.core : track_ids.at(s.track)},
                      {"ts", double(s.begin) / 1e6}, {"dur", double(s.end - s.begin) / 1e6}});
  for (const Sample& c : samples_)
    events.push_back({{"name", c.name}, {"ph", "C"}, {"pid", 0}, {"ts", double(c.t) / 1e6}, {"args", {{"bytes", c.value}}}});
  write_json_file({{"traceEvents", events}, {"displayTimeUnit", "ns"}}, path);
}

}  // namespace cimvp
