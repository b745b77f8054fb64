"""COMMAND is looked up in PATH as execvp does."""

from __future__ import annotations

from pathlib import Path

from .support import SUBREAPER

NAME = "tinyinit-test-probe"


def program(directory: Path, text: str, mode: int = 0o755) -> None:
    directory.mkdir(exist_ok=True)
    path = directory / NAME
    path.write_text(f'#!/bin/sh\necho {text} "$@"\n')
    path.chmod(mode)


def test_found_in_path(start, mode: str, tmp_path: Path) -> None:
    program(tmp_path / "bin", "found")
    init = start(["--", NAME, "arg"], mode, env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"})
    assert init.out.readline(10) == "found arg"
    assert init.wait(10) == 0


def test_first_executable_match_wins(start, tmp_path: Path) -> None:
    program(tmp_path / "a", "not-executable", mode=0o644)
    (tmp_path / "b" / NAME).mkdir(parents=True)  # a directory of that name is skipped too
    program(tmp_path / "c", "third")
    program(tmp_path / "d", "fourth")
    path = ":".join(str(tmp_path / d) for d in "abcd") + ":/usr/bin:/bin"
    init = start(["--", NAME], SUBREAPER, env={"PATH": path})
    assert init.out.readline(10) == "third"
    assert init.wait(10) == 0


def test_only_non_executable_match_is_126(start, tmp_path: Path) -> None:
    program(tmp_path / "a", "not-executable", mode=0o644)
    init = start(["--", NAME], SUBREAPER, env={"PATH": f"{tmp_path / 'a'}:/usr/bin:/bin"})
    assert init.wait(10) == 126
    assert init.stderr_lines() == [f"tinyinit: cannot run '{NAME}': Permission denied"]


def test_name_with_slash_is_not_searched(start, tmp_path: Path) -> None:
    program(tmp_path / "bin", "found")
    init = start(["--", f"bin/{NAME}"], SUBREAPER, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert init.out.readline(10) == "found"
    assert init.wait(10) == 0
