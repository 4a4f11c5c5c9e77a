#include "sweep/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <cstdio>

#include "common/error.h"
#include "sweep/run_point.h"

namespace cimvp {

namespace {

struct Child {
  pid_t pid = -1;
  int fd = -1;
  size_t index = 0;
  std::string out;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool timed_out = false;
  double limit = 0;
};

Child spawn(const WorkerPoolOptions& o, size_t index) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::string("sweep: pipe failed: ") + std::strerror(errno));
  const std::string point = std::to_string(index);
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("sweep: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDERR_FILENO);
    const char* argv[] = {o.executable.c_str(), "sweep-worker", "--config", o.config_path.c_str(),
                          "--point", point.c_str(), nullptr};
    ::execv(o.executable.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  ::close(fds[1]);
  Child c;
  c.pid = pid;
  c.fd = fds[0];
  c.index = index;
  return c;
}

nlohmann::json finish(const SweepConfig& config, const std::vector<SweepPoint>& points, Child& c) {
  ::close(c.fd);
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  const SweepPoint& p = points[c.index];
  // The record is the last non-empty line the worker printed.
  size_t end = c.out.find_last_not_of("\n");
  if (end != std::string::npos) {
    const size_t begin = c.out.rfind('\n', end);
    const std::string line = c.out.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin == std::string::npos ? 0 : begin + 1));
    try {
      nlohmann::json j = nlohmann::json::parse(line);
      if (j.value("id", "") == p.id) return j;
    } catch (const nlohmann::json::exception&) {
    }
  }
  if (c.timed_out) {
    char text[96];
    std::snprintf(text, sizeof text, "timed out after %g s (--timeout)", c.limit);
    return failed_point(config, p, text);
  }
  std::string why = WIFSIGNALED(status) ? "worker killed by signal " + std::to_string(WTERMSIG(status))
                                        : "worker exited with status " + std::to_string(WEXITSTATUS(status)) +
                                              " without a result";
  return failed_point(config, p, why);
}

}  // namespace

void run_in_workers(const WorkerPoolOptions& o, const SweepConfig& config, const std::vector<SweepPoint>& points,
                    const std::vector<size_t>& indices, const std::function<void(const nlohmann::json&)>& on_record,
                    const std::function<void()>& on_idle) {
  std::vector<Child> running;
  std::vector<nlohmann::json> finished;
  size_t next = 0;
  const size_t jobs = size_t(std::max(1, o.jobs));
  while (next < indices.size() || !running.empty()) {
    while (running.size() < jobs && next < indices.size()) running.push_back(spawn(o, indices[next++]));
    std::vector<pollfd> fds;
    for (const Child& c : running) fds.push_back({c.fd, POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), 50);
    if (n < 0 && errno != EINTR) throw Error(std::string("sweep: poll failed: ") + std::strerror(errno));
    for (size_t i = running.size(); i-- > 0;) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t got = ::read(running[i].fd, buf, sizeof buf);
      if (got > 0) {
        running[i].out.append(buf, size_t(got));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      finished.push_back(finish(config, points, running[i]));
      running.erase(running.begin() + long(i));
    }
    // Refill the pool before writing: the caller fsyncs each record, and the
    // cores should not wait for the disk.
    while (running.size() < jobs && next < indices.size()) running.push_back(spawn(o, indices[next++]));
    for (const nlohmann::json& record : finished) on_record(record);
    finished.clear();
    if (on_idle) on_idle();
    if (o.timeout_seconds > 0)
      for (Child& c : running)
        if (!c.timed_out &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count() > o.timeout_seconds) {
          ::kill(c.pid, SIGKILL);  // its pipe then reaches end-of-file and finish() records the timeout
          c.timed_out = true;
          c.limit = o.timeout_seconds;
        }
  }
}

}  // namespace cimvp
