"""PID 1 without a /proc of its own (`unshare --pid --fork` without --mount-proc): /proc then
lists the parent namespace's processes, whose pids mean other processes inside. tinyinit must
not list or signal by those pids; it reaches everything of its namespace with kill(-1) and
says it cannot name them."""

from __future__ import annotations

import subprocess
import time

from .support import alive, descendants, require_root, tinyinit_command


def test_drain_and_escalation_without_own_proc() -> None:
    require_root()
    bystander = subprocess.Popen(["sleep", "60"])  # outside the namespace: must survive
    try:
        script = "sh -c 'trap \"\" TERM; exec sleep 60' & sleep 0.3; exit 0"
        command = ["unshare", "--pid", "--fork", *tinyinit_command(), "-v", "--grace", "1"]
        proc = subprocess.Popen(
            [*command, "--", "sh", "-c", script], stderr=subprocess.PIPE, text=True
        )
        started = time.monotonic()
        _, stderr = proc.communicate(timeout=15)
        took = time.monotonic() - started
        assert proc.returncode == 0, stderr
        assert 1.0 < took < 6, f"took {took:.2f}s with a 1s grace"
        assert "unnamed: /proc is not this PID namespace's" in stderr, stderr
        assert "SIGKILL" in stderr and "warning" in stderr, stderr
        assert not descendants(proc.pid), "something of the namespace outlived tinyinit"
        assert alive(bystander.pid), "a process outside the namespace was hit"
    finally:
        bystander.kill()
        bystander.wait()
