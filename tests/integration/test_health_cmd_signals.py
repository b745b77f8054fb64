"""Checks never receive the signals forwarded to COMMAND, whatever the forwarding mode."""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

import pytest

from .supervision import launch
from .support import helper, wait_for

SENT = [signal.SIGUSR1, signal.SIGHUP, signal.SIGUSR2, signal.SIGWINCH]


def check_lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def finished(log: Path) -> set[str]:
    return {w[1] for w in check_lines(log) if w[0] == "done"}


def running_check(log: Path) -> str | None:
    """The pid of a check that started and is not done yet."""
    started = [w[1] for w in check_lines(log) if w[0] == "check"]
    done = finished(log)
    pending = [pid for pid in started if pid not in done]
    return pending[-1] if pending else None


@pytest.mark.parametrize("forwarding", [[], ["-g"], ["-c"]], ids=["default", "-g", "-c"])
def test_checks_get_no_forwarded_signal(
    start, mode: str, tmp_path: Path, forwarding: list[str]
) -> None:
    log = tmp_path / "checks"
    # exec: the check's shell becomes the recorder, so one process gets whatever the check gets
    check = "exec " + shlex.join(helper("sigrecord", "--log", str(log), "--for", "0.6"))
    args = [*forwarding, "--health-cmd", check, "--health-interval", "200ms",
            "--health-timeout", "5s"]  # fmt: skip
    child = helper("print_signals", "--exit-on", "TERM")
    init = launch(start, [*args, "--", *child], mode)
    init.out.expect("ready")

    during: set[str] = set()  # checks that ran before and after a signal: could have got it
    for sig in SENT:
        pid = wait_for(lambda: running_check(log), 10, "a running check")
        init.signal(sig)
        init.out.expect(lambda line, n=int(sig): line == str(n), 5)  # COMMAND got it
        if running_check(log) == pid:
            during.add(pid)
    assert during, "no check was running while the signals were forwarded"
    # Whatever those checks got is in the log once they are done.
    wait_for(lambda: during <= finished(log), 5, "the checks to finish")
    received = [w for w in check_lines(log) if w[0] == "signal"]
    assert received == [], f"a check received signals meant for COMMAND: {received}"
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 0
