"""Print `ready`, then `got: LINE` for every line read from stdin (a program in the terminal's
foreground, with the default actions for SIGINT and SIGTSTP)."""

import sys

print("ready", flush=True)
for line in sys.stdin:
    print(f"got: {line.strip()}", flush=True)
