#!/usr/bin/env bash
# Accuracy, latency and energy over a deployment against the refresh
# interval, as a Markdown table (docs/device.md, "Lifetime and refresh"):
#   scripts/refresh_table.sh [MODEL] [COUNT] [SEEDS] [BASE_ARCH]
# MODEL (pretrained/lenet5-fmnist-w8a8.cimvp) on the first COUNT (1000)
# Fashion-MNIST test images, SEEDS (3) device draws per point, on BASE_ARCH
# (configs/arch/default.yaml) with drift nu 0.05, sigma 0.01, t0 20 s,
# without and with global compensation, at each device.refresh_interval_s;
# the last row is never refreshed, read a year after programming
# (device.read_time_s). Latency and energy are per inference with its
# share of the refreshes (the report's deployed_inference_*), and that
# share on its own. Each point is `cimvp infer --seeds --report`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/infer_point.sh

# field NAME: the number of "NAME": in the report (top level, written first).
field() { grep -m1 "^  \"$1\": " "$work/report.json" | sed 's/.*: //; s/,$//'; }

# run COMPENSATION DEVICE_KEY VALUE: the base with drift, compensation and
# one more device key, classified; sets acc, sd and the report.
run() {
  { awk '/^device:/{skip=1; next} /^[^ #]/{skip=0} !skip' "$base"
    printf 'device:\n  drift_nu: 0.05\n  drift_nu_sigma: 0.01\n  drift_t0_s: 20\n'
    printf '  drift_compensation: %s\n  %s: %s\n' "$1" "$2" "$3"
  } >"$work/arch.yaml"
  read -r acc _ sd <<<"$(infer_point "$work/arch.yaml" "$work/report.json")"
}

echo "$model, $count test images, $seeds seeds, on $base; drift_nu 0.05, drift_nu_sigma 0.01, drift_t0_s 20"
echo
echo "| refresh interval | none: accuracy % | std dev | global: accuracy % | std dev | latency per inference | of it refresh | energy per inference | of it refresh |"
echo "|---|---|---|---|---|---|---|---|---|"
row() {  # row LABEL KEY VALUE
  run none "$2" "$3"
  local a="$acc | $sd"
  run global "$2" "$3"
  local b="$acc | $sd"
  awk -v label="$1" -v a="$a" -v b="$b" -v t="$(field deployed_inference_seconds)" -v rt="$(field refresh_seconds)" \
      -v e="$(field deployed_inference_energy_joules)" -v re="$(field refresh_energy_joules)" \
      'function si(v, unit,   p, i) {
         split(" m u n p f a", p, " "); i = 0
         while (v != 0 && v < 1 && i < 6) { v *= 1000; i++ }
         return sprintf("%.4g %s%s", v, i ? p[i] : "", unit)
       }
       BEGIN {printf "| %s | %s | %s | %s | %s | %s | %s |\n", label, a, b, si(t, "s"), si(rt, "s"), si(e, "J"), si(re, "J")}'
}
row "1 ms" refresh_interval_s 0.001
row "1 hour" refresh_interval_s 3600
row "1 day" refresh_interval_s 86400
row "1 month (30 days)" refresh_interval_s 2592000
row "1 year" refresh_interval_s 31536000
row "never (read at 1 year)" read_time_s 31536000
