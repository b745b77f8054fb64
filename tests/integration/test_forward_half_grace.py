"""The main command ignores TERM; its worker, a group member whose parent is not waiting for it,
is left to that parent by auto (and child). Nobody goes from nothing to SIGKILL: at half the
grace at the latest, every process that has not had the stop signal gets it, and never twice."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .forwarding import (
    SLOW_MATRIX,
    Outcome,
    Run,
    got,
    sh_words,
    sigkill_warned,
    sigstamp,
    tinyinit,
    wait_ready,
)

GRACE = 3.0


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    main_log, worker_log = tmp / "main.log", tmp / "worker.log"
    worker = sh_words(sigstamp(worker_log, "--exit-on", "TERM"))
    main = sh_words(sigstamp(main_log, "--ignore", "TERM"))
    with Run(init, ["sh", "-c", f"{worker} & exec {main}"], mode) as run:
        wait_ready(main_log, worker_log)
        run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
        stderr = run.stderr()
    heard = got(worker_log, signal.SIGTERM)
    facts = {
        "worker_heard": round(heard[0] - run.stopped_at, 2) if heard else None,
        "worker_terms": len(heard),
        "sigkill": sigkill_warned(stderr) or code in (None, 137),
    }
    text = (
        "worker never hears TERM before the SIGKILL"
        if not heard
        else f"worker hears TERM after {facts['worker_heard']:.1f}s"
    )
    return Outcome(code, took, text, facts)


@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_everyone_warned_by_half_the_grace(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    assert out.facts["worker_terms"] == 1, out
    heard = out.facts["worker_heard"]
    if forward == "group":
        assert heard < 1, out  # with the forward, and not again at half the grace
    else:
        assert GRACE / 2 - 0.2 <= heard <= GRACE / 2 + 0.8, out
    assert out.code == 137 and out.facts["sigkill"], out  # the main command ignores TERM
