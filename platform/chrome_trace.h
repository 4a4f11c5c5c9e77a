// Collects spans of a run and writes them as Chrome trace-event JSON, which
// Perfetto (ui.perfetto.dev) and chrome://tracing open: one track per core,
// one slice per layer segment and per wait.
#pragma once

#include <string>
#include <vector>

#include "models/run_control.h"

namespace cimvp {

class ChromeTrace : public TraceSink {
 public:
  void begin_run(Picos start) override {
    start_ = start;
    spans_.clear();
  }
  void span(int core, const std::string& name, const char* category, Picos begin, Picos end) override;
  void write(const std::string& path, int cores) const;
  size_t size() const { return spans_.size(); }

 private:
  struct Span {
    int core;
    std::string name;
    const char* category;
    Picos begin, end;
  };
  Picos start_ = 0;
  std::vector<Span> spans_;
};

}  // namespace cimvp
