"""--timeout with a child that ignores SIGTERM: SIGKILL after the grace, still exit 124."""

from __future__ import annotations

import time

from .supervision import TIMEOUT, launch, matching
from .support import helper


def test_timeout_then_grace_kill_still_124(start, mode: str) -> None:
    began = time.monotonic()
    args = ["--timeout", "600ms", "--grace", "300ms"]
    init = launch(start, [*args, "--", *helper("straggler")], mode)
    pid = int(init.out.expect("ready").split()[1])
    assert init.wait(10) == 124
    took = time.monotonic() - began
    assert 0.85 <= took < 4, f"took {took:.2f}s: 600ms, then 300ms of grace"
    stderr = init.stderr()
    assert len(matching(TIMEOUT, stderr)) == 1, stderr
    kills = [line for line in stderr.splitlines() if "grace period over" in line]
    assert len(kills) == 1 and str(pid) in kills[0], stderr
    assert stderr.index("time limit") < stderr.index("grace period over")
