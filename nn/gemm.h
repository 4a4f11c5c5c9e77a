// Single-precision matrix products for the trainer and the evaluators (the
// integer reference multiplies small integers in float, exactly):
// C = A' B' (+ C), row-major, where A' is A or its transpose.
//
// Why not Eigen: the build targets plain x86-64 (SSE2), where Eigen's GEMM
// peaks at 4 floats per instruction; oneDNN's sgemm (Debian's libdnnl)
// chooses AVX2/AVX-512 kernels at run time, so the same binary runs
// anywhere and uses the vector units the machine has (docs/benchmarks.md:
// the GEMMs were half of vgg-small's training time).
//
// Threads: every call runs on the calling thread only (the trainer's shards
// are its parallelism). So a product's result depends only on its inputs
// and the machine, never on the thread count or timing: training stays
// bit-identical for 1 or 2 threads.
#pragma once

#include <cstddef>

namespace cimvp {

// C[M x N] = op(A)[M x K] * op(B)[K x N] (accumulate: C +=). Row-major with
// leading dimensions lda, ldb, ldc (floats per row as stored).
void gemm(bool trans_a, bool trans_b, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float* A, ptrdiff_t lda,
          const float* B, ptrdiff_t ldb, float* C, ptrdiff_t ldc, bool accumulate = false);

}  // namespace cimvp
