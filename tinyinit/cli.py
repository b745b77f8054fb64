"""Command line and environment → Config. Pure: no system calls, no side effects.

Hand-written rather than argparse: argparse (with re and gettext) would cost PID 1 more
startup time than the whole interpreter, and tini/dumb-init flags need exact semantics.
Flags win over environment variables: a variable whose setting a flag gives is not read.
"""

from __future__ import annotations

from tinyinit import sigs
from tinyinit.log import DEBUG, WARN

DEFAULT_GRACE = 8.0
MAX_DURATION = 24 * 3600.0  # longer than any runtime's stop timeout: a typo, not an intent
MAX_TIMEOUT = 30 * 24 * 3600.0  # a batch job's limit may be days
MAX_COUNT = 1_000_000
# The default grace fits the stop timeout of the runtime found by the variables it always
# sets, leaving 2 s (1 s under Nomad's 5 s) for tinyinit's own SIGKILL, reaping and exit.
RUNTIME_GRACE = (
    ("KUBERNETES_SERVICE_HOST", 28.0, "Kubernetes (terminationGracePeriodSeconds 30s)"),
    ("ECS_CONTAINER_METADATA_URI_V4", 28.0, "Amazon ECS (stop timeout 30s)"),
    ("ECS_CONTAINER_METADATA_URI", 28.0, "Amazon ECS (stop timeout 30s)"),
    ("NOMAD_ALLOC_ID", 4.0, "Nomad (kill_timeout 5s)"),
)
FORWARD_MODES = ("auto", "group", "child")
RESTART_POLICIES = ("no", "on-failure", "always")

USAGE = """\
usage: tinyinit [OPTIONS] [--] COMMAND [ARG...]

Runs COMMAND as the child of a minimal init: forwards signals, reaps zombies, and on
shutdown lets every process finish within a grace period, then SIGKILLs what is left.
Durations: 8, 2.5s, 500ms, 1m, 1h (at most 24h; --timeout at most 720h).

options:
  --grace DURATION     grace period before SIGKILL (default 8s; 28s under Kubernetes or
                       Amazon ECS, 4s under Nomad) [env TINYINIT_GRACE]
  --forward MODE       who gets a forwarded signal: auto (COMMAND, and the processes a
                       waiting shell runs), group (COMMAND's process group) or child
                       (COMMAND only); default auto [TINYINIT_FORWARD]
  -c, --single-child   --forward child, and no new session [DUMB_INIT_SETSID=0]
  -g                   --forward group [TINI_KILL_PROCESS_GROUP, DUMB_INIT_SETSID=1]
  -r, --rewrite S:T    rewrite signal S to T before forwarding (T 0 drops it); repeatable
  --pdeathsig SIG      signal COMMAND gets if tinyinit dies (default KILL)
  -s                   be a child subreaper (automatic when not PID 1) [TINI_SUBREAPER]
  --no-subreaper       do not register as child subreaper
  -p SIG               signal tinyinit itself gets when its parent dies
  -e CODE              exit 0 when COMMAND's status, after the 128+N mapping, is CODE;
                       repeatable
  -w                   warn about reaped processes that are not COMMAND
  -v, --verbose        more output; repeatable [TINYINIT_VERBOSITY, TINI_VERBOSITY,
                       DUMB_INIT_DEBUG=1]

supervision:
  --restart POLICY     no, on-failure or always (default no) [TINYINIT_RESTART]
  --max-restarts N     restarts allowed (default 5 with on-failure, unlimited with
                       always) [TINYINIT_MAX_RESTARTS]
  --backoff DURATION   first delay before a restart, doubled each time up to 60s
                       (default 1s) [TINYINIT_BACKOFF]
  --reset-after DURATION  a run that lasts this long resets the count and the delay
                       (default 60s) [TINYINIT_RESET_AFTER]
  --health-cmd CMD     health check run with /bin/sh -c [TINYINIT_HEALTH_CMD]
  --health-http URL    healthy when URL answers 2xx or 3xx [TINYINIT_HEALTH_HTTP]
  --health-tcp HOST:PORT  healthy when HOST:PORT accepts a connection
                       [TINYINIT_HEALTH_TCP]
  --health-interval DURATION  between checks (default 30s) [TINYINIT_HEALTH_INTERVAL]
  --health-timeout DURATION   a check still running then has failed (default 10s)
                       [TINYINIT_HEALTH_TIMEOUT]
  --health-retries N   consecutive failures that make COMMAND unhealthy (default 3)
                       [TINYINIT_HEALTH_RETRIES]
  --health-start-period DURATION  failures in this warm-up do not count (default 0)
                       [TINYINIT_HEALTH_START_PERIOD]
  --timeout DURATION   time limit of the whole run, restarts included: then stop, exit 124
                       [TINYINIT_TIMEOUT]
  --report FILE        write a JSON report of the run there on exit [TINYINIT_REPORT]

  -l                   show the license
  -V, --version        show the version
  -h, --help           show this help

exit status: COMMAND's, or 128+N if it was killed by signal N; 124 when --timeout ended
it; 125 for tinyinit's own errors; 126 if COMMAND cannot be executed; 127 if it is not
found.
"""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit 125."""


class Config:
    """Everything tinyinit was asked to do."""

    def __init__(self) -> None:
        self.command: list[str] = []
        self.info: str | None = None  # text to print instead of running (help, version, license)
        self.grace: float = DEFAULT_GRACE
        self.grace_source = "the default"  # why this grace: for a debug line
        self.pdeathsig: int = sigs.parse("KILL")
        self.forward = "auto"
        self.rewrites: dict[int, int] = {}
        self.verbosity = WARN
        self.subreaper: bool | None = None  # None: automatic (when not PID 1)
        self.own_pdeathsig: int | None = None
        self.zero_codes: frozenset[int] = frozenset()
        self.warn_on_reap = False
        # Supervision.
        self.restart = "no"
        self.max_restarts: int | None = None  # None: unlimited
        self.backoff = 1.0
        self.reset_after = 60.0
        self.health: tuple[str, str] | None = None  # ("cmd" | "http" | "tcp", target)
        self.health_interval = 30.0
        self.health_timeout = 10.0
        self.health_retries = 3
        self.health_start_period = 0.0
        self.timeout: float | None = None
        self.report: str | None = None

    @property
    def single_child(self) -> bool:
        """dumb-init's -c: the main child alone, in tinyinit's own session."""
        return self.forward == "child"


def _is_decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()


def shown(text: str, limit: int = 40) -> str:
    """A user's value as it goes into a one-line message: quoted, control characters
    escaped, long values cut."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def parse_duration(text: str, limit: float = MAX_DURATION) -> float:
    """Seconds from 8, 2.5s, 500ms, 1m or 1h; UsageError for anything else."""
    word = text.strip().lower()
    scale = 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if word.endswith(suffix):
            word, scale = word[: -len(suffix)], factor
            break
    if word.startswith("-"):
        raise UsageError(f"invalid duration {shown(text)}: must not be negative")
    if len(word) > 20 or not _is_decimal(word.replace(".", "", 1)):
        raise UsageError(f"invalid duration {shown(text)} (examples: 8, 2.5s, 500ms, 1m, 1h)")
    seconds = float(word) * scale
    if seconds > limit:
        raise UsageError(f"duration {shown(text)} is longer than {limit / 3600:g}h")
    return seconds


def parse_signal(text: str, what: str, *, allow_zero: bool = False) -> int:
    try:
        return sigs.parse(text, allow_zero=allow_zero)
    except ValueError as err:
        raise UsageError(f"{what}: {err}") from None


def parse_rewrite(text: str) -> tuple[int, int]:
    source, sep, target = text.partition(":")
    if not sep:
        raise UsageError(f"--rewrite {shown(text)}: expected FROM:TO, e.g. TERM:QUIT or 15:3")
    return parse_signal(source, "--rewrite"), parse_signal(target, "--rewrite", allow_zero=True)


def parse_code(text: str) -> int:
    word = text.strip()
    if not _is_decimal(word) or len(word) > 3 or int(word) > 255:
        raise UsageError(f"-e {shown(text)}: expected an exit code from 0 to 255")
    return int(word)


def parse_count(text: str, what: str, least: int = 0) -> int:
    word = text.strip()
    if not _is_decimal(word) or len(word) > 7 or not least <= int(word) <= MAX_COUNT:
        raise UsageError(
            f"{what} {shown(text)}: expected a whole number from {least} to {MAX_COUNT}"
        )
    return int(word)


def parse_level(text: str, var: str) -> int:
    word = text.strip()
    if not _is_decimal(word) or len(word) > 3:
        raise UsageError(f"{var}={shown(text)}: expected a whole number from 0 to 999")
    return int(word)


def parse_choice(text: str, what: str, choices: tuple[str, ...]) -> str:
    word = text.strip().lower()
    if word not in choices:
        raise UsageError(f"{what} {shown(text)}: expected one of {', '.join(choices)}")
    return word


def parse_http(text: str, what: str) -> str:
    """A URL the http probe takes: the probe's own check (pure string work, no socket)."""
    from tinyinit.probe import parse_http_target

    url = text.strip()
    try:
        return parse_http_target(url)
    except ValueError as err:
        raise UsageError(f"{what} {shown(text)}: {err}") from None


def parse_tcp(text: str, what: str) -> str:
    """HOST:PORT or [IPv6]:PORT, as the tcp probe takes it."""
    from tinyinit.probe import parse_tcp_target

    target = text.strip()
    try:
        parse_tcp_target(target)
    except ValueError as err:
        raise UsageError(f"{what} {shown(text)}: {err}") from None
    return target


# Options taking a value: long name → key; short letter → key.
_LONG_VALUE = {
    "grace": "grace",
    "pdeathsig": "pdeathsig",
    "rewrite": "r",
    "forward": "forward",
    "restart": "restart",
    "max-restarts": "max-restarts",
    "backoff": "backoff",
    "reset-after": "reset-after",
    "health-cmd": "health-cmd",
    "health-http": "health-http",
    "health-tcp": "health-tcp",
    "health-interval": "health-interval",
    "health-timeout": "health-timeout",
    "health-retries": "health-retries",
    "health-start-period": "health-start-period",
    "timeout": "timeout",
    "report": "report",
}
_LONG_FLAG = {
    "single-child": "c",
    "verbose": "v",
    "version": "V",
    "help": "h",
    "no-subreaper": "no-subreaper",
}
_SHORT_VALUE = frozenset("rpe")
_SHORT_FLAG = frozenset("cvVhsglw")
# Settings with a variable of their own: key → variable.
_ENV = {
    "grace": "TINYINIT_GRACE",
    "forward": "TINYINIT_FORWARD",
    "restart": "TINYINIT_RESTART",
    "max-restarts": "TINYINIT_MAX_RESTARTS",
    "backoff": "TINYINIT_BACKOFF",
    "reset-after": "TINYINIT_RESET_AFTER",
    "health-cmd": "TINYINIT_HEALTH_CMD",
    "health-http": "TINYINIT_HEALTH_HTTP",
    "health-tcp": "TINYINIT_HEALTH_TCP",
    "health-interval": "TINYINIT_HEALTH_INTERVAL",
    "health-timeout": "TINYINIT_HEALTH_TIMEOUT",
    "health-retries": "TINYINIT_HEALTH_RETRIES",
    "health-start-period": "TINYINIT_HEALTH_START_PERIOD",
    "timeout": "TINYINIT_TIMEOUT",
    "report": "TINYINIT_REPORT",
}


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
                raise UsageError(f"unknown option {shown(arg)} (see tinyinit --help)")
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
                    raise UsageError(f"unknown option {shown('-' + letter)} (see tinyinit --help)")
        else:
            i -= 1
            break
    return opts, args[i:]


def parse(args: list[str], env: dict[str, str] | object) -> Config:
    """Config from the arguments after the program name and the environment."""
    get = env.get  # type: ignore[attr-defined]
    cfg = Config()
    opts, cfg.command = _split_options(args)

    # The last flag of each setting wins; a variable is read only when no flag gives it.
    given: dict[str, str] = {}
    forward_flags: set[str] = set()
    zero_codes: set[int] = set()
    verbose_flags = 0
    for key, value in opts:
        if key == "h":
            cfg.info = USAGE
        elif key == "V":
            cfg.info = f"tinyinit {_version()}\n"
        elif key == "l":
            from tinyinit._license import TEXT  # LICENSE, word for word; loaded only for -l

            cfg.info = TEXT
        elif key == "pdeathsig":
            cfg.pdeathsig = parse_signal(value or "", "--pdeathsig")
        elif key == "p":
            cfg.own_pdeathsig = parse_signal(value or "", "-p")
        elif key == "r":
            source, target = parse_rewrite(value or "")
            cfg.rewrites[source] = target
        elif key == "e":
            zero_codes.add(parse_code(value or ""))
        elif key in ("c", "g"):
            forward_flags.add("child" if key == "c" else "group")
        elif key == "s":
            cfg.subreaper = True
        elif key == "no-subreaper":
            cfg.subreaper = False
        elif key == "v":
            verbose_flags += 1
        elif key == "w":
            cfg.warn_on_reap = True
        else:
            given[key] = value or ""
    cfg.zero_codes = frozenset(zero_codes)

    def setting(key: str) -> tuple[str | None, str]:
        """The text of a setting and where it came from (`--flag` or `VARIABLE`)."""
        if key in given:
            return given[key], f"--{key}"
        var = _ENV[key]
        value = get(var)
        return (value, var) if value else (None, var)

    def duration(key: str, limit: float = MAX_DURATION) -> float | None:
        text, where = setting(key)
        if text is None:
            return None
        try:
            return parse_duration(text, limit)
        except UsageError as err:
            raise UsageError(f"{where}: {err}") from None

    # Grace: a flag, the variable, or the default that fits the runtime.
    grace = duration("grace")
    if grace is not None:
        cfg.grace = grace
        cfg.grace_source = "--grace" if "grace" in given else "TINYINIT_GRACE"
    else:
        for var, seconds, runtime in RUNTIME_GRACE:
            if get(var):
                cfg.grace, cfg.grace_source = seconds, f"{runtime}: {var} is set"
                break

    # Forwarding mode: flags, then TINYINIT_FORWARD, then tini's and dumb-init's variables.
    if "forward" in given:
        forward_flags.add(parse_choice(given["forward"], "--forward", FORWARD_MODES))
    if len(forward_flags) > 1:
        raise UsageError("contradictory forwarding options: " + " and ".join(sorted(forward_flags)))
    if forward_flags:
        cfg.forward = forward_flags.pop()
    elif get("TINYINIT_FORWARD"):
        cfg.forward = parse_choice(get("TINYINIT_FORWARD"), "TINYINIT_FORWARD", FORWARD_MODES)
    elif get("DUMB_INIT_SETSID") == "0":
        cfg.forward = "child"
    elif get("DUMB_INIT_SETSID") == "1" or get("TINI_KILL_PROCESS_GROUP"):
        cfg.forward = "group"

    base = WARN
    for var in ("TINI_VERBOSITY", "TINYINIT_VERBOSITY"):
        if get(var):
            base = parse_level(get(var), var)
    if get("DUMB_INIT_DEBUG") == "1":
        base = max(base, DEBUG)
    cfg.verbosity = base + verbose_flags
    if get("TINI_SUBREAPER") and cfg.subreaper is None:
        cfg.subreaper = True

    _parse_supervision(cfg, setting, duration)
    if cfg.info is None and not cfg.command:
        raise UsageError("no command given (usage: tinyinit [OPTIONS] [--] COMMAND [ARG...])")
    return cfg


def _parse_supervision(cfg: Config, setting, duration) -> None:  # type: ignore[no-untyped-def]
    text, where = setting("restart")
    if text is not None:
        cfg.restart = parse_choice(text, where, RESTART_POLICIES)
    text, where = setting("max-restarts")
    if text is not None:
        cfg.max_restarts = parse_count(text, where)
    elif cfg.restart == "on-failure":
        cfg.max_restarts = 5
    backoff = duration("backoff")
    if backoff is not None:
        cfg.backoff = backoff
    reset_after = duration("reset-after")
    if reset_after is not None:
        cfg.reset_after = reset_after

    checks = []
    for kind, check in (("cmd", None), ("http", parse_http), ("tcp", parse_tcp)):
        text, where = setting(f"health-{kind}")
        if text is not None:
            if not text.strip():
                raise UsageError(f"{where}: the check is empty")
            checks.append((where, kind, check(text, where) if check else text))
    if len(checks) > 1:
        raise UsageError(
            "one health check at a time: " + " and ".join(where for where, _, _ in checks)
        )
    if checks:
        _, kind, target = checks[0]
        cfg.health = (kind, target)
    for key, attr in (
        ("health-interval", "health_interval"),
        ("health-timeout", "health_timeout"),
        ("health-start-period", "health_start_period"),
    ):
        value = duration(key)
        if value is not None:
            if value == 0 and key != "health-start-period":
                raise UsageError(f"{setting(key)[1]}: must be longer than 0")
            setattr(cfg, attr, value)
    text, where = setting("health-retries")
    if text is not None:
        cfg.health_retries = parse_count(text, where, least=1)
    timeout = duration("timeout", MAX_TIMEOUT)
    if timeout is not None:
        if timeout == 0:
            raise UsageError(f"{setting('timeout')[1]}: must be longer than 0")
        cfg.timeout = timeout
    text, where = setting("report")
    if text is not None:
        if not text.strip() or "\0" in text:
            raise UsageError(f"{where} {shown(text)}: expected a file path")
        cfg.report = text


def _version() -> str:
    from tinyinit import __version__

    return __version__
