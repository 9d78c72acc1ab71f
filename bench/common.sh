# Shared by the TUI benchmarks: start nslab in a private tmux server and wait on its screen.
# Source it; needs tmux and a release build (cargo build --release).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSLAB=${NSLAB:-$ROOT/target/release/nslab}
LESSON=${LESSON:-containers-from-scratch}
# A step whose shell runs bash on the host's root, so that `time` is bash's.
STEP=${STEP:-uts}
SOCKET=nslab-bench-$$
WORK=$(mktemp -d)
export XDG_STATE_HOME=$WORK/state
# The host pane's shell, without the user's startup files.
export SHELL=/bin/sh

tm() { tmux -L "$SOCKET" "$@"; }

cleanup() {
    tm kill-server 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# wait_screen SESSION PATTERN [SECONDS]: wait until the pane shows PATTERN.
wait_screen() {
    local deadline=$((SECONDS + ${3:-30}))
    until tm capture-pane -p -t "$1" | grep -q -- "$2"; do
        if ((SECONDS >= deadline)); then
            echo "timed out waiting for '$2' in $1:" >&2
            tm capture-pane -p -t "$1" >&2
            return 1
        fi
        sleep 0.1
    done
}

# start_nslab WIDTH HEIGHT: nslab in session "nslab"; prints its PID.
start_nslab() {
    tm new-session -d -s nslab -x "$1" -y "$2" \
        "$NSLAB learn $LESSON --step $STEP; sleep 1000"
    wait_screen nslab "\[$STEP\]" 60
    pgrep -f -n "^$NSLAB learn $LESSON" || { echo "nslab is not running" >&2; return 1; }
}

# cpu_ticks PID: user + system clock ticks of the process (all threads).
cpu_ticks() {
    awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# rss_kib PID: resident memory in KiB.
rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
