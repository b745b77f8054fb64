"""Exit codes through `docker run`: the command's own code, 128+N after signal N, 127 and 126 for
exec failures, 125 for a bad option of tinyinit's, and `-e` remapping a code to 0."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from docker_harness import Containers, Init, Target, compare, note, shell, signal_name


@dataclass(frozen=True)
class Case:
    id: str
    options: tuple[str, ...]  # the init's own options
    command: tuple[str, ...]
    expected: int
    stderr: str = ""  # tinyinit's message must contain this

    @property
    def scenario(self) -> str:
        return f"exit code: {self.id} (expect {self.expected})"


CASES = [
    Case("exit 7", (), tuple(shell("exit 7")), 7),
    Case("killed by SIGUSR1", (), tuple(shell("kill -USR1 $$")), 138),
    Case("not found", (), ("/no/such/command",), 127, "cannot run '/no/such/command'"),
    Case("not executable", (), ("/etc/passwd",), 126, "cannot run '/etc/passwd'"),
    Case("bad option", ("--no-such-option",), ("true",), 125, "--no-such-option"),
    Case("-e 143", ("-e", "143"), tuple(shell("kill -TERM $$")), 0),
]


def with_options(target: Target, options: tuple[str, ...]) -> Target:
    if not options:
        return target
    init = target.init
    if init.entrypoint is None:  # tinyinit through the image's ENTRYPOINT ["tinyinit", "--"]
        return target.with_init(Init(init.label, "tinyinit", (*options, "--")))
    return target.with_init(Init(init.label, init.entrypoint, (*options, *init.args)))


def exit_code(containers: Containers, target: Target, case: Case) -> tuple[int, str]:
    result = containers.run(with_options(target, case.options), case.command)
    return result.returncode, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_exit_code(containers: Containers, target: Target, case: Case) -> None:
    code, stderr = exit_code(containers, target, case)
    note(target, case.scenario, signal_name(code))
    assert code == case.expected, f"stderr: {stderr!r}"
    if case.stderr:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tinyinit: "), stderr
        assert case.stderr in lines[0]
    else:
        assert stderr == ""


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    def attempt(case: Case) -> Callable[[Target], str]:
        return lambda target: signal_name(exit_code(containers, target, case)[0])

    for case in CASES:
        compare(case.scenario, others, attempt(case))
