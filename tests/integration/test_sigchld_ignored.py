"""Started by a parent that ignores SIGCHLD (SIG_IGN is inherited across exec), tinyinit still
sees its child exit and exits with the command's status: with SIGCHLD ignored the kernel
would reap children behind waitpid's back, and tinyinit would wait forever. The command
still inherits the ignored SIGCHLD, as it would without tinyinit."""

from __future__ import annotations

import pytest

from .hostile import start_under
from .support import helper, proc_status, sig_mask, wait_for


@pytest.mark.parametrize("code", [0, 7, 255])
def test_exit_status_with_sigchld_ignored(start, mode: str, code: int) -> None:
    """Planted bug caught: __main__ without the reset of an inherited SIG_IGN of SIGCHLD
    (tinyinit hangs)."""
    wrap = helper("exec_with", "--ignore-sigchld", "--")
    init = start_under(start, ["--", "sh", "-c", f"sleep 0.2; exit {code}"], mode, wrap)
    assert init.wait(10) == code, init.stderr()
    assert init.stderr() == ""


def test_orphans_are_reaped_with_sigchld_ignored(start, mode: str) -> None:
    wrap = helper("exec_with", "--ignore-sigchld", "--")
    script = "(sleep 0.3; exit 4) & exec sleep 0.1"
    init = start_under(start, ["-w", "--", "sh", "-c", script], mode, wrap)
    assert init.wait(10) == 0, init.stderr()


def test_command_inherits_the_ignored_sigchld(start, mode: str) -> None:
    wrap = helper("exec_with", "--ignore-sigchld", "--")
    init = start_under(start, ["--", "sleep", "30"], mode, wrap)
    child = init.main_child()
    status = wait_for(
        lambda: (s := proc_status(child)) and "sleep" in s["Name"] and s, 10, "the exec"
    )
    assert 17 in sig_mask(status["SigIgn"])
