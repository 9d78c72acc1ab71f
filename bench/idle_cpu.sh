#!/usr/bin/env bash
# Idle CPU: nslab with a sandbox shell open and nothing happening, over 30 seconds.
# Usage: bench/idle_cpu.sh [SECONDS]
source "$(dirname "$0")/common.sh"

DURATION=${1:-30}
pid=$(start_nslab 160 48)
sleep 2
ticks_per_second=$(getconf CLK_TCK)

before=$(cpu_ticks "$pid")
sleep "$DURATION"
after=$(cpu_ticks "$pid")

ticks=$((after - before))
awk -v t="$ticks" -v hz="$ticks_per_second" -v d="$DURATION" 'BEGIN {
    printf "idle CPU over %d s: %d ticks = %.3f s = %.2f%% of one core\n", d, t, t / hz, 100 * t / hz / d
}'
