"""Shared by the hardening tests: start tinyinit with a launcher of the test's own right in
front of it (after `unshare` as PID 1, where support.Init's `wrap` would go before it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .support import PID1, SUBREAPER, Init, children, require_root, wait_for

UNSHARE_PID = ["unshare", "--pid", "--fork", "--mount-proc"]


def start_under(
    start: Callable[..., Init], args: Sequence[str], mode: str, pre: Sequence[str], **kw: Any
) -> Init:
    """Run `PRE... TINYINIT ARGS...`; PRE must exec what follows it (same pid)."""
    if mode != PID1:
        return start(args, SUBREAPER, wrap=list(pre), **kw)
    require_root()
    init = start(args, SUBREAPER, wrap=[*UNSHARE_PID, *pre], **kw)
    init.mode = PID1
    # A tinyinit that exits at once (a bad command) may be gone before it is seen.
    found = wait_for(
        lambda: children(init.proc.pid) or (init.proc.poll() is not None and [0]),
        10,
        "unshare to fork tinyinit",
    )
    if found[0]:
        init._pid = found[0]
    return init
