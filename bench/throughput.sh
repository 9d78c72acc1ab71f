#!/usr/bin/env bash
# Pane throughput: `seq 1 2000000` in nslab's sandbox pane against the same in a tmux pane
# of the same size, in the same run. `time` measures until seq has written everything; a
# terminal that reads slowly makes the writes block, so the time is the terminal's speed.
# Usage: bench/throughput.sh [COUNT]
source "$(dirname "$0")/common.sh"

COUNT=${1:-2000000}
pid=$(start_nslab 160 48)

# In nslab: type into the sandbox shell, which has the keyboard when a step starts.
tm send-keys -t nslab "clear; time seq 1 $COUNT" Enter
wait_screen nslab '^.*real' 300
nslab_time=$(tm capture-pane -p -t nslab | grep -o 'real[[:space:]]*[0-9m.s]*' | tail -1)
rss=$(rss_kib "$pid")

# In a plain tmux pane of the same size as nslab's sandbox pane.
tm send-keys -t nslab 'clear; echo SIZE=$(stty size)' Enter
wait_screen nslab 'SIZE=[0-9]'
read -r rows cols < <(tm capture-pane -p -t nslab | grep -oE 'SIZE=[0-9]+ [0-9]+' | cut -d= -f2)
tm new-session -d -s plain -x "${cols:-86}" -y "${rows:-26}" "bash --norc"
tm send-keys -t plain "time seq 1 $COUNT" Enter
wait_screen plain '^real' 300
plain_time=$(tm capture-pane -p -t plain | grep -o 'real[[:space:]]*[0-9m.s]*' | tail -1)

echo "seq 1 $COUNT in nslab's pane: $nslab_time"
echo "seq 1 $COUNT in a tmux pane ${cols}x${rows}: $plain_time"
echo "nslab resident memory after the run: $((rss / 1024)) MiB ($rss KiB)"
