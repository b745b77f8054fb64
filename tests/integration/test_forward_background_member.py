"""`sh -c 'db & exec app'` (e.g. `postgres & exec app`): the background member is left to its
parent, the app, which is not waiting for it. It hears the stop signal only once the app that
uses it has exited, the order a clean shutdown wants (auto and child). group sends it to both at
once. No process gets TERM twice."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .forwarding import (
    FORWARDS,
    Outcome,
    Run,
    got,
    sh_words,
    sigstamp,
    stamps,
    tinyinit,
    wait_ready,
)

APP_WORK = 0.6  # the app's clean shutdown, after its TERM


def scenario(init: list[str], mode: str, tmp: Path) -> Outcome:
    db_log, app_log = tmp / "db.log", tmp / "app.log"
    db = sh_words(sigstamp(db_log, "--exit-on", "TERM"))
    app = sh_words(sigstamp(app_log, "--exit-on", "TERM", "--exit-delay", str(APP_WORK)))
    with Run(init, ["sh", "-c", f"{db} & exec {app}"], mode) as run:
        wait_ready(db_log, app_log)
        run.signal(signal.SIGTERM)
        code, took = run.finish(6)
    app_exit = [s.at for s in stamps(app_log) if s.what == "exiting"]
    db_term = got(db_log, signal.SIGTERM)
    facts = {
        "app_terms": len(got(app_log, signal.SIGTERM)),
        "db_terms": len(db_term),
        # > 0: the db heard TERM after the app had finished; < 0: while the app still worked
        "db_after_app": round(db_term[0] - app_exit[0], 2) if db_term and app_exit else None,
    }
    if facts["db_after_app"] is None:
        text = "db never hears TERM"
    elif facts["db_after_app"] >= 0:
        text = "db stops after the app"
    else:
        text = "db stops with the app"
    return Outcome(code, took, text, facts)


@pytest.mark.parametrize("forward", FORWARDS)
def test_background_member_stops_after_the_app(mode: str, forward: str, tmp_path: Path) -> None:
    out = scenario(tinyinit(forward, 4), mode, tmp_path)
    assert out.facts["app_terms"] == 1 and out.facts["db_terms"] == 1, out
    assert out.code == 0, out
    assert out.facts["db_after_app"] is not None, out
    if forward == "group":
        assert out.facts["db_after_app"] < 0, out
    else:
        assert out.facts["db_after_app"] >= 0, out
        assert out.seconds < 2, out  # the drain comes at the app's exit, not at half the grace
