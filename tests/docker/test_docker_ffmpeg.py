"""The headline: Dockerfile.example's own CMD, `sh -c 'ffmpeg ... | ffmpeg ... /out/out.mp4'`,
writing to a bind mount and stopped with `docker stop`: out.mp4 is complete, its duration close to
the time it ran. An init that exits with the shell leaves a file without its index."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest
from docker_harness import Containers, Target, compare, ffprobe_duration, note, signal_name

SCENARIO = "ffmpeg pipeline stopped after 4 s: out.mp4"
RUN_FOR = 4.0


@dataclass(frozen=True)
class Recording:
    ran: float  # seconds from `docker run` to `docker stop`
    duration: float | None  # what ffprobe reads; None: unplayable
    reason: str  # why ffprobe cannot read it
    code: int  # the container's exit status

    def describe(self) -> str:
        if self.duration is None:
            return f"unplayable ({self.reason}), exit {signal_name(self.code)}"
        return f"plays {self.duration:.1f} s of {self.ran:.1f} s run, exit {signal_name(self.code)}"


def image_command(target: Target) -> list[str]:
    cmd = target.cli("image", "inspect", "--format", "{{json .Config.Cmd}}", target.image).stdout
    return list(json.loads(cmd))


def record_and_stop(containers: Containers, target: Target) -> Recording:
    # tinyinit runs the image as shipped (its ENTRYPOINT and CMD); another init replaces the
    # ENTRYPOINT, which makes docker drop the CMD, so it gets the same command explicitly.
    command = [] if target.init.entrypoint is None else image_command(target)
    box = containers.start(target, command)
    box.wait_for_file("out.mp4", timeout=30)
    time.sleep(max(0.0, box.started + RUN_FOR - time.monotonic()))
    ran = time.monotonic() - box.started
    box.stop(timeout=10)
    code = box.wait()
    duration, reason = ffprobe_duration(target.image, box.out, "out.mp4", target.engine)
    return Recording(ran, duration, reason, code)


def test_ffmpeg_finishes_the_file(containers: Containers, target: Target) -> None:
    rec = record_and_stop(containers, target)
    note(target, SCENARIO, rec.describe())
    assert rec.duration is not None, f"out.mp4 is unplayable: {rec.reason}"
    # ffmpeg makes video in real time (-re) from its start, a little after `docker run` (measured
    # here: 0.4 to 0.8 s later), until the stop.
    assert rec.ran - 1.5 <= rec.duration <= rec.ran + 0.3, rec
    assert rec.code == 143  # the shell, killed by the forwarded SIGTERM


@pytest.mark.comparison
def test_compare(containers: Containers, others: list[Target]) -> None:
    compare(SCENARIO, others, lambda target: record_and_stop(containers, target).describe())
