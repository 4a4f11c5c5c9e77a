#include "platform/chrome_trace.h"

#include <nlohmann/json.hpp>

#include "platform/report.h"

namespace cimvp {

void ChromeTrace::span(int core, const std::string& name, const char* category, Picos begin, Picos end) {
  spans_.push_back({core, name, category, begin - start_, end - start_});
}

void ChromeTrace::write(const std::string& path, int cores) const {
  nlohmann::json events = nlohmann::json::array();
  for (int c = 0; c < cores; ++c)
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", c},
                      {"args", {{"name", "core " + std::to_string(c)}}}});
  for (const Span& s : spans_)  // trace-event times are microseconds
    events.push_back({{"name", s.name}, {"cat", s.category}, {"ph", "X"}, {"pid", 0}, {"tid", s.core},
                      {"ts", double(s.begin) / 1e6}, {"dur", double(s.end - s.begin) / 1e6}});
  write_json_file({{"traceEvents", events}, {"displayTimeUnit", "ns"}}, path);
}

}  // namespace cimvp
