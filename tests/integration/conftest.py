"""Fixtures: the mode tinyinit runs in, and a factory that starts it and cleans up after."""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .support import MODES, PID1, TINYINIT, Init, require_root


@pytest.fixture(autouse=True, scope="session")
def _installed() -> None:
    if not TINYINIT.exists():
        pytest.fail(f"{TINYINIT} not found: run `make reinstall` or set TINYINIT")
    # Tests send fault signals (SIGSEGV...) with kill(): no core files in the work tree.
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Run the test with tinyinit as a real PID 1 (unshare --pid) and as a plain subreaper."""
    if request.param == PID1:
        require_root()
    return request.param


@pytest.fixture
def start() -> Iterator[Callable[..., Init]]:
    """start(args, mode, **options) -> Init; every Init started is torn down after the test."""
    started: list[Init] = []

    def _start(*args: Any, **kwargs: Any) -> Init:
        init = Init(*args, **kwargs)
        started.append(init)
        return init

    yield _start
    for init in started:
        init.kill()
