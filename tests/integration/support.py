"""What the integration tests share: how to start tinyinit, read its output, and look at /proc.

Every wait here has a deadline; nothing sleeps for a fixed time to let something happen.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "tests" / "helpers"
TINYINIT = Path(os.environ.get("TINYINIT") or ROOT / ".venv" / "bin" / "tinyinit")
PYTHON = sys.executable

PID1 = "pid1"
SUBREAPER = "subreaper"
MODES = (PID1, SUBREAPER)

# Run tinyinit without python-prctl (its module and its C binding hidden), so that its ctypes
# fallback makes the prctl(2) calls.
CTYPES_MAIN = (
    "import sys; sys.modules['prctl'] = sys.modules['_prctl'] = None; "
    "from tinyinit.__main__ import main; raise SystemExit(main())"
)

# Run tinyinit with a fault injected into its loop (forwarding a signal raises), to see that
# an internal error stops the children instead of abandoning them.
FAULTY_MAIN = (
    "from tinyinit import loop\n"
    "def broken(self, sig): raise RuntimeError('injected fault')\n"
    "loop.Supervisor.forward = broken\n"
    "from tinyinit.__main__ import main\n"
    "raise SystemExit(main())\n"
)

T = TypeVar("T")


# Variables that change what an init does: tinyinit's, tini's and dumb-init's own, socket
# activation's, and those by which tinyinit finds its runtime (its default grace).
SETTING_PREFIXES = ("TINYINIT_", "TINI_", "DUMB_INIT_")
SETTINGS = frozenset(
    {
        "LISTEN_PID",
        "KUBERNETES_SERVICE_HOST",
        "ECS_CONTAINER_METADATA_URI",
        "ECS_CONTAINER_METADATA_URI_V4",
        "NOMAD_ALLOC_ID",
    }
)


def is_setting(name: str) -> bool:
    """Whether a variable of the caller's environment would change what an init does."""
    return name.startswith(SETTING_PREFIXES) or name in SETTINGS


def require_root() -> None:
    """Root-only tests skip on a developer's machine but fail under CI, where they must run."""
    if os.geteuid() == 0:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("this test needs root (CI=true: not skipping)")
    pytest.skip("needs root (under CI=true this fails instead)")


def helper(name: str, *args: str) -> list[str]:
    """The command line running tests/helpers/NAME.py with the test interpreter."""
    return [PYTHON, str(HELPERS / f"{name}.py"), *args]


def tinyinit_command(launcher: str = "script") -> list[str]:
    if launcher == "script":
        return [str(TINYINIT)]
    if launcher in ("ctypes", "faulty"):
        venv_python = TINYINIT.parent / "python"
        python = str(venv_python) if venv_python.exists() else PYTHON
        return [python, "-c", CTYPES_MAIN if launcher == "ctypes" else FAULTY_MAIN]
    raise ValueError(launcher)


def wait_for(
    probe: Callable[[], T | None],
    timeout: float,
    what: str,
    interval: float = 0.01,
) -> T:
    """Poll PROBE until it returns something truthy; fail the test after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# /proc


def proc_status(pid: int) -> dict[str, str] | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def proc_state(pid: int) -> str | None:
    """The one-letter state (R, S, T, Z...), or None when the pid is gone."""
    status = proc_status(pid)
    return status["State"][0] if status else None


def context_switches(pid: int) -> int:
    """Voluntary and involuntary context switches of every thread of PID so far."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        status = proc_status(int(task))
        if status:
            total += int(status["voluntary_ctxt_switches"])
            total += int(status["nonvoluntary_ctxt_switches"])
    return total


def alive(pid: int) -> bool:
    """Running or stopped: neither gone nor a zombie."""
    return proc_state(pid) not in (None, "Z", "X")


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, session, tty_nr...]."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2 :].split()


def cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [os.fsdecode(part) for part in raw.split(b"\0")[:-1]]


def children(pid: int) -> list[int]:
    """Direct children of PID, by scanning /proc (the kernel may lack /proc/PID/task/*/children)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = proc_stat(int(entry))
        if stat and int(stat[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = proc_stat(int(entry))
        if stat:
            parents.setdefault(int(stat[1]), []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return sorted(found)


def sig_mask(hex_text: str) -> set[int]:
    """The signal numbers in a SigBlk/SigIgn/SigCgt hex mask."""
    bits = int(hex_text, 16)
    return {n for n in range(1, 65) if bits & (1 << (n - 1))}


def kill_quietly(pid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------------------------
# output


class Lines:
    """Reads a pipe line by line with a deadline on every read."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.eof = False
        self.seen: list[str] = []

    def _fill(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], remaining)
        if not ready:
            return False
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.eof = True
        self.buffer += chunk
        return True

    def readline(self, timeout: float) -> str | None:
        """The next line without its newline; None at EOF; fails the test on timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            if self.eof:
                if self.buffer:
                    line, self.buffer = self.buffer, bytearray()
                    self.seen.append(line.decode(errors="replace"))
                    return self.seen[-1]
                return None
            if not self._fill(deadline):
                pytest.fail(f"no output line within {timeout}s; lines so far: {self.seen!r}")
        line, _, self.buffer = self.buffer.partition(b"\n")
        self.seen.append(line.decode(errors="replace"))
        return self.seen[-1]

    def expect(self, predicate: Callable[[str], bool] | str, timeout: float = 10.0) -> str:
        """Read lines until one matches (a predicate, or a string the line starts with)."""
        if isinstance(predicate, str):
            prefix = predicate
            predicate = lambda line: line.startswith(prefix)  # noqa: E731
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(deadline - time.monotonic(), 0.001))
            if line is None:
                pytest.fail(f"output ended before the expected line; lines: {self.seen!r}")
            if predicate(line):
                return line

    def nothing_within(self, seconds: float) -> list[str]:
        """Lines that arrive within SECONDS (used to show that something did NOT happen)."""
        deadline = time.monotonic() + seconds
        got = []
        while not self.eof:
            while b"\n" in self.buffer:
                line, _, self.buffer = self.buffer.partition(b"\n")
                got.append(line.decode(errors="replace"))
            if not self._fill(deadline):
                break
        while b"\n" in self.buffer:
            line, _, self.buffer = self.buffer.partition(b"\n")
            got.append(line.decode(errors="replace"))
        self.seen.extend(got)
        return got

    def rest_bytes(self, timeout: float) -> bytes:
        """Everything up to EOF."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._fill(deadline):
                pytest.fail(f"output not closed within {timeout}s")
        data, self.buffer = bytes(self.buffer), bytearray()
        return data

    def rest(self, timeout: float) -> str:
        return self.rest_bytes(timeout).decode(errors="replace")


# ---------------------------------------------------------------------------------------------
# tinyinit


class Init:
    """One tinyinit run: as PID 1 of a new PID namespace (via unshare) or as a plain subreaper.

    stdout is a pipe read through `self.out`; stderr goes to a file read by `self.stderr()`.
    """

    def __init__(
        self,
        args: Sequence[str | bytes],
        mode: str = SUBREAPER,
        *,
        launcher: str = "script",
        wrap: Sequence[str] = (),
        env: dict[str, str | bytes] | None = None,
        env_remove: Sequence[str] = (),
        cwd: str | Path | None = None,
        stdin: int | None = subprocess.DEVNULL,
        stdout: int | None = subprocess.PIPE,
        pass_fds: Sequence[int] = (),
    ) -> None:
        if mode == PID1:
            require_root()
        self.mode = mode
        full_env: dict[str, str | bytes] = dict(os.environ)
        for name in env_remove:
            full_env.pop(name, None)
        full_env.update(env or {})
        # Settings of the caller's environment must not leak into the test.
        for name in list(full_env):
            if is_setting(name) and name not in (env or {}):
                full_env.pop(name, None)
        command: list[str | bytes] = [*tinyinit_command(launcher), *args]
        if mode == PID1:
            command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
        command = [*wrap, *command]
        self.command = command
        self.env = full_env
        self._stderr_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in kill()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=stdout,
            stderr=self._stderr_file,
            env=full_env,
            cwd=cwd,
            pass_fds=pass_fds,
        )
        self.out = Lines(self.proc.stdout.fileno()) if self.proc.stdout else None
        self._pid: int | None = None if mode == PID1 else self.proc.pid

    @property
    def pid(self) -> int:
        """tinyinit's pid as this test sees it (host pid also in PID 1 mode)."""
        if self._pid is None:
            # unshare --fork: tinyinit is the only child of the unshare process.
            kids = wait_for(lambda: children(self.proc.pid), 10, "unshare to fork tinyinit")
            self._pid = kids[0]
        return self._pid

    def main_child(self, timeout: float = 10) -> int:
        """Host pid of the main child (tinyinit's only child right after startup)."""
        return wait_for(lambda: children(self.pid), timeout, "tinyinit's child")[0]

    def host_pid(self, pid: int) -> int:
        """The pid this test sees for PID as printed by a process under tinyinit."""
        if self.mode != PID1:
            return pid
        for candidate in descendants(self.pid):
            status = proc_status(candidate)
            if status and int(status["NSpid"].split()[-1]) == pid:
                return candidate
        pytest.fail(f"no process with pid {pid} in tinyinit's namespace")

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def wait(self, timeout: float = 15) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tinyinit did not exit within {timeout}s; stderr: {self.stderr()!r}")

    def stderr(self) -> str:
        self._stderr_file.seek(0)
        return self._stderr_file.read().decode(errors="replace")

    def stderr_lines(self) -> list[str]:
        return self.stderr().splitlines()

    def kill(self) -> None:
        """Tear down tinyinit and everything under it, whatever state the test left."""
        if self.proc.poll() is None:
            pids = descendants(self.proc.pid)
            kill_quietly(self.proc.pid)
            for pid in pids:
                kill_quietly(pid)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.stdout:
            self.proc.stdout.close()
        self._stderr_file.close()
