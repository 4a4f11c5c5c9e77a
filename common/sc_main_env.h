// Every cimvp executable that links SystemC starts through here: it silences
// SystemC's banner (so tools can parse our output, including gtest's test
// listing) and then enters SystemC, which calls sc_main.
#pragma once

#include <cstdlib>

#include <systemc>

namespace cimvp {

inline int enter_systemc(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

}  // namespace cimvp
