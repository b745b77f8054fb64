"""Fixtures of the Docker suite: the engines (Docker, Podman), the images, the modes, containers,
the table.

`pytest tests/docker` builds what it needs: docker/build-example.sh makes (or reuses) the
debootstrapped base image and builds Dockerfile.example on it with tinyinit from this checkout;
Podman gets the same images through `docker save | podman load`. Without Docker (or Podman) the
suite (or its Podman half) skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from docker_harness import (
    COMPARISON,
    ENGINES,
    OTHER_INITS,
    PODMAN_CONF,
    REPO,
    TINYINIT,
    Containers,
    Target,
    cli,
    docker,
    engine_argv,
    in_ci,
    podman,
)

# Each tinyinit scenario runs in every mode under each engine; "user" is the example image with
# `USER nobody`. With --init the engine's own init is PID 1 and tinyinit runs as a subreaper under
# it: docker's is tini (docker-init), podman's is catatonit.
MODES: dict[str, tuple[str, ...]] = {
    "root": (),
    "user": (),
    "read-only": ("--read-only",),
    "init": ("--init",),
}
# Podman 4.3 lowers its own RLIMIT_NPROC to this at start (seen with strace), so a container's
# nproc cannot be higher when root lacks CAP_SYS_RESOURCE.
PODMAN_NPROC_CAP = 32768
RLIMITS = {"nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC}

# build-image.sh and build-example.sh exit 2 when a prerequisite (debootstrap, root) is missing.
MISSING_PREREQUISITE = 2


def unavailable(reason: str, what: str = "the Docker suite") -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason}: under CI=true {what} must run", pytrace=False)
    pytest.skip(f"{reason}: {what} skipped (it fails instead under CI=true)")


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


def ulimits_over_host(conf: str) -> list[str]:
    """The default_ulimits of a containers.conf that this process could not grant a container."""
    problems = []
    for name, soft, hard in re.findall(r'"(nofile|nproc)=(-?\d+):(-?\d+)"', conf):
        limit = resource.getrlimit(RLIMITS[name])[1]
        if name == "nproc":
            limit = min(limit, PODMAN_NPROC_CAP)
        if limit == resource.RLIM_INFINITY:
            continue
        for value in (int(soft), int(hard)):
            if value < 0 or value > limit:  # -1: unlimited
                problems.append(f"{name}={soft}:{hard} (at most {limit} here)")
                break
    return problems


@pytest.fixture(scope="session")
def podman_ready() -> None:
    what = "the Podman half of the Docker suite"
    if shutil.which("podman") is None:
        unavailable("the podman command is not installed", what)
    conf = PODMAN_CONF.read_text()
    too_high = ulimits_over_host(conf)
    if too_high:
        # Root lacks CAP_SYS_RESOURCE on this kind of machine: runc could not set these.
        pytest.fail(
            f"{PODMAN_CONF}: default_ulimits above this machine's hard limits: "
            + ", ".join(too_high),
            pytrace=False,
        )
    info = podman("info", check=False)
    if info.returncode != 0:
        last = (info.stderr.strip().splitlines() or ["no output"])[-1]
        unavailable(f"`podman info` failed ({last})", what)


def image_id(engine: str, image: str) -> str | None:
    found = cli(engine, "image", "inspect", "--format", "{{.Id}}", image, check=False)
    if found.returncode != 0:
        return None
    return found.stdout.strip().removeprefix("sha256:")


@pytest.fixture(scope="session")
def podman_images(podman_ready: None, example_image: str, user_image: str) -> dict[str, str]:
    """The example and user images in Podman's store: the same images as docker's (same ids)."""
    images = (example_image, user_image)
    missing = [i for i in images if image_id("podman", i) != image_id("docker", i)]
    if missing:
        with subprocess.Popen(["docker", "save", *missing], stdout=subprocess.PIPE) as save:
            load = subprocess.run(
                [*engine_argv("podman"), "load"],
                stdin=save.stdout,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert save.stdout is not None
            save.stdout.close()  # a load that stopped early must not leave docker save blocked
            save.wait(60)
        if save.returncode != 0 or load.returncode != 0:
            pytest.fail(f"docker save | podman load failed: {load.stderr.strip()}", pytrace=False)
    # Earlier builds of the example, loaded by earlier runs, are no longer needed.
    repositories = {image.rsplit(":", 1)[0] for image in images}
    listed = podman("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout
    stale = [
        name
        for name in listed.split()
        if name.removeprefix("localhost/").rsplit(":", 1)[0] in repositories
        and name.removeprefix("localhost/") not in images
    ]
    if stale:
        podman("image", "rm", *stale, check=False)
    return {"example": example_image, "user": user_image}


TARGETS = [(engine, mode) for engine in ENGINES for mode in MODES]


@pytest.fixture(params=TARGETS, ids=[f"{engine}-{mode}" for engine, mode in TARGETS])
def target(request: pytest.FixtureRequest, example_image: str) -> Target:
    """tinyinit as the image's ENTRYPOINT, in each mode, under docker run and podman run."""
    engine, mode = request.param
    if engine == "podman":
        images = request.getfixturevalue("podman_images")
        image = images["user"] if mode == "user" else images["example"]
    else:
        image = request.getfixturevalue("user_image") if mode == "user" else example_image
    return Target(image, TINYINIT, mode, MODES[mode], engine)


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
