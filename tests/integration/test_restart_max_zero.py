"""`--max-restarts 0`: the policy is set but allows no restart: one run, its status."""

from __future__ import annotations

from pathlib import Path

import pytest

from .supervision import exhausted, launch, restarts, run_count, runs_command


@pytest.mark.parametrize(("policy", "plan", "code"), [("on-failure", "3", 3), ("always", "0", 0)])
def test_max_restarts_zero(
    start, mode: str, tmp_path: Path, policy: str, plan: str, code: int
) -> None:
    args = ["--restart", policy, "--max-restarts", "0", "--backoff", "100ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, plan)], mode)
    assert init.wait(15) == code
    assert run_count(tmp_path) == 1
    stderr = init.stderr()
    assert restarts(stderr) == [], stderr
    assert all(m["max"] == "0" for m in exhausted(stderr)), stderr
    assert len(stderr.splitlines()) <= 1, stderr
