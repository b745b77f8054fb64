"""prctl(2): python-prctl when installed (extra `tinyinit[prctl]`), else libc through ctypes.

Imported only where needed: neither binding loads when tinyinit runs as PID 1 with defaults.
"""

from __future__ import annotations

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, arg: int) -> None:
    try:
        import prctl  # python-prctl
    except ImportError:
        prctl = None
    if prctl is not None:
        if option == PR_SET_PDEATHSIG:
            prctl.set_pdeathsig(arg)
        else:
            prctl.set_child_subreaper(arg)
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
