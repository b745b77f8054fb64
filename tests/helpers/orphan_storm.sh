#!/bin/sh
# Make orphans: for each COUNT argument, COUNT times a subshell starts a background process
# and exits at once, so the process is handed to the nearest subreaper (or PID 1) and exits
# there. Two loops run side by side, so SIGCHLDs arrive while others are being handled.
# After each phase: prints `phase COUNT done`, then waits for a line on stdin.
storm() {
    i=0
    while [ "$i" -lt "$1" ]; do
        (: &)
        i=$((i + 1))
    done
}
for count in "$@"; do
    half=$((count / 2))
    storm "$half" &
    storm "$((count - half))" &
    wait
    echo "phase $count done"
    read -r _ || exit 0
done
