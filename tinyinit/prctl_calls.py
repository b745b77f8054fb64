"""prctl(2): python-prctl when installed (extra `tinyinit[prctl]`), else libc through ctypes.

Imported only where needed: neither binding loads when tinyinit runs as PID 1 with defaults.
"""

from __future__ import annotations

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, arg: int) -> None:
    try:
        # python-prctl's C binding: its `prctl` module wraps this same call but spends
        # ~4 ms at import generating capability wrappers; `_prctl` loads in under 1 ms.
        import _prctl
    except ImportError:
        _prctl = None
    if _prctl is not None:
        _prctl.prctl(option, arg)
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        import os

        raise OSError(errno, os.strerror(errno))


def set_pdeathsig(sig: int) -> None:
    """The caller gets `sig` when the thread that forked it dies."""
    _prctl(PR_SET_PDEATHSIG, sig)


def set_child_subreaper() -> None:
    """Orphaned descendants are reparented to the caller instead of to PID 1."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
