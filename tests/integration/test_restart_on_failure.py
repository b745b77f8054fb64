"""--restart on-failure: a failed run (non-zero status, or death by signal) is restarted after
a delay, each restart one warning line with its reason, attempt number and delay; a success
ends it all."""

from __future__ import annotations

from pathlib import Path

from .supervision import exhausted, launch, restarts, run_count, runs_command


def test_fails_twice_then_succeeds(start, mode: str, tmp_path: Path) -> None:
    command = runs_command(tmp_path, "3,3,0")
    init = launch(start, ["--restart", "on-failure", "--backoff", "200ms", "--", *command], mode)
    assert init.wait(15) == 0
    assert run_count(tmp_path) == 3
    stderr = init.stderr()
    found = restarts(stderr)
    assert [r.attempt for r in found] == [1, 2], stderr
    assert [r.status for r in found] == ["exited 3", "exited 3"], stderr
    assert [r.max for r in found] == [5, 5], f"on-failure allows 5 restarts by default: {stderr}"
    first, second = found[0].delay, found[1].delay
    # 200ms then 400ms; jitter shortens each by at most a quarter; printed with one decimal.
    assert 0.1 <= first <= 0.25, stderr
    assert 0.25 <= second <= 0.45, stderr
    assert second > first, stderr
    assert not exhausted(stderr), stderr
    assert len(stderr.splitlines()) == 2, f"one line per restart, nothing else: {stderr}"


def test_death_by_signal_is_a_failure(start, mode: str, tmp_path: Path) -> None:
    command = runs_command(tmp_path, "KILL,0")
    init = launch(start, ["--restart", "on-failure", "--backoff", "100ms", "--", *command], mode)
    assert init.wait(15) == 0
    assert run_count(tmp_path) == 2
    found = restarts(init.stderr())
    assert [(r.status, r.attempt) for r in found] == [("killed by SIGKILL", 1)], init.stderr()


def test_success_is_not_restarted(start, mode: str, tmp_path: Path) -> None:
    command = runs_command(tmp_path, "0")
    init = launch(start, ["--restart", "on-failure", "--backoff", "100ms", "--", *command], mode)
    assert init.wait(15) == 0
    assert run_count(tmp_path) == 1
    assert init.stderr() == ""


def test_no_restart_by_default(start, mode: str, tmp_path: Path) -> None:
    init = launch(start, ["--backoff", "100ms", "--", *runs_command(tmp_path, "3,0")], mode)
    assert init.wait(15) == 3
    assert run_count(tmp_path) == 1
    assert init.stderr() == ""
