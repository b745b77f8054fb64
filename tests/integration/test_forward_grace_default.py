"""With neither --grace nor TINYINIT_GRACE, the default grace fits the runtime, found by the
environment it always sets: 28s in Kubernetes and ECS (30 s to stop), 4s under Nomad (5 s), 8s
otherwise (Docker's 10 s). A debug line says which default was taken and why."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from .forwarding import Run, sigstamp, wait_ready
from .support import PID1, TINYINIT

CASES = {
    "KUBERNETES_SERVICE_HOST": 28,
    "ECS_CONTAINER_METADATA_URI": 28,
    "ECS_CONTAINER_METADATA_URI_V4": 28,
    "NOMAD_ALLOC_ID": 4,
    "": 8,
}


def grace_line(env: dict[str, str], *options: str) -> tuple[int, str]:
    """The grace tinyinit took, and why, from its debug line `grace 28s (WHY)`."""
    with Run([str(TINYINIT), "-v", *options, "--"], ["true"], "subreaper", env=env) as run:
        code, _ = run.finish(10)
        stderr = run.stderr()
    assert code == 0, stderr
    found = re.search(r"grace (\d+)s \((.*)\)$", stderr, re.MULTILINE)
    assert found, stderr
    return int(found.group(1)), found.group(2)


@pytest.mark.parametrize("var", list(CASES), ids=lambda v: v or "none")
def test_default_grace_from_the_runtime(var: str) -> None:
    env = {var: "10.0.0.1" if var == "KUBERNETES_SERVICE_HOST" else "x"} if var else {}
    seconds, why = grace_line(env)
    assert seconds == CASES[var], why
    if var:
        assert f"{var} is set" in why, why
    else:
        assert "is set" not in why, why


@pytest.mark.parametrize("how", ["--grace", "TINYINIT_GRACE"])
def test_explicit_grace_wins(how: str) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}
    options: tuple[str, ...] = ()
    if how == "--grace":
        options = ("--grace", "3")
    else:
        env["TINYINIT_GRACE"] = "3"
    seconds, why = grace_line(env, *options)
    assert seconds == 3 and how in why and "KUBERNETES" not in why, why


def test_nomad_grace_is_4s(tmp_path: Path) -> None:
    """The default observed, not only announced: a TERM-ignoring command is SIGKILLed 4 s after
    the stop under Nomad."""
    log = tmp_path / "main.log"
    command = sigstamp(log, "--ignore", "TERM")
    with Run([str(TINYINIT), "--"], command, PID1, env={"NOMAD_ALLOC_ID": "x"}) as run:
        wait_ready(log)
        run.signal(signal.SIGTERM)
        code, took = run.finish(8)
        stderr = run.stderr()
    assert code == 137, stderr
    assert "grace period over after 4.0s" in stderr, stderr
    assert 3.9 <= took <= 5, took
