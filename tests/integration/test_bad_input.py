"""Bad input: one line `tinyinit: <problem>` on stderr, exit 125, no traceback, nothing run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import SUBREAPER

# (options, environment, text the message must contain); the command follows the options.
CASES = {
    "no-command": ([], {}, None),
    "only-dashdash": (["--"], {}, None),
    "only-options": (["-v", "--grace", "1"], {}, None),
    "unknown-long": (["--bogus"], {}, "--bogus"),
    "unknown-short": (["-X"], {}, "-X"),
    "grace-missing-value": (["--grace"], {}, "--grace"),
    "grace-abc": (["--grace", "abc"], {}, "abc"),
    "grace-negative": (["--grace", "-1"], {}, "-1"),
    "grace-absurd": (["--grace", "1e9s"], {}, "1e9s"),
    "grace-absurd-plain": (["--grace", "1e9"], {}, "1e9"),
    "grace-unit": (["--grace", "10x"], {}, "10x"),
    "grace-empty": (["--grace", ""], {}, None),
    "grace-nan": (["--grace", "nan"], {}, "nan"),
    "grace-inf": (["--grace", "inf"], {}, "inf"),
    "grace-env": ([], {"TINYINIT_GRACE": "abc"}, "abc"),
    "pdeathsig-name": (["--pdeathsig", "NOPE"], {}, "NOPE"),
    "pdeathsig-number": (["--pdeathsig", "99"], {}, "99"),
    "own-pdeathsig": (["-p", "BOGUS"], {}, "BOGUS"),
    "rewrite-no-colon": (["-r", "TERM"], {}, "TERM"),
    "rewrite-bad-from": (["-r", "FOO:TERM"], {}, "FOO"),
    "rewrite-bad-to": (["-r", "TERM:BAR"], {}, "BAR"),
    "rewrite-number": (["--rewrite", "15:99"], {}, "99"),
    "rewrite-missing": (["-r"], {}, "-r"),
    "e-abc": (["-e", "abc"], {}, "abc"),
    "e-256": (["-e", "256"], {}, "256"),
    "e-negative": (["-e", "-1"], {}, "-1"),
    "e-missing": (["-e"], {}, "-e"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_125(start, case: str, tmp_path: Path) -> None:
    options, env, named = CASES[case]
    marker = tmp_path / "ran"
    command = (
        []
        if case.startswith(("no-command", "only-")) or "missing" in case
        else [
            "touch",
            str(marker),
        ]
    )
    init = start([*options, *command], SUBREAPER, env=env)
    assert init.wait(10) == 125
    stderr = init.stderr()
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("tinyinit: "), lines[0]
    assert "Traceback" not in stderr
    if named:
        assert named in lines[0], f"the message does not name {named!r}"
    assert not marker.exists(), "the command ran despite the bad input"
    assert init.out.rest(5) == ""
