"""Bad input: one line `tinyinit: <problem>` on stderr naming the bad value (printable,
control characters escaped, long values cut), exit 125, no traceback, nothing run. A user
error is never reported as an internal error."""

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
    "grace-over-24h": (["--grace", "86401"], {}, "86401"),
    "grace-25h": (["--grace", "25h"], {}, "25h"),
    "grace-env-over-24h": ([], {"TINYINIT_GRACE": "1441m"}, "1441m"),
    "control-char-short": (["-\n"], {}, "'-\\n'"),
    "escape-char-short": (["-\x1b"], {}, "'-\\x1b'"),
    "control-char-long": (["--gr\race"], {}, "'--gr\\race'"),
    "e-huge": (["-e", "9" * 5000], {}, "'9999999999"),
    "e-huge-zeros": (["-e", "0" * 5000 + "1000"], {}, "'0000000000"),
    "verbosity-huge": ([], {"TINYINIT_VERBOSITY": "9" * 5000}, "TINYINIT_VERBOSITY='999"),
    "tini-verbosity-huge": ([], {"TINI_VERBOSITY": "7" * 5000}, "TINI_VERBOSITY='777"),
    "verbosity-word": ([], {"TINYINIT_VERBOSITY": "loud"}, "loud"),
    "pdeathsig-huge": (["--pdeathsig", "9" * 5000], {}, "'9999999999"),
    "rewrite-rt-huge": (["-r", "TERM:RTMIN+" + "9" * 5000], {}, "RTMIN+999"),
    "grace-huge-digits": (["--grace", "9" * 5000], {}, "'9999999999"),
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
    assert "internal error" not in lines[0], "a user error reported as an internal error"
    assert len(lines[0]) < 300, "the bad value is not cut"
    assert lines[0].isprintable(), lines[0]
    assert "Traceback" not in stderr
    if named:
        assert named in lines[0], f"the message does not name {named!r}"
    assert not marker.exists(), "the command ran despite the bad input"
    assert init.out.rest(5) == ""


@pytest.mark.parametrize(
    ("options", "env"),
    [(["--grace", "24h"], {}), ([], {"TINYINIT_GRACE": "24h"}), (["--grace", "86400"], {})],
    ids=["flag", "env", "seconds"],
)
def test_grace_of_24h_is_accepted(start, options: list[str], env: dict[str, str]) -> None:
    """The documented maximum. Planted bug caught: `>=` for `>` in the 24h check."""
    init = start([*options, "--", "sh", "-c", "exit 4"], SUBREAPER, env=env)
    assert init.wait(10) == 4
    assert init.stderr() == ""
