"""stdio is the child's own: 20 MB written by the child arrive byte for byte."""

from __future__ import annotations

import hashlib
import subprocess

from .support import helper

SIZE = 20 * 1024 * 1024


def test_twenty_megabytes_of_stdout_pass_unchanged(start, mode: str) -> None:
    writer = helper("big_output", str(SIZE), "1234")
    expected = hashlib.sha256(subprocess.run(writer, capture_output=True, check=True).stdout)

    init = start(["--", *writer], mode)
    data = init.out.rest_bytes(60)
    assert init.wait(10) == 0
    assert len(data) == SIZE
    assert hashlib.sha256(data).hexdigest() == expected.hexdigest()
    assert init.stderr() == ""
