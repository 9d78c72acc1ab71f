#!/usr/bin/env bash
# Resident memory of nslab (the TUI process only; the launcher and shells are separate
# processes): right after start, and after filling both panes' scrollback.
source "$(dirname "$0")/common.sh"

pid=$(start_nslab 160 48)
sleep 1
echo "after start: $(($(rss_kib "$pid") / 1024)) MiB"

tm send-keys -t nslab "seq 1 200000 | sed 's/\$/ some text to fill the line/'" Enter
wait_screen nslab '200000 some text' 120
sleep 1
echo "after 200000 lines of output: $(($(rss_kib "$pid") / 1024)) MiB"
