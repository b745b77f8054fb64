"""A terminal session through a pty, as `docker run -it`: the child takes the terminal, Ctrl-C
interrupts the foreground job and not the shell, and the child gets no SIGHUP or SIGCONT from
tinyinit giving up the terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import time
from collections.abc import Callable, Iterator

import pytest

from .support import (
    PID1,
    alive,
    children,
    cmdline,
    descendants,
    helper,
    kill_quietly,
    proc_stat,
    require_root,
    tinyinit_command,
    wait_for,
)

SHELL = (
    [shutil.which("bash") or "bash", "--norc", "--noprofile", "-i"]
    if shutil.which("bash")
    else ["sh", "-i"]
)


class Terminal:
    """tinyinit ARGS started on a new pty (its stdin, stdout and stderr, as with docker -it)."""

    def __init__(self, args: list[str], mode: str) -> None:
        self.mode = mode
        command = [*tinyinit_command(), *args]
        if mode == PID1:
            # As docker -it does, make PID 1 lead a session with the terminal as its controlling
            # terminal (taken from the session of the unshare process, which we are root to do).
            command = ["unshare", "--pid", "--fork", "--mount-proc", "setsid", "--ctty", *command]
        env = {**os.environ, "PS1": "PROMPT$ ", "TERM": "dumb"}
        for name in ("TINYINIT_GRACE", "TINYINIT_VERBOSITY", "TINI_VERBOSITY", "DUMB_INIT_DEBUG"):
            env.pop(name, None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: exec at once
            try:
                os.execvpe(command[0], command, env)
            finally:
                os._exit(127)
        self.output = b""
        self.status: int | None = None

    @property
    def init_pid(self) -> int:
        if self.mode != PID1:
            return self.pid
        return wait_for(lambda: children(self.pid), 10, "unshare to fork tinyinit")[0]

    def find(self, command: list[str]) -> int:
        def probe() -> int | None:
            found = [pid for pid in descendants(self.pid) if cmdline(pid) == command]
            return found[0] if found else None

        return wait_for(probe, 10, f"a process running {command}")

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def _read(self, until: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], max(until - time.monotonic(), 0))
        if ready:
            try:
                self.output += os.read(self.fd, 4096)
            except OSError:  # EIO once every process has closed the terminal
                time.sleep(0.01)

    def expect(self, text: bytes, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} not seen within {timeout}s; output: {self.output!r}")
            self._read(deadline)

    def expect_line(self, pattern: bytes, timeout: float = 10) -> None:
        """Wait for a whole output line matching PATTERN."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern + rb"\r\n", self.output):
            if time.monotonic() > deadline:
                pytest.fail(f"no line {pattern!r} within {timeout}s; output: {self.output!r}")
            self._read(deadline)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                pytest.fail(f"the session did not end within {timeout}s: {self.output!r}")
            self._read(time.monotonic() + 0.05)

    def close(self) -> None:
        if self.status is None:
            for pid in descendants(self.pid):
                kill_quietly(pid)
            kill_quietly(self.pid)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def terminal(mode: str) -> Iterator[Callable[[list[str]], Terminal]]:
    if mode == PID1:
        require_root()
    opened: list[Terminal] = []

    def _open(args: list[str]) -> Terminal:
        opened.append(Terminal(args, mode))
        return opened[-1]

    yield _open
    for term in opened:
        term.close()


def test_ctrl_c_interrupts_the_foreground_job_not_the_shell(terminal) -> None:
    term = terminal(["--", *SHELL])
    term.expect(b"PROMPT$ ")
    shell = term.find(SHELL)
    stat = proc_stat(shell)
    assert stat is not None
    tty_nr, foreground = int(stat[4]), int(stat[5])
    assert tty_nr != 0, "the shell has no controlling terminal"
    assert foreground == shell, "the shell's group is not in the foreground"

    term.write(b"sleep 100\n")
    sleeper = term.find(["sleep", "100"])
    wait_for(
        lambda: proc_stat(shell)[5] == proc_stat(sleeper)[2], 5, "sleep to be the foreground job"
    )
    term.write(b"\x03")
    wait_for(lambda: not alive(sleeper), 5, "Ctrl-C to interrupt sleep")

    term.write(b"echo al''ive\n")
    term.expect(b"alive\r\n")
    assert b"job control" not in term.output, term.output
    term.write(b"exit 7\n")
    assert term.wait(10) == 7


def test_child_takes_the_terminal_without_sighup(terminal) -> None:
    term = terminal(["--", *helper("print_signals", "--tty", "--exit-on", "USR2")])
    term.expect_line(rb"ready .*")
    os.kill(term.init_pid, signal.SIGUSR1)
    term.expect(b"\r\n10\r\n", timeout=5)
    os.kill(term.init_pid, signal.SIGUSR2)
    assert term.wait(10) == 0
    lines = term.output.decode().split("\r\n")
    ready = next(i for i, line in enumerate(lines) if line.startswith("ready"))
    assert lines[ready].endswith("tty=yes"), "the child's group is not the terminal's foreground"
    assert lines[ready + 1 :] == ["10", "12", "exiting", ""], "unexpected signals reached the child"
