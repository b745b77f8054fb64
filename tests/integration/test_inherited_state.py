"""The child starts with exactly the signal mask, ignored signals and descriptors tinyinit had.

tinyinit is launched through helpers/with_state.py, which sets a known state and execs it; the
child is `sleep`, which changes none of it, and is looked at from outside through /proc.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .support import Init, children, cmdline, helper, proc_status, sig_mask, wait_for

SLEEP = ["sleep", "30"]


def exec_done(init: Init) -> int:
    """Host pid of the child once it runs `sleep` (before that it is still tinyinit's fork)."""

    def probe() -> int | None:
        kids = [pid for pid in children(init.pid) if cmdline(pid) == SLEEP]
        return kids[0] if kids else None

    return wait_for(probe, 10, "the child to exec sleep")


def names(numbers: set[int]) -> set[str]:
    return {signal.Signals(n).name for n in numbers}


@pytest.mark.parametrize(
    ("block", "ignore", "default"),
    [
        ("USR1,ALRM", "USR2,HUP", "PIPE,XFSZ"),
        ("", "", "PIPE,XFSZ"),  # Python's own SIG_IGN of PIPE and XFSZ must not reach the child
        ("TERM,INT,CHLD", "QUIT,TSTP", "PIPE,XFSZ"),  # what tinyinit itself handles
    ],
    ids=["blocked-and-ignored", "nothing", "stop-signals"],
)
def test_signal_mask_and_ignored_signals(
    start, mode: str, block: str, ignore: str, default: str
) -> None:
    state = helper("with_state", "--block", block, "--ignore", ignore, "--default", default, "--")
    init = start(["--", *SLEEP], mode, wrap=state)
    child = exec_done(init)
    status = proc_status(child)
    assert status is not None

    expected_blocked = {f"SIG{name}" for name in filter(None, block.split(","))}
    expected_ignored = {f"SIG{name}" for name in filter(None, ignore.split(","))}
    assert names(sig_mask(status["SigBlk"])) == expected_blocked
    assert names(sig_mask(status["SigIgn"])) == expected_ignored


def test_inherited_descriptors_and_no_others(start, mode: str, tmp_path: Path) -> None:
    inherited = tmp_path / "fd5"
    state = helper("with_state", "--fd", f"5:{inherited}", "--")
    init = start(["--", *SLEEP], mode, wrap=state)
    child = exec_done(init)

    fds = sorted(int(fd) for fd in os.listdir(f"/proc/{child}/fd"))
    assert fds == [0, 1, 2, 5], "descriptors of tinyinit's own leaked, or fd 5 was lost"
    assert os.readlink(f"/proc/{child}/fd/5") == str(inherited)
    for fd in (0, 1, 2):  # the same open files as tinyinit's own stdio
        assert os.stat(f"/proc/{child}/fd/{fd}") == os.stat(f"/proc/{init.pid}/fd/{fd}")
