"""Command line and environment → Config. Pure: no system calls, no side effects.

Hand-written rather than argparse: argparse (with re and gettext) would cost PID 1 more
startup time than the whole interpreter, and tini/dumb-init flags need exact semantics.
"""

from __future__ import annotations

from tinyinit import sigs
from tinyinit.log import DEBUG, WARN

DEFAULT_GRACE = 8.0
MAX_GRACE = 24 * 3600.0  # longer than any runtime's stop timeout: a typo, not an intent

USAGE = """\
usage: tinyinit [OPTIONS] [--] COMMAND [ARG...]

Runs COMMAND as the child of a minimal init: forwards signals to its process group,
reaps zombies, and on shutdown lets every process finish within a grace period.

options:
  --grace DURATION     grace period before SIGKILL (8, 2.5s, 500ms, 1m; default 8s)
                       [env TINYINIT_GRACE]
  --pdeathsig SIG      signal COMMAND gets if tinyinit dies (default KILL)
  -c, --single-child   forward signals to COMMAND only, no new session [DUMB_INIT_SETSID=0]
  -r, --rewrite S:T    rewrite signal S to T before forwarding (T 0 drops it); repeatable
  -g                   forward to the process group (the default) [TINI_KILL_PROCESS_GROUP]
  -s                   be a child subreaper (automatic when not PID 1) [TINI_SUBREAPER]
  --no-subreaper       do not register as child subreaper
  -p SIG               signal tinyinit itself gets when its parent dies
  -e CODE              exit 0 when COMMAND exits with CODE; repeatable
  -w                   warn about reaped processes that are not COMMAND
  -v, --verbose        more output; repeatable [TINYINIT_VERBOSITY, TINI_VERBOSITY,
                       DUMB_INIT_DEBUG=1]
  -l                   show the license
  -V, --version        show the version
  -h, --help           show this help

exit status: COMMAND's, or 128+N if it was killed by signal N; 125 for tinyinit's own
errors; 126 if COMMAND cannot be executed; 127 if it is not found.
"""

LICENSE = """\
tinyinit is released under the MIT License.

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify, merge,
publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE.
"""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit 125."""


class Config:
    """Everything tinyinit was asked to do."""

    def __init__(self) -> None:
        self.command: list[str] = []
        self.info: str | None = None  # text to print instead of running (help, version, license)
        self.grace: float = DEFAULT_GRACE
        self.pdeathsig: int = sigs.parse("KILL")
        self.single_child = False
        self.rewrites: dict[int, int] = {}
        self.verbosity = WARN
        self.subreaper: bool | None = None  # None: automatic (when not PID 1)
        self.own_pdeathsig: int | None = None
        self.zero_codes: frozenset[int] = frozenset()
        self.warn_on_reap = False


def _is_decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()


def parse_duration(text: str) -> float:
    """Seconds from 8, 2.5s, 500ms, 1m or 1h; UsageError for anything else."""
    word = text.strip().lower()
    scale = 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if word.endswith(suffix):
            word, scale = word[: -len(suffix)], factor
            break
    try:
        if word.startswith("-"):
            raise UsageError(f"invalid duration {text!r}: must not be negative")
        if not _is_decimal(word.replace(".", "", 1)):
            raise ValueError
        seconds = float(word) * scale
    except ValueError:
        raise UsageError(f"invalid duration {text!r} (examples: 8, 2.5s, 500ms, 1m)") from None
    if seconds > MAX_GRACE:
        raise UsageError(f"duration {text!r} is longer than 24h")
    return seconds


def parse_signal(text: str, what: str, *, allow_zero: bool = False) -> int:
    try:
        return sigs.parse(text, allow_zero=allow_zero)
    except ValueError as err:
        raise UsageError(f"{what}: {err}") from None


def parse_rewrite(text: str) -> tuple[int, int]:
    source, sep, target = text.partition(":")
    if not sep:
        raise UsageError(f"--rewrite {text!r}: expected FROM:TO, e.g. TERM:QUIT or 15:3")
    return parse_signal(source, "--rewrite"), parse_signal(target, "--rewrite", allow_zero=True)


def parse_code(text: str) -> int:
    if not _is_decimal(text.strip()) or int(text) > 255:
        raise UsageError(f"-e {text!r}: expected an exit code from 0 to 255")
    return int(text)


def parse_level(text: str, var: str) -> int:
    if not _is_decimal(text.strip()):
        raise UsageError(f"{var}={text!r}: expected a whole number")
    return int(text)


# Options taking a value: long name → key; short letter → key.
_LONG_VALUE = {"grace": "grace", "pdeathsig": "pdeathsig", "rewrite": "r"}
_LONG_FLAG = {
    "single-child": "c",
    "verbose": "v",
    "version": "V",
    "help": "h",
    "no-subreaper": "no-subreaper",
}
_SHORT_VALUE = frozenset("rpe")
_SHORT_FLAG = frozenset("cvVhsglw")


def _split_options(args: list[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(key, value) pairs for the options, and the command that follows them."""
    opts: list[tuple[str, str | None]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            key, eq, value = arg[2:].partition("=")
            if key in _LONG_VALUE:
                if not eq:
                    if i >= len(args):
                        raise UsageError(f"option --{key} needs a value")
                    value, i = args[i], i + 1
                opts.append((_LONG_VALUE[key], value))
            elif key in _LONG_FLAG and not eq:
                opts.append((_LONG_FLAG[key], None))
            else:
                raise UsageError(f"unknown option {arg!r} (see tinyinit --help)")
        elif arg.startswith("-") and arg != "-":
            letters = arg[1:]
            while letters:
                letter, letters = letters[0], letters[1:]
                if letter in _SHORT_VALUE:
                    if not letters:
                        if i >= len(args):
                            raise UsageError(f"option -{letter} needs a value")
                        letters, i = args[i], i + 1
                    opts.append((letter, letters))
                    letters = ""
                elif letter in _SHORT_FLAG:
                    opts.append((letter, None))
                else:
                    raise UsageError(f"unknown option -{letter} (see tinyinit --help)")
        else:
            i -= 1
            break
    return opts, args[i:]


def parse(args: list[str], env: dict[str, str] | object) -> Config:
    """Config from the arguments after the program name and the environment."""
    get = env.get  # type: ignore[attr-defined]
    cfg = Config()
    opts, cfg.command = _split_options(args)

    if get("TINYINIT_GRACE"):
        try:
            cfg.grace = parse_duration(get("TINYINIT_GRACE"))
        except UsageError as err:
            raise UsageError(f"TINYINIT_GRACE: {err}") from None
    for var in ("TINI_VERBOSITY", "TINYINIT_VERBOSITY"):
        if get(var):
            cfg.verbosity = parse_level(get(var), var)
    if get("DUMB_INIT_DEBUG") == "1":
        cfg.verbosity = max(cfg.verbosity, DEBUG)
    if get("DUMB_INIT_SETSID") == "0":
        cfg.single_child = True
    if get("TINI_SUBREAPER"):
        cfg.subreaper = True

    group_flag = single_flag = False
    zero_codes: set[int] = set()
    for key, value in opts:
        if key == "h":
            cfg.info = USAGE
        elif key == "V":
            cfg.info = f"tinyinit {_version()}\n"
        elif key == "l":
            cfg.info = LICENSE
        elif key == "grace":
            cfg.grace = parse_duration(value or "")
        elif key == "pdeathsig":
            cfg.pdeathsig = parse_signal(value or "", "--pdeathsig")
        elif key == "p":
            cfg.own_pdeathsig = parse_signal(value or "", "-p")
        elif key == "r":
            source, target = parse_rewrite(value or "")
            cfg.rewrites[source] = target
        elif key == "e":
            zero_codes.add(parse_code(value or ""))
        elif key == "c":
            single_flag = True
        elif key == "g":
            group_flag = True
        elif key == "s":
            cfg.subreaper = True
        elif key == "no-subreaper":
            cfg.subreaper = False
        elif key == "v":
            cfg.verbosity += 1
        elif key == "w":
            cfg.warn_on_reap = True
    if single_flag and group_flag:
        raise UsageError("-c (single child) and -g (process group) contradict each other")
    if single_flag:
        cfg.single_child = True
    elif group_flag:
        cfg.single_child = False
    cfg.zero_codes = frozenset(zero_codes)
    if cfg.info is None and not cfg.command:
        raise UsageError("no command given (usage: tinyinit [OPTIONS] [--] COMMAND [ARG...])")
    return cfg


def _version() -> str:
    from tinyinit import __version__

    return __version__
