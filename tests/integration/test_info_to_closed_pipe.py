"""`tinyinit -h | true`: help, version or license written to a reader that went away exits 0
(what was asked for was written or not wanted) with nothing on stderr (before: exit 120 and
"Exception ignored ... BrokenPipeError", buffered output flushed after main returned)."""

from __future__ import annotations

import os
import subprocess

import pytest

from .support import tinyinit_command


@pytest.mark.parametrize("flag", ["-h", "--help", "-V", "--version", "-l"])
@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_information_to_a_closed_pipe(flag: str, buffered: bool) -> None:
    """Planted bug caught: __main__._print_info treating EPIPE like any failed write."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    try:
        proc = subprocess.run(
            [*tinyinit_command(), flag],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=10,
        )
    finally:
        os.close(write_end)
    assert proc.stderr == b""
    assert proc.returncode == 0
