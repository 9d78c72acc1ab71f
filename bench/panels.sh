#!/bin/sh
# Benchmark: one full snapshot of every panel (`nslab inspect --pid LAUNCHER --json`) for one
# sandbox, against one `ps -eaf`, while the host runs 2,000 extra sleeping processes.
# Goal: the snapshot costs at most half of what ps costs.
#
# Usage: bench/panels.sh [path/to/nslab]   (default: target/release/nslab)
# Needs hyperfine. Every process it starts is stopped by its PID on exit.
set -eu

NSLAB=${1:-target/release/nslab}
EXTRA=${EXTRA:-2000}
WORK=$(mktemp -d)
SLEEPERS=""
RUN_PID=""

cleanup() {
    # Stop only what this script started, by PID.
    [ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null || true
    for pid in $SLEEPERS; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# One sandbox with a fresh /proc, a mount namespace and a second process inside.
"$NSLAB" run --ns uts,pid,mnt --proc --hostname bench --rootfs --trace "$WORK/trace" \
    -- /bin/sh -c '(sleep 600; true)' </dev/null >/dev/null 2>&1 &
RUN_PID=$!
# With a PID namespace `nslab run` is the launcher itself; wait for the first process inside.
for _ in $(seq 50); do
    [ -n "$(cat /proc/$RUN_PID/task/$RUN_PID/children 2>/dev/null)" ] && break
    sleep 0.1
done
LAUNCHER=$RUN_PID
[ -n "$(cat /proc/$RUN_PID/task/$RUN_PID/children 2>/dev/null)" ] || {
    echo "the sandbox did not start" >&2
    exit 1
}

# The crowd ps has to walk through.
i=0
while [ $i -lt "$EXTRA" ]; do
    sleep 600 &
    SLEEPERS="$SLEEPERS $!"
    i=$((i + 1))
done
echo "host processes: $(ls -d /proc/[0-9]* | wc -l); sandbox launcher: $LAUNCHER"

hyperfine --warmup 3 --min-runs 30 -N --export-json "$WORK/result.json" \
    "$NSLAB inspect --json --pid $LAUNCHER" \
    "ps -eaf"

python3 - "$WORK/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
snapshot, ps = results[0]["mean"], results[1]["mean"]
print(f"snapshot {snapshot * 1000:.2f} ms, ps -eaf {ps * 1000:.2f} ms: ratio {snapshot / ps:.2f}x (goal <= 0.5x)")
PY
