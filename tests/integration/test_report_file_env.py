"""TINYINIT_REPORT sets the report path; --report wins over it."""

from __future__ import annotations

from pathlib import Path

from .supervision import launch, read_report, runs_command


def test_report_path_from_the_environment(start, mode: str, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    command = runs_command(tmp_path, "5")
    init = launch(start, ["--", *command], mode, env={"TINYINIT_REPORT": str(path)})
    assert init.wait(10) == 5
    report = read_report(path)
    assert report["exit_code"] == 5 and report["how"] == "exit"
    assert report["command"] == command


def test_report_flag_wins(start, mode: str, tmp_path: Path) -> None:
    flag, env = tmp_path / "flag.json", tmp_path / "env.json"
    command = runs_command(tmp_path, "0")
    init = launch(start, ["--report", str(flag), "--", *command], mode,
                  env={"TINYINIT_REPORT": str(env)})  # fmt: skip
    assert init.wait(10) == 0
    assert read_report(flag)["exit_code"] == 0
    assert not env.exists()
