#include "sweep/policy_layer_times.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "firmware/image.h"

namespace cimvp {

namespace {

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `command`; its output when it fails.
bool run(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return false;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  return pclose(p) == 0;
}

}  // namespace

LayerTimes vp_layer_times(const std::string& cimvp, const std::string& model, const Policy& policy,
                          const nlohmann::json& architecture, const std::string& placement) {
  namespace fs = std::filesystem;
  LayerTimes t;
  std::string dir = (fs::temp_directory_path() / "cimvp_report_XXXXXX").string();
  if (!mkdtemp(dir.data())) {
    t.error = "cannot create a temporary folder";
    return t;
  }
  std::ofstream(dir + "/arch.json") << nlohmann::json{{"architecture", architecture}}.dump();
  save_policy(policy, dir + "/policy.yaml");
  std::string out;
  const std::string compile = quoted(cimvp) + " compile --arch " + quoted(dir + "/arch.json") + " --model " +
                              quoted(model) + " --policy " + quoted(dir + "/policy.yaml") + " --timing-only -o " +
                              quoted(dir + "/net.img") +
                              (placement.empty() || placement == "analytic" ? "" : " --placement " + placement);
  const std::string run_vp = quoted(cimvp) + " run --arch " + quoted(dir + "/arch.json") + " --firmware " +
                             quoted(dir + "/net.img") + " --mode timing --report " + quoted(dir + "/report.json");
  if (!run(compile, &out) || !run(run_vp, &out)) {
    t.error = out.substr(0, out.find('\n'));
  } else {
    try {
      std::ifstream in(dir + "/report.json");
      const nlohmann::json r = nlohmann::json::parse(in);
      for (const nlohmann::json& l : r.at("layers"))
        if (l.at("name") != kSetupLayerName) t.seconds.emplace_back(l.at("name"), l.at("seconds").get<double>());
    } catch (const std::exception& e) {
      t.error = std::string("the run's report: ") + e.what();
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return t;
}

}  // namespace cimvp
