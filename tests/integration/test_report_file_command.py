"""The report's command: every argument as a JSON string; bytes that are not UTF-8 become
U+FFFD, so the report stays valid UTF-8."""

from __future__ import annotations

from pathlib import Path

from .supervision import launch, read_report


def test_undecodable_argument(start, mode: str, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    command: list[str | bytes] = ["sh", "-c", "exit 0", "sh", b"caf\xe9", "na\xefve"]
    init = launch(start, ["--report", str(path), "--", *command], mode)
    assert init.wait(10) == 0
    report = read_report(path)  # decodes as strict UTF-8
    assert report["command"] == ["sh", "-c", "exit 0", "sh", "caf\ufffd", "na\xefve"]
