"""stderr a broken pipe (`tinyinit -v -- CMD 2>&1 | true`): a failed write of tinyinit's own
raises SIGPIPE against tinyinit; that signal is never forwarded, and a failed log write never
stops supervision nor changes the exit code. Before: 100 % CPU forever, the child never
reaped; with -w the exit code became 141."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from .support import PID1, descendants, helper, kill_quietly, tinyinit_command, wait_for


def start_with_broken_stderr(args: list[str], mode: str) -> subprocess.Popen:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: every write fails with EPIPE
    command = [*tinyinit_command(), *args]
    if mode == PID1:
        command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=write_end)
    finally:
        os.close(write_end)


def wait_with_usage(proc: subprocess.Popen, timeout: float) -> tuple[int, float]:
    """(exit code, CPU seconds it used); fails the test after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            kill_tree(proc)
            raise AssertionError(f"tinyinit still running after {timeout}s with stderr broken")
        time.sleep(0.02)


def test_debug_lines_to_a_broken_pipe_neither_spin_nor_hang(mode: str) -> None:
    """Planted bug caught: log.py without the sigtimedwait that consumes the self-raised
    SIGPIPE (and writing without the poll): tinyinit spins, never reaps."""
    proc = start_with_broken_stderr(["-v", "--", "sleep", "0.5"], mode)
    code, cpu = wait_with_usage(proc, 10)
    assert code == 0
    assert cpu < 0.5, f"tinyinit used {cpu:.2f}s of CPU for a 0.5s sleep"


def test_self_raised_sigpipe_is_not_forwarded(mode: str, tmp_path: Path) -> None:
    log = tmp_path / "signals"
    proc = start_with_broken_stderr(
        ["-v", "--", *helper("print_signals", "--log", str(log), "--exit-on", "TERM")], mode
    )
    try:
        wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "ready")
        tinyinit = proc.pid if mode != PID1 else wait_for(lambda: _only_child(proc.pid), 5, "pid")
        for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP):
            os.kill(tinyinit, sig)  # each forward is logged (-v): a failed write each time
            wait_for(lambda s=sig: str(int(s)) in log.read_text().split(), 5, f"{sig!r}")
        os.kill(tinyinit, signal.SIGTERM)
        code, _ = wait_with_usage(proc, 10)
    finally:
        if proc.poll() is None:
            kill_tree(proc)
    assert code == 0  # print_signals exits 0 on TERM
    received = log.read_text().split()[4:]
    assert str(int(signal.SIGPIPE)) not in received, f"SIGPIPE reached the command: {received}"
    assert received == ["10", "12", "1", "15", "exiting"], received


def test_warnings_to_a_broken_pipe_keep_the_exit_code(mode: str) -> None:
    """-w warns about each reaped zombie: the command's code stays (was 141)."""
    script = "(sh -c 'exit 0' &); (sh -c 'exit 0' &); sleep 0.3; exit 3"  # two orphans
    proc = start_with_broken_stderr(["-w", "--", "sh", "-c", script], mode)
    code, _ = wait_with_usage(proc, 10)
    assert code == 3


def kill_tree(proc: subprocess.Popen) -> None:
    """unshare and everything under it (killing unshare alone leaves its PID 1 running)."""
    for pid in [*descendants(proc.pid), proc.pid]:
        kill_quietly(pid)
    proc.wait()


def _only_child(pid: int) -> int | None:
    from .support import children

    kids = children(pid)
    return kids[0] if kids else None
