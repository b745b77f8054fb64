"""A --report path that cannot be written: one line `tinyinit: --report PATH: <why>` at
startup, exit 125, COMMAND not run."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .supervision import launch
from .support import SUBREAPER, TINYINIT, require_root


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory other users can reach (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="tinyinit-report-"))
    path.chmod(0o755)
    yield path
    for root, dirs, files in os.walk(path, topdown=False):
        for name in files:
            os.unlink(os.path.join(root, name))
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
            os.rmdir(os.path.join(root, name))
    os.rmdir(path)


def check_refused(init, path: str, marker: Path, flag: bool = True) -> None:  # type: ignore[no-untyped-def]
    assert init.wait(10) == 125
    stderr = init.stderr()
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    prefix = f"tinyinit: --report {path}: " if flag else "tinyinit: "
    assert lines[0].startswith(prefix) and len(lines[0]) > len(prefix), lines[0]
    assert path in lines[0]
    assert "Traceback" not in stderr
    assert not marker.exists(), "COMMAND ran despite the bad report path"


def bad_path(kind: str, tmp_path: Path) -> Path:
    if kind == "missing-dir":
        return tmp_path / "no-such-dir" / "report.json"
    if kind == "a-directory":
        (tmp_path / "dir").mkdir()
        return tmp_path / "dir"
    if kind == "file-as-dir":
        (tmp_path / "file").write_text("")
        return tmp_path / "file" / "report.json"
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["missing-dir", "a-directory", "file-as-dir"])
def test_bad_report_path(start, mode: str, tmp_path: Path, kind: str) -> None:
    path, marker = bad_path(kind, tmp_path), tmp_path / "ran"
    init = launch(start, ["--report", str(path), "--", "touch", str(marker)], mode)
    check_refused(init, str(path), marker)


def test_bad_report_path_from_the_environment(start, mode: str, tmp_path: Path) -> None:
    path, marker = tmp_path / "no-such-dir" / "report.json", tmp_path / "ran"
    env = {"TINYINIT_REPORT": str(path)}
    init = launch(start, ["--", "touch", str(marker)], mode, env=env)
    check_refused(init, str(path), marker, flag=False)


def test_read_only_mount(start, mode: str, tmp_path: Path) -> None:
    """Root can write anywhere but on a read-only mount (a private mount namespace's)."""
    readonly = tmp_path / "ro"
    readonly.mkdir()
    path, marker = readonly / "report.json", tmp_path / "ran"
    mount = 'mount -o bind,ro "$1" "$1" && shift && exec "$@"'
    wrap = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount, "sh",
            str(readonly)]  # fmt: skip
    require_root()  # a bind mount needs root
    init = launch(start, ["--report", str(path), "--", "touch", str(marker)], mode, wrap=wrap)
    check_refused(init, str(path), marker)


def test_unwritable_directory_as_another_user(start, shared_dir: Path) -> None:
    require_root()  # to switch to an unprivileged user
    readonly = shared_dir / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    writable = shared_dir / "w"
    writable.mkdir()
    writable.chmod(0o777)
    path, marker = readonly / "report.json", writable / "ran"
    wrap = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if subprocess.run([*wrap, str(TINYINIT), "--version"], capture_output=True).returncode:
        why = "its venv is not readable; the read-only bind mount case covers this"
        pytest.skip(f"user 65534 cannot run this tinyinit, also under CI=true: {why}")
    init = launch(start, ["--report", str(path), "--", "touch", str(marker)], SUBREAPER,
                  wrap=wrap)  # fmt: skip
    check_refused(init, str(path), marker)
