"""A stop signal is followed by SIGCONT to the same processes: a stopped command (and a stopped
member of its group) acts on TERM at once instead of waiting, frozen, for the SIGKILL."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .forwarding import (
    FORWARDS,
    Outcome,
    Run,
    got,
    sh_words,
    sigkill_warned,
    sigstamp,
    tinyinit,
    wait_ready,
)
from .support import children, proc_state, wait_for

GRACE = 4.0


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    main_log, member_log = tmp / "main.log", tmp / "member.log"
    member = sh_words(sigstamp(member_log, "--exit-on", "TERM"))
    main = sh_words(sigstamp(main_log, "--exit-on", "TERM"))
    with Run(init, ["sh", "-c", f"{member} & exec {main}"], mode) as run:
        wait_ready(main_log, member_log)
        pids = [run.main_child(), *children(run.main_child())]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        wait_for(lambda: all(proc_state(p) == "T" for p in pids), 5, "both to stop")
        run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
        stderr = run.stderr()
    facts = {
        "main": len(got(main_log, signal.SIGTERM)),
        "member": len(got(member_log, signal.SIGTERM)),
        "sigkill": sigkill_warned(stderr) or code in (None, 137),
    }
    text = "stopped processes act on TERM" if not facts["sigkill"] else "frozen until SIGKILL"
    return Outcome(code, took, text, facts)


@pytest.mark.parametrize("forward", FORWARDS)
def test_stopped_processes_get_cont_after_term(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    assert out.facts["main"] == 1 and out.facts["member"] == 1, out
    assert not out.facts["sigkill"] and out.code == 0, out
    assert out.seconds < GRACE / 2, out
