"""prctl(2): python-prctl when installed (extra `tinyinit[prctl]`), else libc through ctypes.

Imported only where needed: neither binding loads when tinyinit runs as PID 1 with defaults.
`load()` resolves the binding; call it before fork, so the child does not import.
"""

from __future__ import annotations

import os

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_call = None


def load():  # type: ignore[no-untyped-def]
    """The function prctl(option, arg) -> None, raising OSError on failure."""
    global _call
    if _call is not None:
        return _call
    try:
        # python-prctl's C binding: its `prctl` module wraps this same call but spends
        # ~4 ms at import generating capability wrappers; `_prctl` loads in under 1 ms.
        import _prctl

        _call = _prctl.prctl
    except ImportError:
        import ctypes

        libc_prctl = ctypes.CDLL(None, use_errno=True).prctl
        ulong, get_errno = ctypes.c_ulong, ctypes.get_errno

        def _call(option: int, arg: int) -> None:
            if libc_prctl(option, ulong(arg), 0, 0, 0) != 0:
                errno = get_errno()
                raise OSError(errno, os.strerror(errno))

    return _call


def set_pdeathsig(sig: int) -> None:
    """The caller gets `sig` when the thread that forked it dies."""
    load()(PR_SET_PDEATHSIG, sig)


def set_child_subreaper() -> None:
    """Orphaned descendants are reparented to the caller instead of to PID 1."""
    load()(PR_SET_CHILD_SUBREAPER, 1)
