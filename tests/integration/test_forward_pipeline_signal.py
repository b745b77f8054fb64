"""`sh -c 'a | b'` and a signal other than the stop signal (USR1, HUP): the shell traps them and
waits for its pipeline (do_wait), which is where nobody passes signals on.

auto and group: both members get every signal. child: only the shell does; the members hear
nothing until the drain's TERM once the shell is gone."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .forwarding import (
    FORWARDS,
    Outcome,
    Run,
    got,
    sh_words,
    sigstamp,
    tinyinit,
    wait_for,
    wait_ready,
)

SIGNALS = (signal.SIGUSR1, signal.SIGHUP)


def scenario(init: list[str], mode: str, tmp: Path, wait: float = 2) -> Outcome:
    """WAIT: how long to give each signal to reach the members (0 where none is expected)."""
    logs = [tmp / "a.log", tmp / "b.log"]
    members = [sh_words(sigstamp(log, "--exit-on", "TERM")) for log in logs]
    command = ["sh", "-c", "trap : USR1 HUP; " + " | ".join(members)]
    with Run(init, command, mode) as run:
        wait_ready(*logs)
        for sig in SIGNALS:
            run.signal(sig)
            # Either every member logs it at once, or none ever does (checked after the TERM,
            # which the init sends after it: a member logs signals in the order they come).
            if wait:
                try:
                    wait_for(lambda sig=sig: all(got(log, sig) for log in logs), wait, sig.name)
                except pytest.fail.Exception:
                    pass
        run.signal(signal.SIGTERM)
        code, took = run.finish(5)
    facts = {
        sig.name: sum(1 for log in logs if got(log, sig)) for sig in (*SIGNALS, signal.SIGTERM)
    }
    text = ", ".join(f"{n[3:]} {k}/2" for n, k in facts.items()) + " members"
    return Outcome(code, took, text, facts)


@pytest.mark.parametrize("forward", FORWARDS)
def test_pipeline_members_get_non_stop_signals(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, 3), mode, tmp_path, wait=0 if forward == "child" else 2)
    assert out.facts["SIGTERM"] == 2, out  # the drain or the forward: never lost
    expected = 0 if forward == "child" else 2
    assert out.facts["SIGUSR1"] == out.facts["SIGHUP"] == expected, out
    assert out.code in (0, 143), out
