"""A daemon that left the group (setsid) behind a main command that ignores TERM: the main
command never exits, so no drain comes; at half the grace the daemon gets the stop signal and
finishes its work before the SIGKILL. In every mode (none reaches outside the group)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .forwarding import SLOW_MATRIX, Outcome, Run, sh_words, sigkill_warned, tinyinit
from .support import helper

GRACE = 2.0
WORK = 0.3


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    done = tmp / "done"
    main = sh_words(helper("daemon", "--file", str(done), "--work", str(WORK)))
    with Run(init, ["sh", "-c", f"trap '' TERM; exec {main}"], mode) as run:
        run.out.expect("ready")
        run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
        stderr = run.stderr()
    facts = {
        "daemon_done": done.read_text().strip() if done.exists() else None,
        # when its file was written, from the stop (the same clock: wall time, here)
        "sigkill": sigkill_warned(stderr) or code in (None, 137),
    }
    if done.exists():
        facts["done_after"] = round(os.stat(done).st_mtime - run.stop_wall, 2)
    text = "daemon finishes its work" if done.exists() else "daemon gets only SIGKILL"
    return Outcome(code, took, text, facts)


@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_daemon_warned_behind_a_term_ignoring_command(
    mode: str, forward: str, tmp_path: Path
) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    assert out.facts["daemon_done"] == "15", out
    assert GRACE / 2 - 0.2 <= out.facts["done_after"] <= GRACE, out
    assert out.code == 137, out
