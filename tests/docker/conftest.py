"""Fixtures of the Docker suite: Docker itself, the images, the modes, containers, the table.

`pytest tests/docker` builds what it needs: docker/build-example.sh makes (or reuses) the
debootstrapped base image and builds Dockerfile.example on it with tinyinit from this checkout.
Without Docker the suite skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from docker_harness import (
    COMPARISON,
    OTHER_INITS,
    REPO,
    TINYINIT,
    Containers,
    Target,
    docker,
    in_ci,
)

# Each tinyinit scenario runs in every mode; "user" is the example image with `USER nobody`.
MODES: dict[str, tuple[str, ...]] = {
    "root": (),
    "user": (),
    "read-only": ("--read-only",),
    "docker-init": ("--init",),  # docker's own tini is PID 1: tinyinit runs as a subreaper
}

# build-image.sh and build-example.sh exit 2 when a prerequisite (debootstrap, root) is missing.
MISSING_PREREQUISITE = 2


def unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason}: under CI=true the Docker suite must run", pytrace=False)
    pytest.skip(f"{reason}: Docker suite skipped (it fails instead under CI=true)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "comparison: runs tini, tini -g and dumb-init for the table; never fails"
    )


@pytest.fixture(scope="session")
def docker_ready() -> None:
    if shutil.which("docker") is None:
        unavailable("the docker command is not installed")
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        last = (info.stderr.strip().splitlines() or ["no output"])[-1]
        unavailable(f"`docker info` failed ({last})")


@pytest.fixture(scope="session")
def example_image(docker_ready: None, pytestconfig: pytest.Config) -> str:
    """Dockerfile.example built on the base image, with tinyinit from this checkout."""
    script = REPO / "docker" / "build-example.sh"
    env = {**os.environ, "PYTHON": sys.executable}
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    # Building the base image takes minutes on a fresh machine: show its progress.
    with capture.global_and_fixture_disabled():
        print(f"\n[docker suite] {script}", file=sys.stderr, flush=True)
        result = subprocess.run(
            ["bash", str(script), str(REPO)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            timeout=1500,
        )
    if result.returncode == MISSING_PREREQUISITE:
        unavailable(f"{script.name} could not run (see its message above)")
    if result.returncode != 0 or not result.stdout.strip():
        pytest.fail(f"{script} failed with exit {result.returncode}", pytrace=False)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def user_image(example_image: str) -> str:
    """The example image with a non-root USER, as a Dockerfile would set it."""
    repository, tag = example_image.rsplit(":", 1)
    image = f"{repository}-user:{tag}"
    if docker("image", "inspect", image, check=False).returncode != 0:
        subprocess.run(
            ["docker", "build", "--quiet", "-t", image, "-"],
            input=f"FROM {example_image}\nUSER nobody\n",
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
        )
    return image


@pytest.fixture(params=list(MODES))
def target(request: pytest.FixtureRequest, example_image: str) -> Target:
    """tinyinit as the image's ENTRYPOINT, in each mode."""
    mode = request.param
    image = request.getfixturevalue("user_image") if mode == "user" else example_image
    return Target(image, TINYINIT, mode, MODES[mode])


@pytest.fixture
def others(example_image: str) -> list[Target]:
    """tini, tini -g and dumb-init from the same image, for the comparison."""
    return [Target(example_image, init) for init in OTHER_INITS]


@pytest.fixture
def containers(tmp_path: Path) -> Iterator[Containers]:
    made = Containers(tmp_path)
    try:
        yield made
    finally:
        made.remove_all()


@pytest.fixture
def tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        unavailable("tmux is not installed")
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COMPARISON.rows:
        return
    table = COMPARISON.render()
    terminalreporter.section("Docker: tinyinit beside tini, tini -g, dumb-init (informational)")
    terminalreporter.write_line("Same image and scenarios; only the tinyinit column is asserted.")
    terminalreporter.write_line(table)
    destination = os.environ.get("TINYINIT_COMPARISON_FILE")
    if destination:
        Path(destination).write_text(table + "\n")
