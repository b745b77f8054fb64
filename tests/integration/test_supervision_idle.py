"""Idle costs nothing with supervision options set: with a sleeping child and no health
check, tinyinit is not woken at all; a pending --timeout alone does not wake it before
it is due, nor does a past restart or a --reset-after."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .supervision import launch, runs_command, wait_runs
from .support import context_switches

QUIET = 1.5  # seconds watched

# Every supervision option but a health check, after one restart (run 1 fails).
EVERYTHING = (
    "--restart always --max-restarts 3 --backoff 100ms --reset-after 300ms "
    "--timeout 1h --report {report}"
)


@pytest.mark.parametrize(
    ("options", "plan", "runs"),
    [("--timeout 1h", "0@60", 1), (EVERYTHING, "3,0@60", 2)],
    ids=["timeout-alone", "every-option-after-a-restart"],
)
def test_no_wakeups_while_idle(
    start, mode: str, tmp_path: Path, options: str, plan: str, runs: int
) -> None:
    args = options.format(report=tmp_path / "report.json").split()
    init = launch(start, [*args, "--", *runs_command(tmp_path, plan)], mode)
    wait_runs(tmp_path, runs)
    init.out.expect(f"run {runs}")
    time.sleep(0.5)  # let startup (and the reset-after) pass
    before = context_switches(init.pid)
    time.sleep(QUIET)
    after = context_switches(init.pid)
    assert after == before, f"tinyinit was switched in {after - before} times in {QUIET}s"
    assert init.proc.poll() is None
