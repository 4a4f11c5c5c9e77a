// The test runner: SystemC elaborates once per process, so each test binary
// has its own sc_main that runs the tests, and ctest runs every test in its
// own process (gtest_discover_tests).
#include <gtest/gtest.h>

#include "common/sc_main_env.h"

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char** argv) { return cimvp::enter_systemc(argc, argv); }
