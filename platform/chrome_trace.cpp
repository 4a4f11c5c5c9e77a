#include "platform/chrome_trace.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace cimvp {

namespace {

// Above this many cores the cores are grouped by mesh row, a process each:
// Perfetto lists a process's tracks under one collapsible header, and 64
// core threads side by side in one process cannot be told apart.
constexpr int kCoresInOneProcess = 16;

// Trace-event times are microseconds. They are written in whole nanoseconds,
// each end rounded on its own and a duration as the difference of its
// rounded ends: Perfetto's importer rounds every time to a nanosecond
// (llround(us x 1000)), so a slice that ends where another begins, or
// where its parent ends, still does after the rounding. Rounding the start
// and the duration separately could make them overlap by a nanosecond, and
// Perfetto drops slices that overlap partly.
Picos nanos(Picos ps) { return (ps + 500) / 1000; }

std::string micros_of_nanos(Picos ns) {
  char buf[32];
  const uint64_t whole = uint64_t(ns) / 1000, frac = uint64_t(ns) % 1000;
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%" PRIu64, whole);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%" PRIu64 ".%03" PRIu64, whole, frac);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  return s;
}

std::string micros(Picos ps) { return micros_of_nanos(nanos(ps)); }
std::string duration(Picos begin, Picos end) { return micros_of_nanos(nanos(end) - nanos(begin)); }

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

// Writes events one per line, comma-separated, as the members of traceEvents.
class EventWriter {
 public:
  explicit EventWriter(std::ofstream& out) : out_(out) {}
  void event(const std::string& body) {
    out_ << (first_ ? "\n{" : ",\n{") << body << '}';
    first_ = false;
  }

 private:
  std::ofstream& out_;
  bool first_ = true;
};

std::string metadata(const char* what, int pid, int tid, const std::string& value, const char* key = "name") {
  return std::string("\"name\":\"") + what + "\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
         ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"" + key + "\":" + value + "}";
}

// A counter's samples at their times; a sample equal to the one before adds
// nothing (a counter holds its value until the next sample).
struct CounterTrack {
  std::vector<std::pair<Picos, double>> samples;
  void add(Picos t, double v) {
    if (samples.empty() || samples.back().second != v) samples.emplace_back(t, v);
  }
};

// Rates and occupancies are averages over bins of the run: kRateBins of
// them, each a whole number of nanoseconds (the times' resolution). Bins
// keep a counter's size bounded whatever the run's length, where a sample
// per slice would double the trace.
constexpr Picos kRateBins = 400;

struct Bins {
  Picos width;
  std::vector<double> sums;
  explicit Bins(Picos run) {
    const Picos ns = std::max<Picos>(1, (run + 999) / 1000);
    width = 1000 * std::max<Picos>(1, (ns + kRateBins - 1) / kRateBins);
    sums.assign(size_t(std::max<Picos>(1, (run + width - 1) / width)), 0.0);
  }
  // Spreads `amount` evenly over [begin, end); an instant's all goes to its bin.
  void spread(Picos begin, Picos end, double amount) {
    if (end <= begin) {
      sums[std::min(size_t(begin / width), sums.size() - 1)] += amount;
      return;
    }
    for (Picos b = begin / width; b * width < end && size_t(b) < sums.size(); ++b) {
      const Picos lo = std::max(begin, b * width), hi = std::min(end, (b + 1) * width);
      sums[size_t(b)] += amount * double(hi - lo) / double(end - begin);
    }
  }
  // The counter: each bin's sum per picosecond, times `scale`, and 0 at the end.
  CounterTrack track(double scale) const {
    CounterTrack t;
    for (size_t b = 0; b < sums.size(); ++b) t.add(Picos(b) * width, sums[b] / double(width) * scale);
    t.add(Picos(sums.size()) * width, 0);
    return t;
  }
};

}  // namespace

TraceDetail parse_trace_detail(const std::string& name) {
  if (name == "layers") return TraceDetail::Layers;
  if (name == "instructions") return TraceDetail::Instructions;
  if (name == "crossbars") return TraceDetail::Crossbars;
  throw Error("--trace-detail must be 'layers', 'instructions' or 'crossbars', got '" + name + "'");
}

void ChromeTrace::begin_run(Picos start, const TraceLayout& layout) {
  start_ = start;
  layout_ = layout;
  slices_.clear();
  links_.clear();
  memory_.clear();
}

ChromeTrace::Slice ChromeTrace::make_slice(int core, std::string name, const char* category, Picos begin, Picos end,
                                           const SliceArgs& a) const {
  const EventCounts& e = a.events;
  return {std::move(name), category, core, begin - start_, end - start_, a.layer, a.first_crossbar, a.crossbars,
          a.bits, a.peer, a.flow, e.instructions, e.mvms, e.buffer_bytes, e.bytes_moved, e.memory_bytes_transferred,
          e.crossbars_used};
}

void ChromeTrace::span(int core, const std::string& name, const char* category, Picos begin, Picos end,
                       const SliceArgs& args) {
  slices_.push_back(make_slice(core, name, category, begin, end, args));
}

void ChromeTrace::crossbar_span(int core, const char* name, Picos begin, Picos end, const SliceArgs& args) {
  if (detail_ == TraceDetail::Crossbars) slices_.push_back(make_slice(core, name, "crossbar", begin, end, args));
}

void ChromeTrace::link_span(int link, Picos begin, Picos end, int from, int to, uint64_t bytes) {
  if (end > begin) links_.push_back({link, begin - start_, end - start_, from, to, bytes});
}

void ChromeTrace::memory_span(int core, bool write, uint64_t bytes, Picos arrival, Picos begin, Picos end) {
  memory_.push_back({core, write, bytes, arrival - start_, begin - start_, end - start_});
}

void ChromeTrace::write(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw Error(path + ": cannot open for writing");
  // No displayTimeUnit: some Perfetto versions took "ns" for the unit of the
  // times themselves.
  out << "{\"traceEvents\":[";
  EventWriter w(out);

  const int cores = layout_.cores, cols = std::max(layout_.mesh_cols, 1);
  const bool grouped = cores > kCoresInOneProcess;
  const int groups = grouped ? (cores + cols - 1) / cols : 1;
  auto pid_of = [&](int core) { return grouped ? 1 + core / cols : 1; };
  const int noc_pid = groups + 1, memory_pid = groups + 2;
  const int link_tid0 = cores, memory_tid = cores + int(layout_.link_names.size());
  auto node = [](int n) { return n < 0 ? std::string("memory") : "core " + std::to_string(n); };

  // Processes and threads, in the order a reader should list them.
  for (int g = 0; g < groups; ++g) {
    const int first = g * cols, last = std::min(cores, first + cols) - 1;
    const std::string name = grouped ? "cores " + std::to_string(first) + "-" + std::to_string(last) + " (mesh row " +
                                           std::to_string(g) + ")"
                                     : std::string("cores");
    w.event(metadata("process_name", g + 1, 0, quoted(name)));
    w.event(metadata("process_sort_index", g + 1, 0, std::to_string(g), "sort_index"));
  }
  for (int c = 0; c < cores; ++c) {
    w.event(metadata("thread_name", pid_of(c), c, quoted("core " + std::to_string(c))));
    w.event(metadata("thread_sort_index", pid_of(c), c, std::to_string(c), "sort_index"));
  }
  w.event(metadata("process_name", noc_pid, 0, quoted("NoC links")));
  w.event(metadata("process_sort_index", noc_pid, 0, std::to_string(groups), "sort_index"));
  w.event(metadata("process_name", memory_pid, 0, quoted("global memory")));
  w.event(metadata("process_sort_index", memory_pid, 0, std::to_string(groups + 1), "sort_index"));
  std::vector<bool> link_used(layout_.link_names.size(), false);
  for (const LinkBusy& l : links_) link_used[size_t(l.link)] = true;
  for (size_t l = 0; l < link_used.size(); ++l)
    if (link_used[l]) w.event(metadata("thread_name", noc_pid, link_tid0 + int(l), quoted(layout_.link_names[l])));
  if (!memory_.empty()) w.event(metadata("thread_name", memory_pid, memory_tid, quoted("channel")));

  auto cycles = [&](Picos dur) { return number(double(dur) / double(std::max<Picos>(layout_.cycle, 1))); };
  auto head = [&](const std::string& name, const char* cat, const char* ph, int pid, int tid, Picos ts) {
    return "\"name\":" + quoted(name) + ",\"cat\":\"" + cat + "\",\"ph\":\"" + ph + "\",\"pid\":" +
           std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + ",\"ts\":" + micros(ts);
  };

  // Core slices with their arguments, and the flow ends bound to sends and
  // recvs. In time order, a parent before the slices it holds: the models
  // report a slice when it ends, a layer after its instructions, and a
  // reader that keeps file order for equal times would nest them inside out.
  std::vector<std::pair<int, const Slice*>> ordered;  // (rank among equal times, slice)
  for (const Slice& s : slices_) {
    const std::string c = s.category;
    ordered.emplace_back(c == "run" ? 0 : c == "layer" ? 1 : c == "instruction" ? 2 : 3, &s);
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.second->begin != b.second->begin) return a.second->begin < b.second->begin;
    if (a.second->end != b.second->end) return a.second->end > b.second->end;
    return a.first < b.first;
  });
  std::map<std::string, int> group_ids;
  for (const auto& entry : ordered) {
    const Slice& s = *entry.second;
    std::string args = "\"cycles\":" + cycles(s.end - s.begin);
    if (s.layer >= 0 && s.category != std::string("layer"))
      args += ",\"layer\":" + quoted(layout_.layer_names.at(size_t(s.layer)));
    if (s.first_crossbar >= 0)
      args += ",\"crossbars\":\"" + std::to_string(s.first_crossbar) +
              (s.crossbars > 1 ? "-" + std::to_string(s.first_crossbar + s.crossbars - 1) : std::string()) + "\"";
    if (s.bits > 0) args += ",\"bits\":" + std::to_string(s.bits);
    // Instruction slices leave out the instructions they cover (scalar loop
    // code included: no count a reader wants) and the crossbars a layer uses.
    const bool whole = s.category == std::string("run") || s.category == std::string("layer");
    if (whole && s.instructions) args += ",\"instructions\":" + std::to_string(s.instructions);
    if (s.mvms) args += ",\"mvms\":" + std::to_string(s.mvms);
    if (whole && s.crossbars_used) args += ",\"crossbars_used\":" + std::to_string(s.crossbars_used);
    if (s.buffer_bytes) args += ",\"buffer_bytes\":" + std::to_string(s.buffer_bytes);
    if (s.noc_bytes) args += ",\"bytes_moved\":" + std::to_string(s.noc_bytes);
    if (s.memory_bytes) args += ",\"memory_bytes_transferred\":" + std::to_string(s.memory_bytes);
    const bool send = s.name == "send";
    if (s.peer >= 0) args += std::string(send ? ",\"to\":" : ",\"from\":") + quoted(node(s.peer));
    if (s.flow) args += ",\"message\":" + std::to_string(s.flow);

    if (s.category == std::string("crossbar")) {  // async events: a track of its own, named after the group
      std::string group = "core " + std::to_string(s.core) + " crossbars " + std::to_string(s.first_crossbar);
      if (s.crossbars > 1) group += "-" + std::to_string(s.first_crossbar + s.crossbars - 1);
      const std::string id = std::to_string(group_ids.emplace(group, int(group_ids.size())).first->second);
      w.event(head(group, "crossbar", "b", pid_of(s.core), s.core, s.begin) + ",\"id\":" + id +
              ",\"args\":{\"instruction\":\"" + s.name + "\"," + args + "}");
      w.event(head(group, "crossbar", "e", pid_of(s.core), s.core, s.end) + ",\"id\":" + id);
      continue;
    }
    const bool message = s.flow && s.category == std::string("instruction");
    if (detail_ == TraceDetail::Layers && s.category == std::string("instruction") && !message) continue;
    w.event(head(s.name, s.category, "X", pid_of(s.core), s.core, s.begin) + ",\"dur\":" + duration(s.begin, s.end) +
            ",\"args\":{" + args + "}");
    // A flow starts at its send and ends at its recv. Both ends have the
    // slice's time, thread and category, which binds them to it in every
    // reader (Perfetto: the enclosing slice; DevTools: the same ts and cat).
    if (message)
      w.event(head("message", "instruction", send ? "s" : "f", pid_of(s.core), s.core, s.begin) +
              ",\"id\":" + std::to_string(s.flow) + (send ? "" : ",\"bp\":\"e\""));
  }

  // NoC links and the memory channel: a slice per transfer that occupied them.
  Picos run_end = 1;  // the bins span every slice
  for (const Slice& s : slices_) run_end = std::max(run_end, s.end);
  for (const LinkBusy& l : links_) run_end = std::max(run_end, l.end);
  for (const MemoryBusy& m : memory_) run_end = std::max(run_end, m.end);
  Bins links_busy(run_end), channel_busy(run_end), queued(run_end);
  for (const LinkBusy& l : links_) {
    w.event(head(node(l.from) + " -> " + node(l.to), "noc", "X", noc_pid, link_tid0 + l.link, l.begin) +
            ",\"dur\":" + duration(l.begin, l.end) + ",\"args\":{\"cycles\":" + cycles(l.end - l.begin) +
            ",\"bytes\":" + std::to_string(l.bytes) + "}");
    links_busy.spread(l.begin, l.end, double(l.end - l.begin));
  }
  for (const MemoryBusy& m : memory_) {
    w.event(head(std::string(m.write ? "store " : "load ") + node(m.core), "memory", "X", memory_pid, memory_tid,
                 m.begin) +
            ",\"dur\":" + duration(m.begin, m.end) + ",\"args\":{\"cycles\":" + cycles(m.end - m.begin) +
            ",\"bytes\":" + std::to_string(m.bytes) + ",\"queued_cycles\":" + cycles(m.begin - m.arrival) + "}");
    channel_busy.spread(m.begin, m.end, double(m.end - m.begin));
    queued.spread(m.arrival, m.begin, double(m.begin - m.arrival));
  }

  // Counters, averaged over bins of the run. Rates: the GB/s a core's
  // instructions move in its buffer and over the NoC. Occupancy: how many
  // links are busy, how busy the memory channel is, how many DMAs wait for it.
  auto counter = [&](const std::string& name, const char* unit, int pid, int tid, const CounterTrack& track) {
    for (const auto& [t, v] : track.samples)
      w.event("\"name\":" + quoted(name) + ",\"ph\":\"C\",\"pid\":" + std::to_string(pid) + ",\"tid\":" +
              std::to_string(tid) + ",\"ts\":" + micros(t) + ",\"args\":{\"" + unit + "\":" + number(v) + "}");
  };
  std::vector<Bins> buffer(size_t(std::max(cores, 0)), Bins(run_end)), noc = buffer;
  std::vector<bool> traced(buffer.size(), false);
  for (const Slice& s : slices_)
    if (s.category == std::string("instruction") && s.core < cores) {
      buffer[size_t(s.core)].spread(s.begin, s.end, double(s.buffer_bytes));
      noc[size_t(s.core)].spread(s.begin, s.end, double(s.noc_bytes));
      traced[size_t(s.core)] = true;
    }
  for (int c = 0; c < cores; ++c) {
    if (!traced[size_t(c)]) continue;
    // bytes per ps x 1000 = GB/s
    counter("core " + std::to_string(c) + " buffer", "GB/s", pid_of(c), c, buffer[size_t(c)].track(1000));
    counter("core " + std::to_string(c) + " NoC", "GB/s", pid_of(c), c, noc[size_t(c)].track(1000));
  }
  counter("links busy", "links", noc_pid, 0, links_busy.track(1));
  counter("channel busy", "share", memory_pid, 0, channel_busy.track(1));
  counter("transfers queued", "transfers", memory_pid, 0, queued.track(1));

  out << "\n]}\n";
  if (!out) throw Error(path + ": write failed");
}

}  // namespace cimvp
