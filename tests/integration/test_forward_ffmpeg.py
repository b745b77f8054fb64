"""The ffmpeg pipeline of Dockerfile.example, `sh -c 'ffmpeg … | ffmpeg … out.mp4'`, stopped
with SIGTERM: the second ffmpeg must write the MP4 index at the end of the file, or out.mp4 does
not play. The shell waits for its pipeline (do_wait): auto gives both ffmpegs the TERM with the
shell; group gives it to the group; child gives it to the shell, which dies of it, and the drain
then gives it to the ffmpegs. Every mode leaves a playable file."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .forwarding import SLOW_MATRIX, Outcome, Run, need, tinyinit, wait_for

GRACE = 6.0
PIPELINE = (
    "ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc=size=160x120:rate=25"
    " -c:v mpeg2video -q:v 4 -f nut - | ffmpeg -hide_banner -loglevel error -nostdin -y"
    " -f nut -i - -c:v libx264 -preset ultrafast {out}"
)


def duration(path: Path) -> float | None:
    probe = need("ffprobe")
    done = subprocess.run(
        [probe, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    try:
        return float(json.loads(done.stdout)["format"]["duration"])
    except (ValueError, KeyError, TypeError):
        return None


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    need("ffmpeg")
    out = tmp / "out.mp4"
    with Run(init, ["sh", "-c", PIPELINE.format(out=out)], mode) as run:
        # ffmpeg writes the MP4's header once it has its first frames.
        wait_for(lambda: out.exists() and out.stat().st_size > 0, 20, "out.mp4 to be written")
        ran = time.monotonic() - run.started
        run.signal(signal.SIGTERM)
        code, took = run.finish(GRACE + 2)
    seconds = duration(out)
    text = "unplayable" if seconds is None else f"plays {seconds:.1f}s"
    return Outcome(code, took, text, {"plays": seconds, "ran": round(ran, 1)})


@pytest.mark.parametrize(("mode", "forward"), SLOW_MATRIX)
def test_ffmpeg_pipeline_file_plays(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, GRACE), mode, tmp_path)
    assert out.facts["plays"] is not None, out
    assert out.code in (0, 143, 255), out
    assert out.seconds < GRACE, out
