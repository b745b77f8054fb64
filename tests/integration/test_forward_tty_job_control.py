"""Interactive use: tinyinit (not PID 1) in the foreground of a job-control shell (bash in a
pty). Ctrl-Z stops the command and tinyinit with it, so the shell gets its prompt back; `fg`
continues both and hands the terminal back to the command; `bg` continues both; Ctrl-C reaches
the command."""

from __future__ import annotations

import os
import pty
import select
import shlex
import time
from collections.abc import Iterator

import pytest

from .forwarding import need
from .support import (
    HELPERS,
    PYTHON,
    TINYINIT,
    children,
    cmdline,
    descendants,
    kill_quietly,
    proc_stat,
    proc_state,
    wait_for,
)

PROMPT = b"PROMPT$ "


class Shell:
    """bash -i on a new pty: a shell with job control, typed into like a user does."""

    def __init__(self) -> None:
        bash = need("bash")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TINYINIT_", "TINI_"))}
        env.update(PS1=PROMPT.decode(), TERM="dumb", HISTFILE="/dev/null")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(bash, [bash, "--norc", "--noprofile", "-i"], env)
            finally:
                os._exit(127)
        self.output = b""
        self.seen = 0  # how far expect() has read

    def expect(self, text: bytes, timeout: float = 10) -> None:
        """Wait for TEXT in the output after what earlier expects consumed."""
        deadline = time.monotonic() + timeout
        while text not in self.output[self.seen :]:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"{text!r} not seen within {timeout}s; output: {self.output!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.output += os.read(self.fd, 4096)
                except OSError:
                    time.sleep(0.01)
        self.seen += self.output[self.seen :].index(text) + len(text)

    def type(self, text: bytes) -> None:
        os.write(self.fd, text)

    def tinyinit(self) -> tuple[int, int]:
        """(tinyinit's pid, its child's pid) once both run."""

        def probe() -> tuple[int, int] | None:
            for pid in descendants(self.pid):
                if str(TINYINIT) in cmdline(pid):
                    kids = children(pid)
                    return (pid, kids[0]) if kids else None
            return None

        return wait_for(probe, 10, "tinyinit and its child")

    def close(self) -> None:
        for pid in descendants(self.pid):
            kill_quietly(pid)
        kill_quietly(self.pid)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def shell() -> Iterator[Shell]:
    sh = Shell()
    try:
        sh.expect(PROMPT)
        yield sh
    finally:
        sh.close()


def in_front(pid: int) -> bool:
    """PID's process group is the terminal's foreground group."""
    stat = proc_stat(pid)
    return stat is not None and stat[5] == stat[2]


def both(pids: tuple[int, int], stopped: bool) -> bool:
    return all((proc_state(p) == "T") == stopped for p in pids)


def test_ctrl_z_then_fg_gives_the_terminal_back(shell: Shell) -> None:
    echo = shlex.join([str(TINYINIT), "--", PYTHON, str(HELPERS / "tty_echo.py")])
    shell.type(echo.encode() + b"\n")
    shell.expect(b"ready\r\n")
    pids = shell.tinyinit()
    shell.type(b"one\n")
    shell.expect(b"got: one")

    shell.type(b"\x1a")  # Ctrl-Z
    shell.expect(b"Stopped")
    shell.expect(PROMPT)
    wait_for(lambda: both(pids, stopped=True), 5, "tinyinit and the command to be stopped")

    shell.type(b"fg\n")
    wait_for(lambda: both(pids, stopped=False), 5, "fg to continue both")
    wait_for(lambda: in_front(pids[1]), 5, "the command's group to have the terminal again")
    shell.type(b"two\n")
    shell.expect(b"got: two")  # the command reads the terminal again

    shell.type(b"\x03")  # Ctrl-C
    shell.expect(PROMPT)
    shell.type(b"echo rc=$?\n")
    shell.expect(b"rc=130")


def stop_then_bg(shell: Shell) -> tuple[int, int]:
    shell.type(shlex.join([str(TINYINIT), "--", "sleep", "100"]).encode() + b"\n")
    pids = shell.tinyinit()
    wait_for(lambda: cmdline(pids[1]) == ["sleep", "100"], 5, "sleep to run")
    wait_for(lambda: in_front(pids[1]), 5, "the command's group to have the terminal")

    shell.type(b"\x1a")
    shell.expect(b"Stopped")
    shell.expect(PROMPT)
    wait_for(lambda: both(pids, stopped=True), 5, "tinyinit and the command to be stopped")

    shell.type(b"bg\n")
    shell.expect(PROMPT)
    wait_for(lambda: both(pids, stopped=False), 5, "bg to continue both")
    return pids


def test_ctrl_z_then_bg_continues_both(shell: Shell) -> None:
    pids = stop_then_bg(shell)
    shell.type(b"kill -INT %1; wait %1; echo rc=$?\n")
    shell.expect(b"rc=130")
    assert proc_state(pids[0]) is None


def test_fg_after_bg_lets_the_command_read_the_terminal(shell: Shell) -> None:
    """bash's `fg` of a job that already runs (after `bg`) hands the terminal to tinyinit's
    group and sends no SIGCONT, so tinyinit is not told. When the command then reads the
    terminal from behind, it stops on SIGTTIN: tinyinit, in front, hands it the terminal and
    continues it instead of stopping the job."""
    echo = shlex.join([PYTHON, str(HELPERS / "tty_echo.py")])
    command = f"sleep 1.5; exec {echo}"
    shell.type(shlex.join([str(TINYINIT), "--", "sh", "-c", command]).encode() + b"\n")
    pids = shell.tinyinit()
    wait_for(lambda: in_front(pids[1]), 5, "the command's group to have the terminal")
    shell.type(b"\x1a")
    shell.expect(b"Stopped")
    shell.expect(PROMPT)
    shell.type(b"bg\n")
    shell.expect(PROMPT)
    wait_for(lambda: both(pids, stopped=False), 5, "bg to continue both")
    shell.type(b"fg\n")  # before the sleep ends: the job is still running
    shell.expect(b"ready\r\n")
    wait_for(lambda: in_front(pids[1]), 5, "the command's group to have the terminal again")
    shell.type(b"three\n")
    shell.expect(b"got: three")
    assert proc_state(pids[0]) != "T"
    shell.type(b"\x03")
    shell.expect(PROMPT)
    shell.type(b"echo rc=$?\n")
    shell.expect(b"rc=130")
