"""Exec failure: one line `tinyinit: cannot run 'X': <reason>`, 127 when not found, else 126."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest


def prepare(kind: str, tmp_path: Path) -> str:
    if kind == "missing-path":
        return str(tmp_path / "no-such-program")
    if kind == "missing-in-path":
        return "tinyinit-test-no-such-command"
    if kind == "directory":
        return str(tmp_path)
    target = tmp_path / kind
    if kind == "no-permission":
        target.write_text("#!/bin/sh\necho ran\n")
        target.chmod(0o644)
    elif kind == "exec-format":
        target.write_bytes(bytes(range(1, 64)) * 4)
        target.chmod(0o755)
    return str(target)


@pytest.mark.parametrize(
    ("kind", "code", "reason"),
    [
        ("missing-path", 127, os.strerror(2)),
        ("missing-in-path", 127, os.strerror(2)),
        ("no-permission", 126, os.strerror(13)),
        ("directory", 126, None),
        ("exec-format", 126, os.strerror(8)),
    ],
)
def test_exec_failure(start, mode: str, tmp_path: Path, kind: str, code: int, reason: str) -> None:
    command = prepare(kind, tmp_path)
    began = time.monotonic()
    init = start(["--", command, "arg"], mode)
    assert init.wait(10) == code
    assert time.monotonic() - began < 5
    lines = init.stderr_lines()
    assert len(lines) == 1, lines
    prefix = f"tinyinit: cannot run '{command}': "
    assert lines[0].startswith(prefix), lines[0]
    assert len(lines[0]) > len(prefix), "no reason given"
    if reason:
        assert lines[0] == prefix + reason
    assert init.out.rest(5) == "", "the command or something else ran"
