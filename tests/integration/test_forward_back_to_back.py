"""Signals in quick succession still reach a shell's foreground child: the shell, woken by one
signal (its trap handler runs), is back in wait() a moment later, and the next signal must not
be lost in between. A receiver in C (bench/helpers/receiver.c) answers each SIGUSR1 at once,
and the next one goes out as soon as the answer is in: hundreds of signals, none lost."""

from __future__ import annotations

import os
import select
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

from .forwarding import Run, need, tinyinit
from .support import ROOT

PINGS = 400
LOST_AFTER = 0.5  # seconds without an answer: the signal is lost


def receiver(tmp: Path) -> Path:
    exe = tmp / "receiver"
    source = ROOT / "bench" / "helpers" / "receiver.c"
    subprocess.run([need("gcc"), "-O2", "-o", str(exe), str(source)], check=True)
    return exe


def stamp(fd: int, timeout: float) -> int | None:
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < 8:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        data += os.read(fd, 8 - len(data))
    return struct.unpack("=Q", data)[0]


@pytest.mark.parametrize("forward", ["auto", "group"])
def test_no_signal_lost_between_two(mode: str, forward: str, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        command = ["sh", "-c", f"trap : USR1; {receiver(tmp_path)} {fifo}; :"]
        with Run(tinyinit(forward, 2), command, mode) as run:
            assert stamp(fd, 10) == 0, "the receiver did not start"
            lost = 0
            for _ in range(PINGS):
                sent = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
                os.kill(run.pid, signal.SIGUSR1)
                got = stamp(fd, LOST_AFTER)
                while got is not None and got < sent:  # a late answer to a lost one
                    got = stamp(fd, LOST_AFTER)
                lost += got is None
                if lost >= 10:  # enough to tell; do not wait out every one
                    break
            run.signal(signal.SIGTERM)
            run.finish(5)
    finally:
        os.close(fd)
    assert lost == 0, f"{lost} signals (of up to {PINGS}) never reached the foreground child"
