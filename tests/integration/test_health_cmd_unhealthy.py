"""--health-cmd: a check that starts failing makes COMMAND unhealthy after --health-retries
failures in a row: a warning line, then the same stop as from outside (stop signal, grace,
SIGKILL); then the restart policy decides."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path

from .supervision import (
    RESTART,
    UNHEALTHY,
    launch,
    matching,
    restarts,
    run_count,
    runs_command,
    wait_runs,
    wait_stderr,
)
from .support import helper, wait_for

HEALTH = ["--health-interval", "200ms", "--health-timeout", "2s", "--health-retries", "2"]


def check_command(tmp_path: Path) -> str:
    """Healthy while tmp_path/healthy exists; every check leaves a line in tmp_path/checks."""
    checks, healthy = tmp_path / "checks", tmp_path / "healthy"
    return f"echo check >> {shlex.quote(str(checks))}; test -e {shlex.quote(str(healthy))}"


def checks_done(tmp_path: Path) -> int:
    checks = tmp_path / "checks"
    return len(checks.read_text().splitlines()) if checks.exists() else 0


def test_unhealthy_without_restart_exits_with_the_childs_status(
    start, mode: str, tmp_path: Path
) -> None:
    (tmp_path / "healthy").touch()
    args = [*HEALTH, "--health-cmd", check_command(tmp_path)]
    init = launch(start, [*args, "--", *runs_command(tmp_path, "0@30")], mode)
    wait_for(lambda: checks_done(tmp_path) >= 3, 10, "three passing checks")
    assert init.proc.poll() is None and not matching(UNHEALTHY, init.stderr()), init.stderr()

    (tmp_path / "healthy").unlink()
    failing = time.monotonic()
    assert init.wait(10) == 128 + signal.SIGTERM
    took = time.monotonic() - failing
    assert took < 3, f"stopped {took:.2f}s after the check started failing (2 x 200ms)"
    lines = matching(UNHEALTHY, init.stderr())
    assert len(lines) == 1 and UNHEALTHY.search(lines[0])["n"] == "2", init.stderr()
    assert run_count(tmp_path) == 1
    assert restarts(init.stderr()) == []


def test_unhealthy_child_replaced_with_on_failure(start, mode: str, tmp_path: Path) -> None:
    """Each run makes itself healthy when it starts; the test breaks run 1's health."""
    healthy = tmp_path / "healthy"
    run = shlex.join(runs_command(tmp_path, "0@30"))
    child = ["sh", "-c", f"touch {shlex.quote(str(healthy))}; exec {run}"]
    args = ["--restart", "on-failure", "--backoff", "100ms", *HEALTH]
    init = launch(start, [*args, "--health-cmd", check_command(tmp_path), "--", *child], mode)
    init.out.expect("run 1")
    wait_for(lambda: checks_done(tmp_path) >= 2, 10, "two passing checks")

    healthy.unlink()
    wait_runs(tmp_path, 2)
    wait_stderr(init, RESTART, 5)
    found = restarts(init.stderr())
    assert [(r.status, r.attempt) for r in found] == [("killed by SIGTERM", 1)], init.stderr()
    assert len(matching(UNHEALTHY, init.stderr())) == 1, init.stderr()

    # Run 2 is healthy again: left alone until stopped from outside.
    seen = checks_done(tmp_path)
    wait_for(lambda: checks_done(tmp_path) >= seen + 3, 10, "three more checks")
    assert run_count(tmp_path) == 2 and len(matching(UNHEALTHY, init.stderr())) == 1
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM
    assert run_count(tmp_path) == 2


def test_unhealthy_term_ignoring_child_killed_after_grace(start, mode: str, tmp_path: Path) -> None:
    args = [*HEALTH, "--health-retries", "1", "--grace", "500ms", "--health-cmd", "false"]
    init = launch(start, [*args, "--", *helper("straggler")], mode)
    pid = int(init.out.expect("ready").split()[1])
    assert init.wait(10) == 128 + signal.SIGKILL
    stderr = init.stderr()
    assert len(matching(UNHEALTHY, stderr)) == 1, stderr
    kills = [line for line in stderr.splitlines() if "grace period over" in line]
    assert len(kills) == 1 and str(pid) in kills[0] and "straggler.py" in kills[0], stderr
