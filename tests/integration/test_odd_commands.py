"""Odd commands and odd PATHs, as PID 1 (posix_spawn) and as a subreaper (fork + exec): the
same code and one line for each. A script whose interpreter is missing is found but cannot
run: 126 "bad interpreter" naming it (before: 127 "No such file or directory", as if the
script itself were missing)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from .hostile import start_under

SH = "/bin/sh"


def one_line(init) -> str:
    lines = init.stderr_lines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("how", ["path", "search"])
def test_missing_interpreter_is_126_bad_interpreter(start, mode, tmp_path: Path, how) -> None:
    """Planted bug caught: spawn without the check for a script's missing interpreter."""
    script = tmp_path / "tinyinit-test-script"  # a name no PATH entry has (not `script`)
    script.write_text("#!/nonexistent/interpreter -x\necho ran\n")
    script.chmod(0o755)
    name = str(script) if how == "path" else script.name
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin"} if how == "search" else {}
    init = start(["--", name], mode, env=env)
    assert init.wait(10) == 126
    line = one_line(init)
    assert line == (
        f"tinyinit: cannot run {name!r}: bad interpreter '/nonexistent/interpreter': "
        f"{os.strerror(2)}"
    )


@pytest.mark.parametrize("kind", ["empty", "wrong-architecture"])
def test_files_that_are_not_programs(start, mode, tmp_path: Path, kind: str) -> None:
    target = tmp_path / kind
    if kind == "empty":
        target.write_bytes(b"")
    else:  # a valid ELF header for aarch64 (machine 183) on this x86-64 machine
        header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack("<HHI", 2, 183, 1)
        target.write_bytes(header + bytes(256))
    target.chmod(0o755)
    init = start(["--", str(target)], mode)
    assert init.wait(10) == 126
    assert one_line(init) == f"tinyinit: cannot run {str(target)!r}: {os.strerror(8)}"


@pytest.mark.parametrize(
    ("path", "code"),
    [(None, 3), ("", 127), ("/nonexistent::/also/not", 127), ("/usr/bin:/bin", 3)],
    ids=["unset", "empty", "odd", "plain"],
)
def test_path_variants(start, mode, tmp_path: Path, path: str | None, code: int) -> None:
    """PATH unset: the default search path; empty or odd: not found (the cwd, an empty
    entry, has no `sh`)."""
    init = start_under(
        start,
        ["--", "sh", "-c", "exit 3"],
        mode,
        ["env", "-u", "PATH"] if path is None else ["env", f"PATH={path}"],
        cwd=tmp_path,
    )
    assert init.wait(10) == code, init.stderr()
    if code == 127:
        assert one_line(init) == f"tinyinit: cannot run 'sh': {os.strerror(2)}"
    else:
        assert init.stderr() == ""
