"""--health-start-period: failures during the warm-up do not count."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path

import pytest

from .supervision import UNHEALTHY, launch, matching, runs_command
from .support import helper

ARGS = ["--health-interval", "200ms", "--health-timeout", "2s", "--health-retries", "2"]


@pytest.mark.parametrize("period", [None, 1.5], ids=["no-start-period", "start-period-1.5s"])
def test_failures_in_start_period_do_not_count(
    start, mode: str, tmp_path: Path, period: float | None
) -> None:
    log = tmp_path / "checks"
    check = shlex.join(helper("sigrecord", "--log", str(log), "--for", "0", "--exit", "1"))
    extra = ["--health-start-period", f"{period}s"] if period else []
    began = time.monotonic()
    init = launch(
        start, [*ARGS, *extra, "--health-cmd", check, "--", *runs_command(tmp_path, "0@30")], mode
    )
    assert init.wait(15) == 128 + signal.SIGTERM
    took = time.monotonic() - began
    assert len(matching(UNHEALTHY, init.stderr())) == 1, init.stderr()
    if period is None:
        # Two failing checks 200ms apart, the stop, and generous slack.
        assert took < 1.5, f"unhealthy only after {took:.2f}s"
    else:
        assert took >= period, f"unhealthy {took:.2f}s after start, inside the start period"
        assert took < period + 3, f"unhealthy only after {took:.2f}s"
