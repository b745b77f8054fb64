"""What the test_forward_* files share: the delivery modes, any init (tinyinit in each mode, or
a peer) run on a scenario, and the logs of tests/helpers/sigstamp.py.

Each test_forward_* file has a `scenario(init, mode, tmp)` that runs one program under INIT and
returns an Outcome: the facts the tests assert on, per mode, and a short text for the
side-by-side table that bench/forward_table.py prints for tinyinit and its peers.
"""

from __future__ import annotations

import importlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .support import (
    HELPERS,
    PID1,
    PYTHON,
    SUBREAPER,
    TINYINIT,
    Lines,
    children,
    descendants,
    is_setting,
    kill_quietly,
    require_root,
    wait_for,
)

# The three delivery modes of issue 11. `auto` is the default: no flag selects it, so these
# tests also check that it is the default.
FORWARDS = ("auto", "group", "child")
FORWARD_FLAGS = {"auto": (), "group": ("-g",), "child": ("-c",)}

# The peers, each as PID 1 (dumb-init cannot be a subreaper; tini would need -s).
PEERS = {
    "tini": ("tini", "--"),
    "tini -g": ("tini", "-g", "--"),
    "dumb-init": ("dumb-init",),
}


def tinyinit(forward: str, grace: float, *options: str) -> list[str]:
    """tinyinit's command line in one delivery mode, up to and including `--`."""
    return [str(TINYINIT), "--grace", f"{grace:g}", *FORWARD_FLAGS[forward], *options, "--"]


def is_tinyinit(init: Sequence[str]) -> bool:
    return init[0] == str(TINYINIT)


def sigstamp(log: Path, *options: str) -> list[str]:
    return [PYTHON, str(HELPERS / "sigstamp.py"), "--log", str(log), *options]


def sh_words(argv: Sequence[str]) -> str:
    return shlex.join([str(a) for a in argv])


def need(program: str) -> str:
    """The path of a program the scenario runs: a missing one fails under CI=true, else skips."""
    path = shutil.which(program)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{program} is not installed (CI=true: not skipping)")
        pytest.skip(f"{program} is not installed (under CI=true this fails instead)")
    return path


def need_module(name: str) -> None:
    """A Python package the scenario runs (from the dev requirements): as need() does."""
    try:
        importlib.import_module(name)
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Python package {name} is not installed (CI=true: not skipping)")
        pytest.skip(f"Python package {name} is not installed (under CI=true: fails)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Outcome:
    """What a scenario left behind: `facts` for the tests, `text` for the table."""

    code: int | None  # the init's exit status; None: still running at the runtime's deadline
    seconds: float  # from the stop signal (or the start) to the init's exit
    text: str
    facts: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.text}; exit {self.code} after {self.seconds:.1f}s; {self.facts}"


class Run:
    """One init (tinyinit or a peer) running COMMAND, as PID 1 of a new PID namespace or (tinyinit
    only) as a subreaper; a context manager that tears down everything it started."""

    def __init__(
        self,
        init: Sequence[str],
        command: Sequence[str],
        mode: str,
        *,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        stdout: Path | None = None,
    ) -> None:
        if mode == PID1:
            require_root()
        elif not is_tinyinit(init):
            raise ValueError("peers run as PID 1 only")
        self.mode = mode
        full_env = {k: v for k, v in os.environ.items() if not is_setting(k)}
        full_env.update(env or {})
        argv = [*init, *command]
        if mode == PID1:
            argv = ["unshare", "--pid", "--fork", "--mount-proc", *argv]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        out = open(stdout, "ab") if stdout else subprocess.PIPE  # noqa: SIM115
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=self._stderr,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
        )
        if stdout:
            out.close()
        self.out = Lines(self.proc.stdout.fileno()) if self.proc.stdout else None
        self._pid: int | None = None if mode == PID1 else self.proc.pid
        self.stopped_at: float | None = None
        self.stop_wall: float | None = None
        self.saved_stderr = ""

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int:
        """The init's host pid (under unshare: unshare's only child)."""
        if self._pid is None:
            kids = wait_for(lambda: children(self.proc.pid), 10, "unshare to fork the init")
            self._pid = kids[0]
        return self._pid

    def main_child(self, timeout: float = 10) -> int:
        return wait_for(lambda: children(self.pid), timeout, "the init's child")[0]

    def signal(self, sig: int) -> None:
        """SIG to the init, as a runtime sends it; the first stop signal starts the clock."""
        if self.stopped_at is None and sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            self.stopped_at = time.monotonic()
            self.stop_wall = time.time()
        os.kill(self.pid, sig)

    def finish(self, deadline: float) -> tuple[int | None, float]:
        """Wait up to DEADLINE seconds (a runtime's stop timeout) for the init to exit, then
        SIGKILL it as the runtime would. (exit status or None, seconds since the stop)."""
        try:
            code: int | None = self.proc.wait(deadline)
        except subprocess.TimeoutExpired:
            code = None
            self.close()
        since = self.stopped_at if self.stopped_at is not None else self.started
        return code, time.monotonic() - since

    def stderr(self) -> str:
        if self._stderr.closed:  # torn down (by finish() at the runtime's deadline)
            return self.saved_stderr
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            pids = descendants(self.proc.pid)
            kill_quietly(self.proc.pid)
            for pid in pids:
                kill_quietly(pid)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        if not self._stderr.closed:
            self._stderr.seek(0)
            self.saved_stderr = self._stderr.read().decode(errors="replace")
            self._stderr.close()


# ---------------------------------------------------------------------------------------------
# sigstamp logs


@dataclass(frozen=True)
class Stamp:
    what: str  # "ready", "exiting", or a signal number
    at: float  # CLOCK_MONOTONIC


def stamps(log: Path) -> list[Stamp]:
    if not log.exists():
        return []
    found = []
    for line in log.read_text().splitlines():
        words = line.split()
        if len(words) >= 2:
            found.append(Stamp(words[0], float(words[-1])))
    return found


def got(log: Path, sig: int) -> list[float]:
    """When the process logging to LOG received SIG (one time per delivery)."""
    return [s.at for s in stamps(log) if s.what == str(int(sig))]


def ready(log: Path) -> bool:
    return any(s.what == "ready" for s in stamps(log))


def ready_pid(log: Path) -> int:
    return int(log.read_text().split()[1])


def wait_ready(*logs: Path, timeout: float = 10) -> None:
    wait_for(lambda: all(ready(log) for log in logs), timeout, f"{[p.name for p in logs]} ready")


def sigkill_warned(stderr: str) -> bool:
    return "sending SIGKILL" in stderr


# Scenarios that take seconds run every delivery mode as PID 1 (the container case) and the
# default mode as a subreaper too; quick ones take the full product (the `mode` fixture).
SLOW_MATRIX = [pytest.param(PID1, forward, id=f"{PID1}-{forward}") for forward in FORWARDS] + [
    pytest.param(SUBREAPER, "auto", id=f"{SUBREAPER}-auto")
]
