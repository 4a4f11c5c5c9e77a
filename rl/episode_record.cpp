#include "rl/episode_record.h"

#include <cstdio>

namespace cimvp::rl {
namespace {

std::string g9(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// CSV field: quoted when it holds a separator, a quote or a line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

std::string bits_text(const std::vector<int>& bits) {
  std::string s;
  for (size_t i = 0; i < bits.size(); ++i) s += (i ? "-" : "") + std::to_string(bits[i]);
  return s;
}

std::string csv_header() {
  return "episode,kind,weight_bits,activation_bits,accuracy,latency_seconds,cycles,energy_joules,cost_ratio,"
         "speedup,reward,meets_target,placement\n";
}

std::string csv_row(const EpisodeRecord& r) {
  return std::to_string(r.episode) + "," + r.kind + "," + bits_text(r.policy.weight_bits) + "," +
         bits_text(r.policy.activation_bits) + "," + g9(r.result.accuracy) + "," + g9(r.result.latency_seconds) + "," +
         std::to_string(r.result.cycles) + "," + g9(r.result.energy_joules) + "," + g9(r.cost_ratio) + "," +
         g9(r.speedup) + "," + g9(r.reward) + "," + (r.meets_target ? "1" : "0") + "," + field(r.result.placement) +
         "\n";
}

void save_result(BinaryWriter& w, const PolicyResult& r) {
  w.f64(r.accuracy);
  w.f64(r.latency_seconds);
  w.u64(r.cycles);
  w.f64(r.energy_joules);
  w.string(r.placement);
}

PolicyResult load_result(BinaryReader& r) {
  PolicyResult p;
  p.accuracy = r.f64();
  p.latency_seconds = r.f64();
  p.cycles = r.u64();
  p.energy_joules = r.f64();
  p.placement = r.string();
  return p;
}

void save_record(BinaryWriter& w, const EpisodeRecord& r) {
  w.i64(r.episode);
  w.string(r.kind);
  w.string(r.policy.model);
  w.ints(r.policy.weight_bits);
  w.ints(r.policy.activation_bits);
  save_result(w, r.result);
  w.f64(r.cost_ratio);
  w.f64(r.speedup);
  w.f64(r.reward);
  w.boolean(r.meets_target);
}

EpisodeRecord load_record(BinaryReader& r) {
  EpisodeRecord e;
  e.episode = int(r.i64());
  e.kind = r.string();
  e.policy.model = r.string();
  e.policy.weight_bits = r.ints();
  e.policy.activation_bits = r.ints();
  e.result = load_result(r);
  e.cost_ratio = r.f64();
  e.speedup = r.f64();
  e.reward = r.f64();
  e.meets_target = r.boolean();
  return e;
}

}  // namespace cimvp::rl
