"""The child gets argv byte for byte (also bytes that are not UTF-8), the same environment and
the same working directory as tinyinit."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .support import helper

ARGS = [b"\xff\xfe", b"caf\xe9", b"", b"with space", "ünïcode".encode(), b"-v", b"--", b"\n"]


def report(init) -> dict:
    line = init.out.readline(10)
    assert init.wait(10) == 0, init.stderr()
    return json.loads(line)


def test_argv_bytes_pass_unchanged(start, mode: str) -> None:
    init = start(["--", *helper("argv_dump"), *ARGS], mode)
    assert [bytes.fromhex(arg) for arg in report(init)["argv"]] == ARGS


def test_environment_is_the_same(start, mode: str) -> None:
    extra: dict[str, str | bytes] = {
        "TINYINIT_TEST_PLAIN": "x=y",
        "TINYINIT_TEST_BYTES": b"\xff\x01",
    }
    init = start(["--", *helper("argv_dump")], mode, env=extra)
    env = {bytes.fromhex(k): bytes.fromhex(v) for k, v in report(init)["env"].items()}
    expected = {os.fsencode(k): os.fsencode(v) for k, v in init.env.items()}
    assert env == expected


def test_working_directory_is_the_same(start, mode: str, tmp_path: Path) -> None:
    init = start(["--", *helper("argv_dump")], mode, cwd=tmp_path)
    assert report(init)["cwd"] == str(tmp_path)
