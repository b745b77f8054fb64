"""Exec failure: of the first run it ends at once (127/126, as without a restart policy); of
a later run it counts as a failed run, restarted like any other."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .supervision import RESTART, launch, restarts, wait_stderr


@pytest.mark.parametrize(("kind", "code"), [("missing", 127), ("not-executable", 126)])
def test_first_run_exec_failure_ends_at_once(
    start, mode: str, tmp_path: Path, kind: str, code: int
) -> None:
    program = tmp_path / "program"
    if kind == "not-executable":
        program.write_text("#!/bin/sh\nexit 0\n")
        program.chmod(0o644)
    began = time.monotonic()
    args = ["--restart", "always", "--backoff", "100ms"]
    init = launch(start, [*args, "--", str(program)], mode)
    assert init.wait(10) == code
    assert time.monotonic() - began < 3
    lines = init.stderr_lines()
    assert len(lines) == 1 and lines[0].startswith(f"tinyinit: cannot run '{program}': "), lines


def self_removing(program: Path, log: Path) -> None:
    """A script that logs its run, removes its own executable and fails."""
    program.write_text(f'#!/bin/sh\necho run >> {log}\nrm -f "$0"\nexit 3\n')
    program.chmod(0o755)


def test_later_exec_failure_is_a_failed_run(start, mode: str, tmp_path: Path) -> None:
    program, log = tmp_path / "program", tmp_path / "log"
    self_removing(program, log)
    args = ["--restart", "on-failure", "--backoff", "300ms"]
    init = launch(start, [*args, "--", str(program)], mode)
    # Restart 1 follows run 1's exit 3; restart 2 follows run 2, which could not exec.
    wait_stderr(init, RESTART, 10, count=2)
    fixed = tmp_path / "fixed"  # complete and executable before it appears under its name
    fixed.write_text(f"#!/bin/sh\necho run >> {log}\nexit 0\n")
    fixed.chmod(0o755)
    fixed.rename(program)
    assert init.wait(15) == 0, init.stderr()
    assert log.read_text().splitlines() == ["run", "run"]
    found = restarts(init.stderr())
    assert [r.attempt for r in found] == [1, 2], init.stderr()
    assert found[0].status == "exited 3"


def test_exhausted_by_exec_failure_exits_with_its_code(start, mode: str, tmp_path: Path) -> None:
    program, log = tmp_path / "program", tmp_path / "log"
    self_removing(program, log)
    args = ["--restart", "on-failure", "--max-restarts", "1", "--backoff", "100ms"]
    init = launch(start, [*args, "--", str(program)], mode)
    assert init.wait(15) == 127, init.stderr()
    assert log.read_text().splitlines() == ["run"]
