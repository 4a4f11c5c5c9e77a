// The MPI side of `cimvp sweep`: rank 0 reads the results folder, broadcasts
// the pending points, runs its share and receives every other rank's records
// as JSON text, writing all of them; the other ranks run their share (every
// size-th pending point) in their own worker processes and send each record
// as it finishes, then an empty message to say they are done.
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "common/error.h"
#include "sweep/progress_bar.h"
#include "sweep/results_store.h"
#include "sweep/sweep_check.h"
#include "sweep/sweep_point.h"
#include "sweep/sweep_runner.h"
#include "sweep/worker_pool.h"

namespace cimvp {

namespace {

constexpr int kRecordTag = 1;

// Receives every record waiting (non-blocking); an empty message is a rank's
// end. Returns the number of ranks that ended.
int drain(const std::function<void(const nlohmann::json&)>& on_record) {
  int ended = 0;
  for (;;) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kRecordTag, MPI_COMM_WORLD, &flag, &status);
    if (!flag) return ended;
    int size = 0;
    MPI_Get_count(&status, MPI_CHAR, &size);
    std::string text(size_t(size), '\0');
    MPI_Recv(text.data(), size, MPI_CHAR, status.MPI_SOURCE, kRecordTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (text.empty()) ++ended;
    else on_record(nlohmann::json::parse(text));
  }
}

}  // namespace

SweepSummary run_sweep_mpi(const SweepOptions& o, int* rank_out) {
  MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  *rank_out = rank;
  const auto start = std::chrono::steady_clock::now();
  SweepSummary s;
  std::string error;
  std::unique_ptr<SweepConfig> config;
  std::vector<SweepPoint> points;
  std::unique_ptr<ResultsStore> store;
  std::vector<int> pending;
  try {
    config = std::make_unique<SweepConfig>(load_sweep_config(o.config_path));
    points = expand_points(*config);
    if (rank == 0) {
      s.warnings = check_sweep(*config).warnings;  // the other ranks run what rank 0 checked
      for (const std::string& w : s.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
      store = std::make_unique<ResultsStore>(o.output, *config, o.resume);
      for (const SweepPoint& p : points)
        if (!store->done().count(p.id)) pending.push_back(int(p.index));
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  // Rank 0's verdict on the inputs: -1 pending points = stop everywhere.
  int count = error.empty() ? int(pending.size()) : -1;
  MPI_Bcast(&count, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (count < 0) {
    MPI_Finalize();
    if (error.empty()) error = "rank 0 could not start the sweep (see its message)";
    throw Error(error);
  }
  if (!error.empty()) {  // a rank that cannot read the file rank 0 read
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  pending.resize(size_t(count));
  MPI_Bcast(pending.data(), count, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<size_t> mine;
  for (size_t i = size_t(rank); i < pending.size(); i += size_t(size)) mine.push_back(size_t(pending[i]));

  s.points = points.size();
  s.skipped = points.size() - pending.size();
  WorkerPoolOptions w;
  w.executable = o.executable;
  w.config_path = o.config_path;
  w.jobs = o.jobs;
  w.timeout_seconds = o.timeout_seconds;
  if (rank == 0) {
    auto write = [&](const nlohmann::json& record) {
      store->append(record);
      ++s.ran;
      if (record["error"].is_string()) ++s.failed;
      if (o.progress)
        std::fprintf(stderr, "\r%s (%d ranks)", sweep_progress_line(s.skipped + s.ran, s.points, s.failed,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()).c_str(), size);
    };
    int ended = 0;
    run_in_workers(w, *config, points, mine, write, [&] { ended += drain(write); });
    while (ended < size - 1) {
      ended += drain(write);
      if (ended < size - 1) {
        MPI_Status status;
        MPI_Probe(MPI_ANY_SOURCE, kRecordTag, MPI_COMM_WORLD, &status);
      }
    }
    if (o.progress) std::fprintf(stderr, "\n");
    s.failed_in_folder = failed_records(store->records());
  } else {
    run_in_workers(w, *config, points, mine, [&](const nlohmann::json& record) {
      const std::string text = record.dump();
      MPI_Send(text.data(), int(text.size()), MPI_CHAR, 0, kRecordTag, MPI_COMM_WORLD);
      ++s.ran;
      if (record["error"].is_string()) ++s.failed;
    });
    MPI_Send(nullptr, 0, MPI_CHAR, 0, kRecordTag, MPI_COMM_WORLD);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MPI_Finalize();
  return s;
}

}  // namespace cimvp
