// One line of text for a search's progress, for the command line's progress
// bar (redrawn with '\r'):
//   [#######.............]  120/600  best 153.21 (2.48x, 91.23 %)  ETA 12m03s
#pragma once

#include <string>

#include "rl/search.h"

namespace cimvp::rl {

// `width` is the number of bar cells. Before any policy meets the accuracy
// target the best part reads "best: none yet". A latency-only search
// (SearchProgress::precision_proxy) shows its best policy's effective bits
// instead of an accuracy: "best -2.10 (2.01x, 6.32 bits)".
std::string progress_line(const SearchProgress& p, int width = 20);

}  // namespace cimvp::rl
