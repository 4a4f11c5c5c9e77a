// Work on the items [0, count) split over several processes: contiguous
// ranges, the first in this process, each other one in a child forked from
// it. A child goes on from this process's state: the SoC elaborated and
// loaded (SystemC's processes are coroutines of this one thread, so fork
// copies them whole), the dataset, the network. It runs its range, sends
// its result back as bytes and ends; nothing it does reaches this process
// otherwise. Threads of this process (a training pool) are not in the
// child, and the work must not need them.
//
// The VP classifies a run's images this way on several cores with the
// same result as in one process: each inference's read noise and age
// depend on its index alone (Soc::set_next_inference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cimvp::flow {

// tick(done, hits): this range has done `done` items, `hits` of them hits
// (correct predictions, say); counts, not increments.
using RangeTick = std::function<void(uint64_t done, uint64_t hits)>;
// The work of one range [begin, end): its result as bytes.
using RangeWork = std::function<std::string(size_t begin, size_t end, const RangeTick& tick)>;

// Every range's result, in range order. `processes` is capped at `count`;
// 1 runs everything here without forking. progress(done, hits) over all
// ranges is called from this process as its own range ticks. A child's
// cimvp::Error comes back as the same error; a child that dies is an
// error naming its range and how it ended.
std::vector<std::string> run_in_processes(size_t count, int processes, const RangeWork& work,
                                          const RangeTick& progress = {});

}  // namespace cimvp::flow
