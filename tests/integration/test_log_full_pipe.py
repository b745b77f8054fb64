"""stderr a pipe nobody reads, already full: logging never blocks the loop. A line that
cannot be written now is dropped and counted, and the count is said with the next line that
can be written. The grace is enforced all the same (before: tinyinit blocked in the write
of its SIGKILL warning, and a TERM-ignoring process lived on). The pipe is never made
non-blocking: that flag belongs to the open file description the child shares."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .support import (
    PID1,
    Lines,
    children,
    descendants,
    helper,
    kill_quietly,
    tinyinit_command,
    wait_for,
)


def full_pipe() -> tuple[int, int]:
    read_end, write_end = os.pipe()
    flags = fcntl.fcntl(write_end, fcntl.F_GETFL)
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    try:
        while True:
            os.write(write_end, b"x" * 4096)
    except BlockingIOError:
        pass
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags)
    return read_end, write_end


def drain(fd: int) -> bytes:
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    data = b""
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    except BlockingIOError:
        pass
    fcntl.fcntl(fd, fcntl.F_SETFL, flags)
    return data


@pytest.fixture
def stderr_pipe():
    read_end, write_end = full_pipe()
    yield read_end, write_end
    os.close(read_end)
    os.close(write_end)


def start(args: list[str], mode: str, stderr: int) -> tuple[subprocess.Popen, Lines]:
    command = [*tinyinit_command(), *args]
    if mode == PID1:
        command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
    )
    return proc, Lines(proc.stdout.fileno())


def tinyinit_pid(proc: subprocess.Popen, mode: str) -> int:
    if mode != PID1:
        return proc.pid
    return wait_for(lambda: children(proc.pid), 10, "unshare to fork tinyinit")[0]


def test_grace_is_enforced_with_stderr_full(mode: str, stderr_pipe) -> None:
    """Planted bug caught: log.py writing without the poll (blocks in the SIGKILL warning)."""
    read_end, write_end = stderr_pipe
    proc, out = start(["--grace", "1", "--", *helper("straggler")], mode, write_end)
    try:
        out.expect("ready")
        sent = time.monotonic()
        os.kill(tinyinit_pid(proc, mode), signal.SIGTERM)
        try:
            code = proc.wait(8)
        except subprocess.TimeoutExpired:
            pytest.fail("tinyinit blocked: the straggler outlived the 1s grace")
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            for pid in [*descendants(proc.pid), proc.pid]:
                kill_quietly(pid)
            proc.wait()
        proc.stdout.close()
    assert code == 128 + signal.SIGKILL
    assert 0.8 < took < 4, f"killed {took:.2f}s after SIGTERM with a 1s grace"
    assert not fcntl.fcntl(write_end, fcntl.F_GETFL) & os.O_NONBLOCK, "stderr made non-blocking"
    assert set(drain(read_end)) == {ord("x")}, "something was written into a full pipe"


def test_dropped_lines_are_counted_and_said_later(mode: str, stderr_pipe, tmp_path: Path):
    read_end, write_end = stderr_pipe
    log = tmp_path / "signals"
    proc, _ = start(["-v", "--", *helper("print_signals", "--log", str(log))], mode, write_end)
    try:
        wait_for(lambda: log.exists() and log.read_text().startswith("ready"), 10, "ready")
        pid = tinyinit_pid(proc, mode)
        os.kill(pid, signal.SIGUSR1)  # "forwarded SIGUSR1 ...": cannot be written, dropped
        wait_for(lambda: "10" in log.read_text().split(), 5, "SIGUSR1 forwarded")
        assert proc.poll() is None
        assert set(drain(read_end)) == {ord("x")}
        os.kill(pid, signal.SIGUSR2)
        wait_for(lambda: "12" in log.read_text().split(), 5, "SIGUSR2 forwarded")
        text = wait_for(lambda: drain(read_end), 5, "tinyinit's next line").decode()
        os.kill(pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            for pid in [*descendants(proc.pid), proc.pid]:
                kill_quietly(pid)
            proc.wait()
        proc.stdout.close()
    lines = text.splitlines()
    assert "line(s) dropped: stderr was not writable" in lines[0], lines
    count = int(lines[0].split("warning: ")[1].split()[0])
    assert count >= 1, lines
    assert "SIGUSR2" in lines[1], lines
