#include "flow/run_in_processes.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace cimvp::flow {

namespace {

// Every range's (done, hits), shared with the children: they tick into it,
// this process reads the sums.
class SharedCounts {
 public:
  explicit SharedCounts(size_t ranges) : bytes_(2 * ranges * sizeof(std::atomic<uint64_t>)) {
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw Error(std::string("run_in_processes: mmap failed: ") + std::strerror(errno));
    counts_ = new (p) std::atomic<uint64_t>[2 * ranges]();
    ranges_ = ranges;
  }
  ~SharedCounts() { ::munmap(counts_, bytes_); }
  SharedCounts(const SharedCounts&) = delete;
  SharedCounts& operator=(const SharedCounts&) = delete;

  void set(size_t range, uint64_t done, uint64_t hits) {
    counts_[2 * range].store(done, std::memory_order_relaxed);
    counts_[2 * range + 1].store(hits, std::memory_order_relaxed);
  }
  std::pair<uint64_t, uint64_t> sum() const {
    uint64_t done = 0, hits = 0;
    for (size_t r = 0; r < ranges_; ++r) {
      done += counts_[2 * r].load(std::memory_order_relaxed);
      hits += counts_[2 * r + 1].load(std::memory_order_relaxed);
    }
    return {done, hits};
  }

 private:
  size_t bytes_, ranges_ = 0;
  std::atomic<uint64_t>* counts_ = nullptr;
};

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

std::string read_all(int fd) {
  std::string s;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd, buffer, sizeof buffer);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return s;
    s.append(buffer, size_t(r));
  }
}

// A child's message: one status byte ('r' result, 'e' error), then the bytes.
[[noreturn]] void child_main(int fd, const RangeWork& work, size_t begin, size_t end, SharedCounts& counts,
                             size_t range) {
  std::string message;
  try {
    message = 'r' + work(begin, end, [&](uint64_t done, uint64_t hits) { counts.set(range, done, hits); });
  } catch (const std::exception& e) {
    message = std::string("e") + e.what();
  }
  const bool sent = write_all(fd, message.data(), message.size());
  ::close(fd);
  ::_exit(sent ? 0 : 3);  // no destructors, no atexit: the parent owns everything
}

}  // namespace

std::vector<std::string> run_in_processes(size_t count, int processes, const RangeWork& work,
                                          const RangeTick& progress) {
  const size_t ranges = std::max<size_t>(1, std::min<size_t>(count, size_t(std::max(1, processes))));
  auto range_begin = [&](size_t r) { return count * r / ranges; };
  if (ranges == 1) return {work(0, count, progress ? progress : RangeTick([](uint64_t, uint64_t) {}))};

  SharedCounts counts(ranges);
  struct Child {
    pid_t pid;
    int fd;
  };
  std::vector<Child> children;
  auto reap = [&](size_t from) {
    for (size_t i = from; i < children.size(); ++i) {
      ::close(children[i].fd);
      ::kill(children[i].pid, SIGKILL);
      while (::waitpid(children[i].pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  };
  for (size_t r = 1; r < ranges; ++r) {
    int fds[2];
    if (::pipe(fds) != 0) {
      reap(0);
      throw Error(std::string("run_in_processes: pipe failed: ") + std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      reap(0);
      throw Error(std::string("run_in_processes: fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {
      ::close(fds[0]);
      for (const Child& c : children) ::close(c.fd);
      child_main(fds[1], work, range_begin(r), range_begin(r + 1), counts, r);
    }
    ::close(fds[1]);
    children.push_back({pid, fds[0]});
  }

  std::vector<std::string> results(ranges);
  try {
    results[0] = work(0, range_begin(1), [&](uint64_t done, uint64_t hits) {
      counts.set(0, done, hits);
      if (progress) {
        const auto [all_done, all_hits] = counts.sum();
        progress(all_done, all_hits);
      }
    });
  } catch (...) {
    reap(0);
    throw;
  }
  for (size_t i = 0; i < children.size(); ++i) {
    const size_t r = i + 1;
    std::string message = read_all(children[i].fd);
    ::close(children[i].fd);
    int status = 0;
    while (::waitpid(children[i].pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string which = "the process for items [" + std::to_string(range_begin(r)) + ", " +
                              std::to_string(range_begin(r + 1)) + ")";
    if (!message.empty() && message[0] == 'e') {
      reap(i + 1);
      throw Error(message.substr(1));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || message.empty()) {
      reap(i + 1);
      throw Error(which + (WIFSIGNALED(status) ? " was killed by signal " + std::to_string(WTERMSIG(status))
                                               : " ended with status " + std::to_string(WEXITSTATUS(status))) +
                  " before sending its result");
    }
    results[r] = message.substr(1);
  }
  if (progress) {
    const auto [all_done, all_hits] = counts.sum();
    progress(all_done, all_hits);
  }
  return results;
}

}  // namespace cimvp::flow
