#!/usr/bin/env bash
# The demo behind `make demo`: tinyinit as a real PID 1 (a new PID namespace), running a
# shell that leaves behind a daemon (setsid) which needs a moment to save its work on
# SIGTERM, and a process that ignores SIGTERM. The shell exits; tinyinit drains.
set -euo pipefail
TINYINIT=${1:-tinyinit}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ "$(id -u)" != 0 ]; then
  echo "demo: needs root for a PID namespace (unshare --pid)"; exit 1
fi

# The daemon: on SIGTERM it takes half a second to "flush", then writes its file.
daemon="trap 'sleep 0.5; echo saved > $out/daemon.out; exit 0' TERM; while :; do sleep 0.1; done"
main="
  setsid sh -c \"$daemon\" &
  sh -c 'trap \"\" TERM; exec sleep 60' &
  sleep 0.3
  echo 'main: started a daemon (own session) and a TERM-ignoring sleeper; main exits 0 now'
  exit 0"

run() {  # run INIT-ARGS...: the scenario under an init as PID 1; prints what survived
  rm -f "$out/daemon.out"
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  unshare --pid --fork --mount-proc "$@" sh -c "$main" || rc=$?
  t1=$(date +%s.%N)
  printf 'exit code %s after %.1fs; the daemon %s\n' "$rc" "$(awk "BEGIN{print $t1 - $t0}")" \
    "$([ -f "$out/daemon.out" ] && echo "saved its work" || echo "was killed before saving its work")"
}

echo "== tinyinit -v --grace 2 (PID 1 of a new PID namespace)"
run "$TINYINIT" -v --grace 2 --
if command -v tini >/dev/null; then
  echo
  echo "== the same under tini -s (for comparison)"
  run tini -s --
fi
