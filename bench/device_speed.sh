#!/usr/bin/env bash
# Speed of the functional VP under device non-idealities (issue 21), as
# ratios to the ideal path measured in the same run:
#   bench/device_speed.sh [COUNT] [CIMVP]
# lenet5 W8A8 (pretrained/) on the first COUNT (2000) Fashion-MNIST test
# images: configs/arch/default.yaml as shipped (ideal: the fast integer
# path), then with programming variation 3 %, read noise 1 % and ADC noise
# 0.5 LSB (the analog path) in one process, then two such processes at once
# with different device seeds (both cores: images/s of the two together).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
cimvp=${2:-build/release/apps/cimvp}
model=pretrained/lenet5-fmnist-w8a8.cimvp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
noisy() {  # noisy SEED: the default architecture with the effects on
  sed 's/^adc:$/adc:\n  noise_lsb: 0.5/' configs/arch/default.yaml
  printf 'device:\n  program_sigma: 0.03\n  read_sigma: 0.01\n  seed: %s\n' "$1"
}
noisy 1 >"$work/noisy1.yaml"
noisy 2 >"$work/noisy2.yaml"
rate() {  # rate ARCH: images/s through the VP
  "$cimvp" infer --arch "$1" --model "$model" --dataset fashion-mnist --count "$count" --no-check 2>/dev/null |
    awk '/^host .*images\/s through the VP/ {print $2}'
}
ideal=$(rate configs/arch/default.yaml)
one=$(rate "$work/noisy1.yaml")
rate "$work/noisy1.yaml" >"$work/a" &
rate "$work/noisy2.yaml" >"$work/b" &
wait
two=$(awk '{s += $1} END {print s}' "$work/a" "$work/b")
printf 'lenet5, %s images        images/s  ratio to ideal\n' "$count"
printf 'ideal (integer path)     %8s  1.000\n' "$ideal"
awk -v i="$ideal" -v o="$one" -v t="$two" 'BEGIN {
  printf "noisy, 1 process         %8s  %.3f\n", o, o / i
  printf "noisy, 2 processes       %8s  %.3f\n", t, t / i }'
