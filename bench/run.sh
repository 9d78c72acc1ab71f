#!/usr/bin/env bash
# How much it costs to start a step: `nslab run` against unshare(1) doing the same isolation,
# in one hyperfine run so both see the same machine. Needs root and hyperfine (Debian package).
# Usage: bench/run.sh [extra hyperfine options]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
nslab=target/release/nslab

# Build the root filesystem outside the measurement.
"$nslab" rootfs >/dev/null

hyperfine -N --warmup 20 --runs 300 "$@" \
  "$nslab run --ns uts,pid,mnt --proc -- /bin/true" \
  "unshare --uts --pid --mount --fork --mount-proc /bin/true"
