"""What tinyinit is started with, however odd, changes nothing it does, and the command gets
it exactly: closed stdin/stdout/stderr (tinyinit opens nothing that lands on 0, 1 or 2), a
tight RLIMIT_NOFILE, 2,000 inherited descriptors, a deleted working directory, 100,000
arguments, and a SIGSTOP/SIGCONT of tinyinit itself."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .hostile import start_under
from .support import cmdline, helper, proc_state, wait_for


def fds_of_command(init) -> set[int]:
    """The descriptors of the command (`sleep`, once exec'd), read from outside."""
    child = init.main_child()
    wait_for(lambda: "sleep" in cmdline(child)[:1], 10, "the exec")
    fds = set(map(int, os.listdir(f"/proc/{child}/fd")))
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 128 + signal.SIGTERM
    return fds


@pytest.mark.parametrize("closed", ["0", "1", "2", "0,1,2"])
def test_closed_stdio(start, mode: str, closed: str) -> None:
    """The command sees the same descriptors closed (-v: tinyinit writes lines, to a closed
    stderr when 2 is closed; nothing it opens lands on 0, 1 or 2). Planted bug caught:
    bin/tinyinit flushing sys.stdout when it is None (fd 1 closed): a traceback, exit 1."""
    pre = helper("exec_with", "--close", closed, "--")
    init = start_under(start, ["-v", "--", "sleep", "30"], mode, pre, stdout=None)
    assert fds_of_command(init) == {0, 1, 2} - set(map(int, closed.split(",")))


def test_tight_nofile_limit(start, mode: str) -> None:
    pre = helper("exec_with", "--rlimit", "NOFILE=12", "--")
    init = start_under(start, ["--", "sh", "-c", "exit 7"], mode, pre)
    assert init.wait(10) == 7, init.stderr()
    assert init.stderr() == ""


def test_two_thousand_inherited_descriptors_pass_exactly(start, mode) -> None:
    pre = helper("exec_with", "--rlimit", "NOFILE=4096", "--open-fds", "2000", "--")
    init = start_under(start, ["--", "sleep", "30"], mode, pre)
    assert fds_of_command(init) == {0, 1, 2} | set(range(10, 2010))


def test_deleted_working_directory(start, mode: str, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    pre = ["sh", "-c", 'rmdir "$PWD" && exec "$@"', "rm-cwd"]
    init = start_under(start, ["--", "sh", "-c", "exit 7"], mode, pre, cwd=gone)
    assert init.wait(10) == 7, init.stderr()
    ours = [line for line in init.stderr_lines() if "tinyinit" in line or "Traceback" in line]
    assert not ours, ours  # (the shell itself may complain about getcwd)


def test_hundred_thousand_arguments(start, mode: str) -> None:
    words = [f"a{i:05d}" for i in range(100_000)]
    init = start(["--", "sh", "-c", 'echo "$#" "$1" "${100000}"', "sh", *words], mode)
    assert init.out.readline(20) == "100000 a00000 a99999"
    assert init.wait(20) == 0


def test_stopped_and_continued(start, mode: str) -> None:
    """tinyinit stopped while its child exits: once continued, it reaps and exits with the
    child's code."""
    init = start(["--", "sh", "-c", "read line; exit 5"], mode, stdin=-1)
    child = init.main_child()
    init.signal(signal.SIGSTOP)
    wait_for(lambda: proc_state(init.pid) == "T", 5, "tinyinit stopped")
    init.proc.stdin.close()  # the child reads EOF and exits while tinyinit is stopped
    wait_for(lambda: proc_state(child) == "Z", 5, "the child to exit")
    init.signal(signal.SIGCONT)
    assert init.wait(10) == 5
