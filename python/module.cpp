// cimvp._cimvp: the C++ side of the `cimvp` Python package (python/cimvp/
// wraps it). SystemC is entered without sc_elab_and_sim: the first SoC is
// elaborated when the first run asks for it (flow::soc_for).
#include <cstdlib>

#include "common/provenance.h"
#include "common/version.h"
#include "python/bindings.h"

// libsystemc refers to sc_main (extern "C"), which only a SystemC
// executable's sc_elab_and_sim calls; the interpreter is the executable
// here, so the module gives the symbol, visible to the library it loads.
extern "C" __attribute__((visibility("default"))) int sc_main(int, char**) { return 0; }

namespace cimvp::python {

std::mutex& soc_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace cimvp::python

PYBIND11_MODULE(_cimvp, m) {
  using namespace cimvp::python;
  m.doc() = "cimvp's virtual platform, compiler and quantizer (see the cimvp package for the documented API)";
  // SystemC prints its banner on the first elaboration unless told not to.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // Reports record the command that made them; from Python, the interpreter's.
  static char python_name[] = "python3 (cimvp module)";
  static char* argv[] = {python_name, nullptr};
  cimvp::set_command_line(1, argv);
  // The version and commit every report records, as `cimvp --version`.
  m.attr("__version__") = cimvp::version();
  m.attr("commit") = cimvp::commit();
  bind_errors(m);
  bind_arch(m);
  bind_policy(m);
  bind_model(m);
  bind_image(m);
  bind_run(m);
  bind_evaluate(m);
  bind_bench_references(m);
  bind_search(m);
  bind_sweep(m);
}
