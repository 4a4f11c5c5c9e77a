#include "nn/gemm.h"

#include <omp.h>

#include <oneapi/dnnl/dnnl.h>

#include <string>

#include "common/error.h"

namespace cimvp {

namespace {

// oneDNN (Debian builds it on OpenMP) would fork an OpenMP team per product
// from every calling thread; one thread per caller keeps products serial.
// The setting is per calling thread (an OpenMP ICV of its implicit task).
void serial_openmp_once() {
  thread_local bool done = false;
  if (!done) {
    omp_set_num_threads(1);
    done = true;
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float* A, ptrdiff_t lda,
          const float* B, ptrdiff_t ldb, float* C, ptrdiff_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (ptrdiff_t i = 0; i < M; ++i)
        for (ptrdiff_t j = 0; j < N; ++j) C[i * ldc + j] = 0.f;
    return;
  }
  serial_openmp_once();
  const dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, 1.f, A, lda, B, ldb,
                                      accumulate ? 1.f : 0.f, C, ldc);
  if (st != dnnl_success)
    throw Error("oneDNN sgemm failed (status " + std::to_string(int(st)) + ") for " + std::to_string(M) + " x " +
                std::to_string(N) + " x " + std::to_string(K));
}

}  // namespace cimvp
