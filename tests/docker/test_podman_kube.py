"""README's Kubernetes Pod under `podman kube play`, stopped the ways Podman stops a pod.

The Pod is the README's own YAML (its first yaml block under "### Kubernetes"), adapted as a
local run needs: the image is the locally built example (`imagePullPolicy: IfNotPresent`), the
Pod's name is unique, and the `out` volume is a hostPath to a directory of the test instead of
an emptyDir, so that out.mp4 can be read after the pod is gone. One addition makes the grace
measurable: the args' shell first starts tests/helpers/daemon.py (copied to /out) in the
background, a process that needs 2 s after SIGTERM before it writes /out/daemon.last (ffmpeg
finishes its file within milliseconds, so out.mp4 alone cannot tell a grace from a race).

What Podman 4.3 (Debian bookworm) does with it, which README states and these tests hold:
- kube play ignores `terminationGracePeriodSeconds` (the container's stop timeout stays Podman's
  default 10 s) and ignores the preStop hook (exec or sleep action alike): `podman pod stop -t N`
  sends SIGTERM to each container's PID 1 at once and SIGKILL N seconds later. tinyinit is PID 1
  of its container (no shared PID namespace): it drains, ffmpeg finishes out.mp4, and the pod
  stops as soon as the pipeline is done.
- `podman kube down` kills at once: tinyinit gets SIGKILL (exit 137), no grace, and out.mp4 is
  left without its index.
- With `shareProcessNamespace: true` the infra container's catatonit (`catatonit -P`) is PID 1 of
  the pod and tinyinit is not. `podman pod stop -t 10` stops the infra container together with
  the others: the pause process exits on SIGTERM, the kernel kills the whole PID namespace with
  it, and tinyinit's grace is cut short (measured: the pod is gone in about half a second,
  tinyinit killed, the daemon's 2 s of work never done; out.mp4 is whole or not depending on
  the race). Stopping the container first (`podman stop -t N POD-CONTAINER`, then
  `podman pod stop`) gives tinyinit its grace again.

These are facts about Podman, checked so that README stays true: when one fails, Podman changed.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docker_harness import (
    HELPERS,
    NAME_PREFIX,
    REPO,
    ffprobe_duration,
    podman,
    signal_name,
    wait_until,
)

RUN_FOR = 4.0  # seconds from `kube play` to the stop
STOP_TIMEOUT = 10  # podman pod stop -t
WORK = 2  # seconds the daemon works after SIGTERM
DAEMON = f"python3 /out/daemon.py /out {WORK} &"


def readme_pod() -> str:
    """The first ```yaml block of README.md's "### Kubernetes" section."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n### Kubernetes", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"^```yaml\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert found, "no yaml block in README's Kubernetes section"
    return found.group(1)


def adapt(yaml: str, name: str, image: str, out: Path, share_pids: bool = False) -> str:
    """README's Pod with a local image, a unique name and a hostPath volume."""
    yaml, count = re.subn(r"(?m)^(metadata:\n  name: ).*$", rf"\g<1>{name}", yaml)
    assert count == 1, "README's Pod has no metadata.name"
    image_line = re.search(r"(?m)^( *)image: .*$", yaml)
    assert image_line, "README's Pod has no image"
    indent = image_line.group(1)
    yaml = yaml.replace(image_line.group(0), f"{indent}image: {image}")
    if "imagePullPolicy:" in yaml:
        yaml = re.sub(r"imagePullPolicy: \S+", "imagePullPolicy: IfNotPresent", yaml)
    else:
        yaml = yaml.replace(
            f"{indent}image: {image}",
            f"{indent}image: {image}\n{indent}imagePullPolicy: IfNotPresent",
        )
    empty_dir = re.search(r"(?m)^( *)emptyDir: \{\}$", yaml)
    assert empty_dir, "README's Pod has no emptyDir volume"
    pad = empty_dir.group(1)
    host_path = f"{pad}hostPath:\n{pad}  path: {out}\n{pad}  type: Directory"
    yaml = yaml.replace(empty_dir.group(0), host_path)
    script = re.search(r"(?m)^( *)- -c\n\1- >-\n", yaml)
    assert script, "README's Pod has no `sh -c` script in its args"
    yaml = yaml.replace(script.group(0), script.group(0) + f"{script.group(1)}  {DAEMON}\n", 1)
    if share_pids:
        yaml = yaml.replace("\nspec:\n", "\nspec:\n  shareProcessNamespace: true\n", 1)
    return yaml


@dataclass
class Pod:
    name: str
    yaml: Path
    out: Path
    container: str  # "<pod>-<container>", as kube play names it
    started: float = 0.0

    def play(self) -> Pod:
        self.started = time.monotonic()
        podman("kube", "play", str(self.yaml), timeout=120)
        return self

    def record(self) -> None:
        """Wait until ffmpeg writes out.mp4, then until RUN_FOR seconds after kube play."""
        mp4 = self.out / "out.mp4"

        def writing() -> bool:
            assert self.state() == "running", f"{self.container}: {self.state()}"
            return mp4.exists() and mp4.stat().st_size > 0

        wait_until(writing, 30, str(mp4))
        wait_until(lambda: (self.out / "daemon.ready").exists(), 10, "daemon.ready")
        time.sleep(max(0.0, self.started + RUN_FOR - time.monotonic()))

    def timed(self, *args: str) -> float:
        began = time.monotonic()
        podman(*args, timeout=STOP_TIMEOUT + 60)
        return time.monotonic() - began

    def inspect(self, field: str) -> str:
        return podman("inspect", "--format", f"{{{{{field}}}}}", self.container).stdout.strip()

    def state(self) -> str:
        return self.inspect(".State.Status")

    def exit_code(self) -> int:
        return int(self.inspect(".State.ExitCode"))

    def daemon_finished(self) -> bool:
        return (self.out / "daemon.last").exists()

    def duration(self, image: str) -> tuple[float | None, str]:
        return ffprobe_duration(image, self.out, "out.mp4", "podman")

    def remove(self) -> None:
        podman("pod", "rm", "-f", "-t", "0", self.name, check=False)


@pytest.fixture
def make_pod(podman_images: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Pod]]:
    made: list[Pod] = []

    def make(share_pids: bool = False) -> Pod:
        name = NAME_PREFIX + uuid.uuid4().hex[:10]
        out = tmp_path / name
        out.mkdir()
        out.chmod(0o1777)
        shutil.copy(HELPERS / "daemon.py", out)
        yaml = tmp_path / f"{name}.yaml"
        yaml.write_text(adapt(readme_pod(), name, podman_images["example"], out, share_pids))
        pod = Pod(name, yaml, out, f"{name}-recorder")
        made.append(pod)
        return pod

    try:
        yield make
    finally:
        for pod in made:
            pod.remove()


def test_pod_stop_gives_tinyinit_its_grace(
    make_pod: Callable[..., Pod], podman_images: dict[str, str]
) -> None:
    pod = make_pod().play()
    # Podman 4.3 ignores the Pod's terminationGracePeriodSeconds (60): its own default stays.
    assert pod.inspect(".Config.StopTimeout") == str(STOP_TIMEOUT)
    pod.record()
    ran = time.monotonic() - pod.started
    took = pod.timed("pod", "stop", "-t", str(STOP_TIMEOUT), pod.name)
    duration, reason = pod.duration(podman_images["example"])
    code = pod.exit_code()
    print(f"podman pod stop: {took:.2f} s, exit {signal_name(code)}")
    assert duration is not None, f"out.mp4 is unplayable: {reason}; exit {signal_name(code)}"
    # ffmpeg starts a little after `kube play` (pod, infra container, then ours).
    assert ran - 2.5 <= duration <= ran + 0.3, (duration, ran)
    assert pod.daemon_finished(), "the daemon was not given its time after SIGTERM"
    assert code == 143, signal_name(code)  # the shell, killed by the forwarded SIGTERM
    # Done when the daemon is: nothing waits for the stop timeout (nor for a preStop hook).
    assert WORK <= took < WORK + 3, f"podman pod stop took {took:.2f} s"


def test_kube_down_kills_at_once(
    make_pod: Callable[..., Pod], podman_images: dict[str, str]
) -> None:
    pod = make_pod().play()
    pod.record()
    took = pod.timed("kube", "down", str(pod.yaml))
    duration, _ = pod.duration(podman_images["example"])
    print(f"kube down: {took:.2f} s")
    # The container is gone with the pod; the evidence is in the files: no index, no last word.
    assert not pod.daemon_finished(), "kube down now gives the container time to stop"
    assert duration is None, "out.mp4 plays: kube down now gives the container time to stop"


@pytest.mark.parametrize("first", ["pod", "container"], ids=["pod-stop", "container-stop-first"])
def test_shared_pid_namespace(
    make_pod: Callable[..., Pod], podman_images: dict[str, str], first: str
) -> None:
    """tinyinit not PID 1 in a pod: `podman pod stop` cuts its grace, stopping the container
    first does not."""
    pod = make_pod(share_pids=True).play()
    top = podman("exec", pod.container, "cat", "/proc/1/cmdline").stdout
    assert top.startswith("/catatonit\0-P"), f"PID 1 of the pod: {top!r}"
    pod.record()
    stopped = 0.0
    if first == "container":
        stopped = pod.timed("stop", "-t", str(STOP_TIMEOUT), pod.container)
    took = pod.timed("pod", "stop", "-t", str(STOP_TIMEOUT), pod.name)
    duration, reason = pod.duration(podman_images["example"])
    code = pod.exit_code()
    print(
        f"shared PID namespace, {first} stop first: {stopped + took:.2f} s, "
        f"exit {signal_name(code)}, daemon {'finished' if pod.daemon_finished() else 'cut'}"
    )
    if first == "pod":
        # The pause process (PID 1) dies with the infra container and takes tinyinit with it.
        assert code == 137, f"tinyinit exit {signal_name(code)}: podman pod stop changed"
        assert not pod.daemon_finished(), "podman pod stop now keeps the grace: README says not"
        assert took < WORK, f"podman pod stop took {took:.2f} s"
    else:
        assert WORK <= stopped < WORK + 3, f"podman stop took {stopped:.2f} s"
        assert pod.daemon_finished(), "the daemon was not given its time after SIGTERM"
        assert code == 143, signal_name(code)
        assert duration is not None, f"out.mp4 is unplayable: {reason}"
