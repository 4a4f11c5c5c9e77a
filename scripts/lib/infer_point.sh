# Sourced by the scripts that classify one architecture variant per point
# (device_curves.sh, refresh_table.sh): their common arguments
#   [MODEL] [COUNT] [SEEDS] [BASE_ARCH]
# with their defaults, a scratch folder $work, and one point.
model=${1:-pretrained/lenet5-fmnist-w8a8.cimvp}
count=${2:-1000}
seeds=${3:-3}
base=${4:-configs/arch/default.yaml}
cimvp=${CIMVP:-build/release/apps/cimvp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# infer_point ARCH [REPORT]: `cimvp infer --seeds` of MODEL on ARCH (its
# report to REPORT when given) in JOBS (2) processes; prints "mean |
# standard deviation" in percent (0 for one seed).
infer_point() {
  "$cimvp" infer --arch "$1" --model "$model" --dataset fashion-mnist --count "$count" \
    --seeds "$seeds" --jobs "${JOBS:-2}" --no-check ${2:+--report "$2"} 2>/dev/null |
    awk '/^accuracy .*mean over/ {v=$10; sub(",", "", v); printf "%s | %s\n", $2, v; found=1}
         /^accuracy .*% \(/ && !found {printf "%s | 0\n", $2}'
}
