"""A bash entrypoint that traps TERM and runs its program in the foreground: bash runs the trap
only once the program has ended, so the program must hear the stop signal from the init.

auto: bash waits for its foreground program (do_wait), so the program gets TERM with bash, ends
its work, and the trap runs: exit 143, nothing killed. group: the same, through the group.
child: only bash gets TERM; the program hears nothing until the drain (at half the grace) or
the SIGKILL."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .forwarding import (
    HELPERS,
    SLOW_MATRIX,
    Outcome,
    Run,
    got,
    need,
    sigkill_warned,
    sigstamp,
    tinyinit,
    wait_for,
)

GRACE = 4.0


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    bash = need("bash")
    log, prog = tmp / "entrypoint.log", tmp / "program.log"
    command = [bash, str(HELPERS / "entrypoint.sh"), str(log), *sigstamp(prog, "--exit-on", "TERM")]
    with Run(init, command, mode) as run:
        wait_for(lambda: prog.exists() and "ready" in prog.read_text(), 10, "the program")
        run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
        stderr = run.stderr()
    heard = got(prog, signal.SIGTERM)
    lines = log.read_text().splitlines()
    facts = {
        "heard": None if not heard else round(heard[0] - run.stopped_at, 2),
        "times_heard": len(heard),
        "trap_ran": "trap TERM" in lines,
        "sigkill": sigkill_warned(stderr) or code in (None, 137),
    }
    if facts["heard"] is not None and facts["heard"] < 1 and facts["trap_ran"]:
        text = "program stops, trap runs"
    elif facts["heard"] is not None:
        text = f"program hears TERM only after {facts['heard']:.1f}s"
    else:
        text = "program never hears TERM: SIGKILLed"
    return Outcome(code, took, text, facts)


@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_bash_entrypoint_with_trap(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    assert out.facts["times_heard"] <= 1, out
    if forward in ("auto", "group"):
        assert out.facts["heard"] is not None and out.facts["heard"] < 1, out
        assert out.facts["trap_ran"], out
        assert out.code == 143, out
        assert not out.facts["sigkill"], out
        assert out.seconds < GRACE / 2, out
    else:
        # Only bash hears it, and bash waits for the program: the program hears nothing before
        # the drain at half the grace (or, without it, the SIGKILL).
        assert out.facts["heard"] is None or out.facts["heard"] >= GRACE / 2 - 0.3, out
