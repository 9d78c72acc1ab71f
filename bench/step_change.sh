#!/usr/bin/env bash
# Step change latency: from the key that moves to the next step until the new step's prompt
# is on screen (the old sandbox ended, the new one set up, its shell started), through tmux.
# Usage: STEP=FIRST NEXT=SECOND bench/step_change.sh [ROUNDS]
source "$(dirname "$0")/common.sh"

NEXT=${NEXT:-pid-namespace}
ROUNDS=${1:-5}
start_nslab 160 48 >/dev/null

now_ms() { echo $(($(date +%s%N) / 1000000)); }

for _ in $(seq "$ROUNDS"); do
    for target in "$NEXT" "$STEP"; do
        if [[ $target == "$NEXT" ]]; then key=Right; else key=Left; fi
        begin=$(now_ms)
        tm send-keys -t nslab C-g "$key"
        until tm capture-pane -p -t nslab | grep -q -- "\[$target\] .*[#$] *│"; do sleep 0.01; done
        echo "to $target: $(($(now_ms) - begin)) ms"
    done
done
