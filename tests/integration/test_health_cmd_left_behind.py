"""A check still running when COMMAND ends is no straggler: it is not named, not waited for
until the grace ends, and not left behind."""

from __future__ import annotations

import os
import shlex
import signal
import time
from pathlib import Path

from .supervision import launch, runs_command
from .support import SUBREAPER, cmdline, wait_for


def processes_with(argv: list[str]) -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and cmdline(int(p)) == argv]


def test_running_check_ends_with_tinyinit(start, mode: str, tmp_path: Path) -> None:
    # A sleep no other test runs: its argument is unique to this test run.
    argv = ["sleep", f"{1000 + os.getpid() % 1000}.{len(str(tmp_path))}"]
    args = ["--grace", "5", "--health-cmd", shlex.join(argv), "--health-interval", "100ms",
            "--health-timeout", "30s"]  # fmt: skip
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@60")], mode)
    wait_for(lambda: processes_with(argv), 10, "the hanging check")
    os.kill(init.host_pid(int(init.out.expect("run 1").split()[2])), signal.SIGKILL)  # COMMAND ends
    began = time.monotonic()
    assert init.wait(10) == 137
    took = time.monotonic() - began
    assert took < 2.5, f"tinyinit waited {took:.2f}s for the check (grace 5s): a straggler?"
    assert init.stderr() == "", "the check was named (as a straggler, a zombie...)"
    if mode == SUBREAPER:  # as PID 1, its namespace is gone with it anyway
        assert processes_with(argv) == [], "the check was left behind"
