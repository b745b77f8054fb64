"""A multiprocessing.Pool whose parent handles SIGTERM by finishing the queued tasks: its
workers keep SIGTERM's default, so one that hears it directly dies mid-task, its file torn, and
the parent then waits forever for a result that will never come.

auto and child: every task done, every file whole, exit 0. group: files torn, the parent stuck,
everything SIGKILLed at the end of the grace (137)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .forwarding import SLOW_MATRIX, Outcome, Run, sigkill_warned, tinyinit
from .support import helper

TASKS = 3
WORK = 0.8
# The pool's clean shutdown (two rounds of tasks) must fit in half the grace: at half the grace
# the workers, left to their parent until then, get the stop signal too, and die of it.
GRACE = 6.0


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    with Run(init, helper("mp_pool", str(tmp), str(TASKS), str(WORK)), mode) as run:
        run.out.expect("ready", 15)
        run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
        stderr = run.stderr()
    files = [tmp / f"task-{i}" for i in range(TASKS)]
    whole = sum(f.exists() and f.read_text() == "begin\nend\n" for f in files)
    torn = sum(f.exists() and f.read_text() == "begin\n" for f in files)
    facts = {"whole": whole, "torn": torn, "sigkill": sigkill_warned(stderr) or code in (None, 137)}
    return Outcome(code, took, f"{whole}/{TASKS} files whole, {torn} torn", facts)


@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_pool_parent_finishes_the_queue(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    if forward == "group":
        assert out.facts["torn"] > 0 and out.code == 137 and out.facts["sigkill"], out
    else:
        assert out.facts["whole"] == TASKS and out.facts["torn"] == 0, out
        assert out.code == 0 and not out.facts["sigkill"], out
