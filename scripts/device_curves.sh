#!/usr/bin/env bash
# Accuracy under device non-idealities, as Markdown tables (docs/device.md):
#   scripts/device_curves.sh [MODEL] [COUNT] [SEEDS] [BASE_ARCH]
# MODEL (pretrained/lenet5-fmnist-w8a8.cimvp) on the first COUNT (1000)
# Fashion-MNIST test images, SEEDS (3) device draws per point, on BASE_ARCH
# (configs/arch/default.yaml) with one effect varied at a time:
# programming variation, read noise, ADC bits, and drift over time with and
# without global compensation. Each point is `cimvp infer --seeds`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/infer_point.sh

# The base with KEY = VALUE set in SECTION (added to the base's section, or
# a new section), classified; prints "mean | standard deviation".
with() {  # with SECTION KEY VALUE ...: the base with these keys set
  local text
  text=$(cat "$base")
  while [ $# -gt 0 ]; do
    local section=$1 key=$2 value=$3
    shift 3
    if grep -q "^$section:" <<<"$text"; then
      text=$(awk -v s="$section:" -v k="$key" -v v="$value" '
        $0 == s {print; print "  " k ": " v; insec=1; next}
        insec && $0 ~ "^  " k ":" {next}
        /^[^ #]/ {insec=0}
        {print}' <<<"$text")
    else
      text+=$'\n'"$section:"$'\n'"  $key: $value"
    fi
  done
  printf '%s\n' "$text" >"$work/arch.yaml"
  infer_point "$work/arch.yaml"
}

echo "$model, $count test images, $seeds seeds, on $base"
echo
echo "| device.program_sigma | accuracy % | std dev |"
echo "|---|---|---|"
for s in 0 0.005 0.01 0.02 0.05 0.1; do echo "| $s | $(with device program_sigma $s) |"; done
echo
echo "| device.read_sigma | accuracy % | std dev |"
echo "|---|---|---|"
for s in 0.005 0.01 0.02 0.05; do echo "| $s | $(with device read_sigma $s) |"; done
echo
echo "| adc.bits | full scale = largest sum: accuracy % | std dev | adc.calibration mse: accuracy % | std dev |"
echo "|---|---|---|---|---|"
for b in 10 9 8 7 6 5; do echo "| $b | $(with adc bits $b) | $(with adc bits $b adc calibration mse) |"; done
echo
echo "| device.read_time_s (drift_nu 0.05, sigma 0.01, t0 20 s) | none: accuracy % | std dev | global: accuracy % | std dev |"
echo "|---|---|---|---|---|"
for t in 20 3600 86400 31536000; do
  a=$(with device drift_nu 0.05 device drift_nu_sigma 0.01 device drift_t0_s 20 device read_time_s $t)
  b=$(with device drift_nu 0.05 device drift_nu_sigma 0.01 device drift_t0_s 20 device read_time_s $t device drift_compensation global)
  echo "| $t | $a | $b |"
done
