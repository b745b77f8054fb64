"""The report is written atomically: a temp file in the same directory, then a rename over
the path; nothing else is left in the directory."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from .supervision import launch, read_report, runs_command


def test_report_replaces_the_old_file_by_rename(start, mode: str, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    path = reports / "report.json"
    path.write_text("old report")
    old_inode = path.stat().st_ino
    kept = reports.joinpath("old.json")
    kept.write_text("x")
    # A hard link keeps the old inode alive: a rename gives the path a new one, while
    # rewriting in place would change what the link shows.
    link = tmp_path / "link"
    os.link(path, link)

    init = launch(start, ["--report", str(path), "--", *runs_command(tmp_path, "0@30")], mode)
    init.out.expect("run 1")
    init.signal(signal.SIGTERM)
    assert init.wait(10) == 143
    assert sorted(os.listdir(reports)) == ["old.json", "report.json"], os.listdir(reports)
    assert path.stat().st_ino != old_inode, "the report was rewritten in place"
    assert link.read_text() == "old report"
    assert read_report(path)["exit_code"] == 143
    assert path.stat().st_size == len(path.read_bytes())
