"""PID 1 without a /proc of its own (`unshare --pid --fork` without --mount-proc): /proc then
lists the parent namespace's processes, whose pids mean other processes inside. tinyinit must
not list or signal by those pids; it reaches everything of its namespace with kill(-1) and
says it cannot name them."""

from __future__ import annotations

import shlex
import signal
import subprocess
import time
from pathlib import Path

from .support import alive, helper, require_root, tinyinit_command, wait_for


def test_drain_and_escalation_without_own_proc(tmp_path: Path) -> None:
    """Evidence, not "gone afterwards" (the kernel ends the namespace with its PID 1): the
    orphan left behind writes down the SIGTERM of the drain, survives it, and tinyinit waits
    the grace before its SIGKILL. Planted bug caught: the drain skipped when /proc is not
    this namespace's (no SIGTERM written, exit at once)."""
    require_root()
    log = tmp_path / "orphan"
    recorder = shlex.join(helper("print_signals", "--log", str(log)))
    bystander = subprocess.Popen(["sleep", "60"])  # outside the namespace: must survive
    try:
        script = f"{recorder} & until grep -q ready {log} 2>/dev/null; do sleep 0.02; done"
        command = ["unshare", "--pid", "--fork", *tinyinit_command(), "-v", "--grace", "1"]
        proc = subprocess.Popen(
            [*command, "--", "sh", "-c", script + "; exit 0"], stderr=subprocess.PIPE, text=True
        )
        wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "ready")
        started = time.monotonic()
        _, stderr = proc.communicate(timeout=15)
        took = time.monotonic() - started
        assert proc.returncode == 0, stderr
        got = log.read_text().split()[4:]
        assert got[:1] == [str(int(signal.SIGTERM))], f"the orphan got {got}: no drain"
        assert 0.8 < took < 6, f"exited {took:.2f}s after the orphan was ready, grace 1s"
        assert "unnamed: /proc is not this PID namespace's" in stderr, stderr
        assert "SIGKILL" in stderr and "warning" in stderr, stderr
        assert alive(bystander.pid), "a process outside the namespace was hit"
    finally:
        bystander.kill()
        bystander.wait()
