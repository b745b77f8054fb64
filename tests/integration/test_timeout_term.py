"""--timeout with a child that honours SIGTERM: stopped when the time is up, exit 124 (even
when it then exits 0), with a warning line saying the time limit was reached."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .supervision import TIMEOUT, launch, matching, runs_command
from .support import helper


@pytest.mark.parametrize(
    "child",
    [
        helper("print_signals", "--exit-on", "TERM", "--exit-code", "0"),
        ["sleep", "100"],
    ],
    ids=["exits-0-on-term", "killed-by-term"],
)
def test_timeout_stops_the_child_and_exits_124(start, mode: str, child: list[str]) -> None:
    began = time.monotonic()
    init = launch(start, ["--timeout", "600ms", "--grace", "5", "--", *child], mode)
    assert init.wait(10) == 124
    took = time.monotonic() - began
    assert 0.55 <= took < 3, f"took {took:.2f}s with --timeout 600ms"
    lines = matching(TIMEOUT, init.stderr())
    assert len(lines) == 1, init.stderr()
    assert float(TIMEOUT.search(lines[0])["d"]) == 0.6, lines[0]
    assert "SIGKILL" not in init.stderr()


def test_timeout_from_the_environment(start, mode: str, tmp_path: Path) -> None:
    began = time.monotonic()
    command = runs_command(tmp_path, "0@30")
    init = launch(start, ["--", *command], mode, env={"TINYINIT_TIMEOUT": "500ms"})
    assert init.wait(10) == 124
    assert time.monotonic() - began < 3
    assert len(matching(TIMEOUT, init.stderr())) == 1, init.stderr()


def test_timeout_flag_wins(start, mode: str, tmp_path: Path) -> None:
    began = time.monotonic()
    command = runs_command(tmp_path, "0@30")
    init = launch(start, ["--timeout", "500ms", "--", *command], mode,
                  env={"TINYINIT_TIMEOUT": "1h"})  # fmt: skip
    assert init.wait(10) == 124
    assert time.monotonic() - began < 3


def test_child_done_before_timeout_keeps_its_status(start, mode: str, tmp_path: Path) -> None:
    init = launch(start, ["--timeout", "5s", "--", *runs_command(tmp_path, "3")], mode)
    assert init.wait(10) == 3
    assert init.stderr() == ""
