// Collects spans of a run and writes them as Chrome trace-event JSON, which
// Perfetto (ui.perfetto.dev) and chrome://tracing open: one thread track per
// core with complete slices per layer, per instruction kind (mvm, xprog,
// gpeu, dma, send, recv, barrier) and per wait; one async track per crossbar
// group of a core (the crossbars an mvm or xprog uses); counter tracks of
// each core's buffer and NoC bytes.
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
    samples_.clear();
  }
  void span(int core, const std::string& name, const char* category, Picos begin, Picos end) override;
  void track_span(const std::string& track, const std::string& name, const char* category, Picos begin,
                  Picos end) override;
  void counter(const std::string& name, Picos t, double value) override;
  void write(const std::string& path, int cores) const;
  size_t size() const { return spans_.size(); }

 private:
  struct Sample {
    std::string name;
    Picos t;
    double value;
  };
  struct Span {
    int core;  // < 0: `track`
    std::string track;
    std::string name;
    const char* category;
    Picos begin, end;
  };
  Picos start_ = 0;
  std::vector<Span> spans_;
  std::vector<Sample> samples_;
};

}  // namespace cimvp
