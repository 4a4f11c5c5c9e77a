#!/usr/bin/env bash
# The 108-point vgg-small sweep (configs/sweeps/vgg-small-xbar.yaml) three
# ways, compared record by record (host time aside; docs/sweeps.md):
#   1. straight through with --jobs 2;
#   2. with --jobs 2, SIGKILLed once KILL_AFTER points are written, then
#      resumed with --resume;
#   3. under mpirun with RANKS ranks (default 4), --jobs 1 each.
# Usage: scripts/check_sweep.sh [BUILD_DIR] (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
cimvp="${1:-build/release}/apps/cimvp"
sweep=configs/sweeps/vgg-small-xbar.yaml
out="$(mktemp -d /tmp/cimvp_check_sweep.XXXXXX)"
ranks="${RANKS:-4}"
kill_after="${KILL_AFTER:-40}"

t0=$(date +%s.%N)
"$cimvp" sweep --config "$sweep" -o "$out/straight" --jobs 2 --no-progress
t1=$(date +%s.%N)

"$cimvp" sweep --config "$sweep" -o "$out/killed" --jobs 2 --no-progress &
pid=$!
while [ "$(cat "$out/killed/results.jsonl" 2>/dev/null | wc -l)" -lt "$kill_after" ]; do sleep 0.005; done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
echo "killed after $(wc -l < "$out/killed/results.jsonl") of 108 points"
"$cimvp" sweep --config "$sweep" -o "$out/killed" --jobs 2 --resume --no-progress

OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  mpirun --oversubscribe -np "$ranks" "$cimvp" sweep --config "$sweep" -o "$out/mpi" --jobs 1 --no-progress

python3 - "$out" <<'PY'
import json, sys
def load(d):
    r = {}
    for line in open(d + "/results.jsonl"):
        j = json.loads(line)
        j.pop("host_seconds")
        r[j["id"]] = j
    return r
out = sys.argv[1]
a, b, c = load(out + "/straight"), load(out + "/killed"), load(out + "/mpi")
print(f"straight {len(a)} points, killed+resumed {len(b)}, mpi {len(c)}")
print("killed+resumed == straight:", a == b)
print("mpi == straight:", a == c)
sys.exit(0 if a == b == c and len(a) == 108 else 1)
PY
echo "straight run: $(python3 -c "print(round($t1 - $t0, 2))") s; folders in $out"
