#!/usr/bin/env bash
# Speed of the functional VP under device non-idealities (issue 21), as
# ratios to the ideal path measured in the same run:
#   bench/device_speed.sh [COUNT] [CIMVP]
# lenet5 W8A8 (pretrained/) on the first COUNT (2000) Fashion-MNIST test
# images: configs/arch/default.yaml as shipped (ideal: the fast integer
# path), then with programming variation 3 %, read noise 1 % and ADC noise
# 0.5 LSB (the analog path) in one process, then the same run with --jobs 2
# (its images split over two processes, both cores; the same predictions).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
cimvp=${2:-build/release/apps/cimvp}
model=pretrained/lenet5-fmnist-w8a8.cimvp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The default architecture with the effects on.
sed 's/^adc:$/adc:\n  noise_lsb: 0.5/' configs/arch/default.yaml >"$work/noisy.yaml"
printf 'device:\n  program_sigma: 0.03\n  read_sigma: 0.01\n  seed: 1\n' >>"$work/noisy.yaml"
rate() {  # rate ARCH [OPTION...]: images/s through the VP
  local arch=$1
  shift
  "$cimvp" infer --arch "$arch" --model "$model" --dataset fashion-mnist --count "$count" --no-check "$@" 2>/dev/null |
    awk '/^host .*images\/s through the VP/ {print $2}'
}
ideal=$(rate configs/arch/default.yaml)
one=$(rate "$work/noisy.yaml")
two=$(rate "$work/noisy.yaml" --jobs 2)
printf 'lenet5, %s images        images/s  ratio to ideal\n' "$count"
printf 'ideal (integer path)     %8s  1.000\n' "$ideal"
awk -v i="$ideal" -v o="$one" -v t="$two" 'BEGIN {
  printf "noisy, 1 process         %8s  %.3f\n", o, o / i
  printf "noisy, --jobs 2          %8s  %.3f\n", t, t / i }'
