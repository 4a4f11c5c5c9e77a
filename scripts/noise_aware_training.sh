#!/usr/bin/env bash
# Noise-aware training against programming variation (docs/device.md,
# "Noise-aware training"):
#   scripts/noise_aware_training.sh [SIGMA] [NOISE_SCALE] [EPOCHS] [COUNT] [SEEDS] [OUT_DIR]
# configs/arch/default.yaml plus device.program_sigma SIGMA (0.01); the
# plain W8A8 model (pretrained/lenet5-fmnist-w8a8.cimvp, made by `cimvp train
# --from pretrained/lenet5-fmnist-float.cimvp --bits w8a8 --epochs 2 --lr
# 0.005 --seed 1`) against the same fine-tuning with `--arch` at
# --noise-scale NOISE_SCALE (3) for EPOCHS (2); both classified by the VP on
# the first COUNT (10000) Fashion-MNIST test images under SEEDS (5) device
# draws, and on the ideal default.yaml. SIGMA, NOISE_SCALE and EPOCHS were
# chosen on the validation split (docs/device.md); run with a validation
# choice of your own, not the test split's. The noise-aware model is written
# to OUT_DIR (a temporary directory by default).
set -euo pipefail
cd "$(dirname "$0")/.."
sigma=${1:-0.01}
noise_scale=${2:-3}
epochs=${3:-2}
count=${4:-10000}
seeds=${5:-5}
out=${6:-$(mktemp -d)}
cimvp=${CIMVP:-build/release/apps/cimvp}
mkdir -p "$out"
arch=$out/default-program-sigma-$sigma.yaml
{ sed "s/^name: default$/name: default-program-sigma-$sigma/" configs/arch/default.yaml
  printf 'device:\n  program_sigma: %s\n' "$sigma"; } >"$arch"
plain=pretrained/lenet5-fmnist-w8a8.cimvp
aware=$out/lenet5-fmnist-w8a8-noise-aware-$sigma.cimvp

start=$(date +%s)
"$cimvp" train --from pretrained/lenet5-fmnist-float.cimvp --bits w8a8 --arch "$arch" --noise-scale "$noise_scale" \
  --epochs "$epochs" --lr 0.005 --seed 1 --dataset fashion-mnist -o "$aware" | grep -E "^noise-aware|^epoch|^wrote"
echo "training: $(($(date +%s) - start)) s"

# One line of the table: "mean | standard deviation | seconds".
classify() {  # classify ARCH MODEL SEEDS
  local t0 result
  t0=$(date +%s)
  result=$("$cimvp" infer --arch "$1" --model "$2" --dataset fashion-mnist --count "$count" --seeds "$3" \
    --no-check 2>/dev/null |
    awk '/^accuracy .*mean over/ {v=$10; sub(",", "", v); printf "%s | %s", $2, v; found=1}
         /^accuracy .*% \(/ && !found {printf "%s | 0", $2}')
  echo "$result | $(($(date +%s) - t0))"
}

echo
echo "$count test images; $seeds device seeds on $arch, 1 on the ideal configs/arch/default.yaml"
echo
echo "| model | architecture | accuracy % | std dev | seconds |"
echo "|---|---|---|---|---|"
echo "| plain W8A8 | default.yaml (ideal) | $(classify configs/arch/default.yaml "$plain" 1) |"
echo "| noise-aware W8A8 | default.yaml (ideal) | $(classify configs/arch/default.yaml "$aware" 1) |"
echo "| plain W8A8 | program_sigma $sigma | $(classify "$arch" "$plain" "$seeds") |"
echo "| noise-aware W8A8 | program_sigma $sigma | $(classify "$arch" "$aware" "$seeds") |"
