"""Restarts exhausted: `--max-restarts 2` means three runs; tinyinit exits with the last
run's status and says no restart is left."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .supervision import exhausted, launch, restarts, run_count, runs_command, status_of


@pytest.mark.parametrize(
    ("plan", "status", "code"),
    [
        ("3", "exited 3", 3),
        ("5,5,4", "exited 4", 4),
        ("USR1", "killed by SIGUSR1", 128 + signal.SIGUSR1),
    ],
    ids=["exit-3", "last-status", "signal"],
)
def test_restarts_exhausted(
    start, mode: str, tmp_path: Path, plan: str, status: str, code: int
) -> None:
    args = ["--restart", "on-failure", "--max-restarts", "2", "--backoff", "50ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, plan)], mode)
    assert init.wait(15) == code
    assert run_count(tmp_path) == 3
    stderr = init.stderr()
    assert [(r.attempt, r.max) for r in restarts(stderr)] == [(1, 2), (2, 2)], stderr
    last = exhausted(stderr)
    assert len(last) == 1, stderr
    assert status_of(last[0]) == status and last[0]["max"] == "2", stderr
    assert stderr.splitlines()[-1] == last[0].string, "the exhausted line comes last"


def test_restart_settings_from_the_environment(start, mode: str, tmp_path: Path) -> None:
    env = {"TINYINIT_RESTART": "on-failure", "TINYINIT_MAX_RESTARTS": "1",
           "TINYINIT_BACKOFF": "50ms"}  # fmt: skip
    init = launch(start, ["--", *runs_command(tmp_path, "3")], mode, env=env)
    assert init.wait(15) == 3
    assert run_count(tmp_path) == 2
    found = restarts(init.stderr())
    assert [(r.attempt, r.max) for r in found] == [(1, 1)], init.stderr()
    assert found[0].delay <= 0.1, "TINYINIT_BACKOFF=50ms not taken"


def test_flags_win_over_the_environment(start, mode: str, tmp_path: Path) -> None:
    env = {"TINYINIT_RESTART": "always", "TINYINIT_MAX_RESTARTS": "5",
           "TINYINIT_BACKOFF": "10s"}  # fmt: skip
    args = ["--restart", "on-failure", "--max-restarts", "1", "--backoff", "50ms"]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "3")], mode, env=env)
    assert init.wait(15) == 3
    assert run_count(tmp_path) == 2
    assert [(r.attempt, r.max) for r in restarts(init.stderr())] == [(1, 1)], init.stderr()
