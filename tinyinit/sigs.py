"""Signal names and numbers, from the interpreter's own `_signal` (no enum import)."""

from __future__ import annotations

import _signal

# Aliases that name the same number as a canonical name.
_ALIASES = frozenset({"IOT", "POLL", "CLD"})
# Real-time signals are named as offsets from these bounds.
_RTMIN = _signal.SIGRTMIN
_RTMAX = _signal.SIGRTMAX
NSIG = _signal.NSIG


def _table() -> dict[str, int]:
    table: dict[str, int] = {}
    for attr in dir(_signal):
        named = attr.startswith("SIG") and not attr.startswith("SIG_") and attr[3:4].isupper()
        if named and attr not in ("SIGRTMIN", "SIGRTMAX"):
            table[attr[3:]] = getattr(_signal, attr)
    return table


_BY_NAME = _table()
# Python < 3.11 has no SIGSTKFLT; on the common Linux architectures it is signal 16.
if "STKFLT" not in _BY_NAME and 16 not in _BY_NAME.values():
    import os

    if os.uname().machine in ("x86_64", "i686", "i386", "aarch64", "armv7l", "riscv64"):
        _BY_NAME["STKFLT"] = 16
_BY_NUMBER = {num: name for name, num in _BY_NAME.items() if name not in _ALIASES}


def name(signo: int) -> str:
    """SIGTERM, SIGRTMIN+3, or 'signal N' for a number with no name."""
    known = _BY_NUMBER.get(signo)
    if known is not None:
        return "SIG" + known
    if _RTMIN <= signo <= _RTMAX:
        if signo - _RTMIN <= _RTMAX - signo:
            return "SIGRTMIN" + ("" if signo == _RTMIN else f"+{signo - _RTMIN}")
        return "SIGRTMAX" + ("" if signo == _RTMAX else f"-{_RTMAX - signo}")
    return f"signal {signo}"


def parse(text: str, *, allow_zero: bool = False) -> int:
    """A signal given as TERM, SIGTERM, sigterm, 15, RTMIN+2 or RTMAX-1; ValueError if none."""
    word = text.strip().upper()
    if word.isascii() and word.isdigit():
        num = int(word) if len(word.lstrip("0")) <= 3 else NSIG  # no int() of 5000 digits
        if (allow_zero and num == 0) or 1 <= num < NSIG:
            return num
        raise ValueError(f"signal number out of range: {_shown(text)} (1-{NSIG - 1})")
    if word.startswith("SIG"):
        word = word[3:]
    if word in _BY_NAME:
        return _BY_NAME[word]
    for base, bound, sign in (("RTMIN", _RTMIN, 1), ("RTMAX", _RTMAX, -1)):
        if word == base:
            return bound
        if word.startswith(base) and word[len(base) : len(base) + 1] in "+-":
            offset = word[len(base) + 1 :]
            if (
                offset.isascii()
                and offset.isdigit()
                and len(offset) <= 3
                and word[len(base)] == ("+" if sign > 0 else "-")
            ):
                num = bound + sign * int(offset)
                if _RTMIN <= num <= _RTMAX:
                    return num
    raise ValueError(f"unknown signal: {_shown(text)}")


def _shown(text: str, limit: int = 40) -> str:
    """TEXT quoted for a message: control characters escaped, cut after LIMIT characters."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
