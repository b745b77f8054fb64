"""Backoff: the first delay is --backoff, each next one doubles; jitter only shortens a delay,
by at most a quarter, so consecutive delays always grow; no delay is over 60s. Measured from
the gaps between runs (each run marks its end and start on the machine's monotonic clock)
and read from the lines."""

from __future__ import annotations

import signal
from pathlib import Path

from .supervision import RESTART, ends, launch, restarts, runs_command, starts, wait_stderr

BACKOFF = 0.2
ROUNDING = 0.05  # delays are printed with one decimal


def test_delays_double(start, mode: str, tmp_path: Path) -> None:
    args = ["--restart", "on-failure", "--backoff", "200ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "3,3,3,0")], mode)
    assert init.wait(20) == 0
    expected = [BACKOFF * 2**k for k in range(3)]  # 0.2, 0.4, 0.8

    printed = [r.delay for r in restarts(init.stderr())]
    assert len(printed) == 3, init.stderr()
    for delay, want in zip(printed, expected):
        assert 0.75 * want - ROUNDING <= delay <= want + ROUNDING, (printed, expected)
    assert printed[0] < printed[1] < printed[2], printed

    run_starts, run_ends = starts(tmp_path), ends(tmp_path)
    gaps = [run_starts[k + 1].time - run_ends[k].time for k in range(3)]
    for gap, want in zip(gaps, expected):
        # At least the delay with the most jitter; at most the delay plus a generous
        # allowance for starting the next run on a noisy machine.
        assert 0.75 * want - 0.01 <= gap <= want + 0.8, (gaps, expected)
    assert gaps[2] > gaps[0], gaps


def test_delay_capped_at_60s(start, mode: str, tmp_path: Path) -> None:
    """A first delay of 5 minutes is capped at 60s (less a quarter at most); stopped there."""
    args = ["--restart", "on-failure", "--backoff", "5m"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "3")], mode)
    wait_stderr(init, RESTART, 10)
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 3
    delays = [r.delay for r in restarts(init.stderr())]
    assert len(delays) == 1 and 45 - ROUNDING <= delays[0] <= 60 + ROUNDING, init.stderr()
