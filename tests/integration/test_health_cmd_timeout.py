"""--health-timeout: a check still running then is killed, its whole process group (here a
`sleep` it started), and counts as a failure."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from .supervision import launch, runs_command
from .support import cmdline, descendants, wait_for

# The first check hangs in a grandchild sleep; the next ones pass.
HANGS_ONCE = "if mkdir {flag} 2>/dev/null; then sleep 1001 & wait; fi; echo pass >> {passes}"


def hanging_sleeps(init) -> list[int]:  # type: ignore[no-untyped-def]
    return [pid for pid in descendants(init.pid) if cmdline(pid) == ["sleep", "1001"]]


def test_hanging_check_killed_with_its_group(start, mode: str, tmp_path: Path) -> None:
    flag, passes = tmp_path / "hung", tmp_path / "passes"
    check = HANGS_ONCE.format(flag=flag, passes=passes)
    args = ["-v", "--health-cmd", check, "--health-interval", "300ms",
            "--health-timeout", "600ms", "--health-retries", "2"]  # fmt: skip
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@30")], mode)
    wait_for(lambda: hanging_sleeps(init), 10, "the check's sleep")
    found_at = time.monotonic()
    wait_for(lambda: not hanging_sleeps(init), 5, "the hung check's sleep to be killed")
    lasted = time.monotonic() - found_at
    assert lasted > 0.3, f"the check was killed {lasted:.2f}s after it started: not its timeout"
    assert init.proc.poll() is None, init.stderr()

    # It counted as one failure, then the next checks pass: COMMAND is left running.
    wait_for(lambda: passes.exists() and len(passes.read_text().split()) >= 2, 10, "passes")
    assert init.proc.poll() is None, init.stderr()
    failed = [line for line in init.stderr_lines() if "health check failed (1/2)" in line]
    assert len(failed) == 1, init.stderr()
    assert "unhealthy" not in init.stderr()
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM


def test_hanging_check_counts_as_failure(start, mode: str, tmp_path: Path) -> None:
    args = ["--health-cmd", "sleep 1001", "--health-interval", "200ms",
            "--health-timeout", "300ms", "--health-retries", "1"]  # fmt: skip
    began = time.monotonic()
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@30")], mode)
    assert init.wait(10) == 128 + signal.SIGTERM
    assert time.monotonic() - began >= 0.4, "unhealthy before the check's timeout"
    assert "unhealthy" in init.stderr()
