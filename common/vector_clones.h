// CIMVP_VECTOR_CLONES before a function compiles it three times (GCC
// target_clones: AVX-512, AVX2 and baseline x86-64) and lets the loader
// pick the one the CPU runs. Only where the toolchain makes clones (GCC or
// Clang on x86-64 Linux, with ifunc); elsewhere the one baseline function.
// A cloned function must compute the same bits in every clone: integer
// work and IEEE operations one at a time, never fused (compile its file
// with -ffp-contract=off), in the same order per element.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define CIMVP_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CIMVP_VECTOR_CLONES
#endif
