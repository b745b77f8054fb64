"""Built-in health probes: `python -m tinyinit.probe http URL` and `... tcp HOST:PORT`.

tinyinit starts one as a child process every health interval (`--health-http`,
`--health-tcp`), and the same command works as a Docker HEALTHCHECK in an image without curl:

    python -m tinyinit.probe http://127.0.0.1:8000/health      # a URL implies http
    python -m tinyinit.probe 127.0.0.1:5432 --timeout 3        # HOST:PORT implies tcp

http: a GET whose answer (status line and headers) arrives within the timeout with a 2xx or
3xx status is healthy; redirects are not followed. https works when Python has its ssl
module; the certificate is not verified (as a Kubernetes httpGet probe does not).
tcp: a connection accepted within the timeout is healthy.

Exit status 0 healthy, 1 unhealthy, 2 usage error. One line says why: on stdout when
healthy, on stderr otherwise. The timeout (default 10s) bounds the whole probe, however the
time is spent (a server that accepts and never answers, one that sends headers forever).
A name lookup or a TLS handshake that blocks inside the C library past the deadline is cut
short by SIGALRM a moment later: the probe then dies by that signal, without a line.

Started every interval, so it stays lean: only `_socket` (the C module, without socket.py
and what it imports) and, for https only, ssl. parse_http_target and parse_tcp_target are
pure string checks that tinyinit's option parsing calls without importing any of it.
"""

from __future__ import annotations

import os
import sys
import time

DEFAULT_TIMEOUT = 10.0
MAX_HEAD = 65536  # an answer's status line and headers larger than this: unhealthy
# After the deadline, SIGALRM ends a probe stuck in a C call (name lookup, TLS handshake).
HARD_MARGIN = 0.25

EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE = 0, 1, 2

USAGE = (
    "usage: python -m tinyinit.probe [http] URL | [tcp] HOST:PORT [--timeout SECONDS]"
    " (exit 0 healthy, 1 unhealthy, 2 usage error)"
)

_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
# Characters allowed in the path and query of a URL sent as is (RFC 3986, plus %).
_PATH_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%"
)


class Unhealthy(Exception):
    """The probe's answer: unhealthy, with the reason as the message."""


# ---------------------------------------------------------------------------------------------
# targets: pure string checks


def _split_host_port(text: str, default_port: int | None) -> tuple[str, int]:
    """HOST, [IPV6] with :PORT (optional when DEFAULT_PORT is given) -> (host, port)."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError("'[' without ']'")
        host, rest = text[1:end], text[end + 1 :]
        zone = host.find("%")
        address = host if zone < 0 else host[:zone]
        if ":" not in address or not set(address) <= _IPV6_CHARS:
            raise ValueError(f"{host!r} in brackets is not an IPv6 address")
        if zone >= 0 and not set(host[zone + 1 :]) <= _HOST_CHARS | {"%"}:
            raise ValueError(f"bad zone in {host!r}")
        if rest and not rest.startswith(":"):
            raise ValueError("expected ':PORT' after ']'")
        port_text = rest[1:] if rest else None
    else:
        host, colon, port_text_or_empty = text.partition(":")
        if ":" in port_text_or_empty:
            raise ValueError("an IPv6 address goes in brackets, as in [::1]:8080")
        port_text = port_text_or_empty if colon else None
        if not host:
            raise ValueError("no host")
        if not set(host) <= _HOST_CHARS:
            raise ValueError(f"bad character in host {host!r}")
    if port_text is None:
        if default_port is None:
            raise ValueError("no port (expected HOST:PORT)")
        return host, default_port
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise ValueError(f"port {port_text!r} is not a number from 1 to 65535")
    return host, int(port_text)


def _split_url(text: str) -> tuple[str, str, int, str]:
    """http(s)://HOST[:PORT][/PATH][?QUERY] -> (scheme, host, port, path and query)."""
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ValueError("not a URL (expected http://HOST[:PORT]/PATH)")
    if scheme not in ("http", "https"):
        raise ValueError(f"scheme {scheme!r} not supported (http or https)")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    if "@" in authority:
        raise ValueError("credentials in the URL are not supported")
    if not authority:
        raise ValueError("no host")
    if not set(path) <= _PATH_CHARS:
        raise ValueError("the path has a space or a character to %-encode")
    host, port = _split_host_port(authority, 443 if scheme == "https" else 80)
    path = path.partition("#")[0]
    if not path.startswith("/"):
        path = "/" + path
    return scheme, host, port, path


def parse_http_target(text: str) -> str:
    """TEXT if it is a URL the http probe takes; otherwise ValueError, whose message says
    what is wrong in a few words (without TEXT: the caller names it)."""
    _split_url(text)
    return text


def parse_tcp_target(text: str) -> tuple[str, int]:
    """(host, port) from HOST:PORT or [IPV6]:PORT; otherwise ValueError as above."""
    if "://" in text:
        raise ValueError("expected HOST:PORT, not a URL")
    return _split_host_port(text, None)


def parse_timeout(text: str) -> float:
    """Seconds from 10, 2.5, 2.5s, 500ms or 1m; ValueError otherwise."""
    word = text.strip().lower()
    scale = 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if word.endswith(suffix):
            word, scale = word[: -len(suffix)], factor
            break
    number = word.replace(".", "", 1)
    if not (number.isascii() and number.isdigit()) or float(word) * scale <= 0:
        raise ValueError(f"invalid timeout {text!r} (a positive number of seconds)")
    return float(word) * scale


# ---------------------------------------------------------------------------------------------
# probing


def _remaining(deadline: float, what: str, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Unhealthy(f"{what} within {timeout:g}s")
    return left


def _connect(host: str, port: int, deadline: float, timeout: float):  # type: ignore[no-untyped-def]
    """A connected _socket.socket, trying each address of HOST in turn until the deadline."""
    import _socket

    try:  # bytes: a str host would load the idna codec (and re) for nothing
        addresses = _socket.getaddrinfo(host.encode("ascii"), port, 0, _socket.SOCK_STREAM)
    except _socket.gaierror as err:
        raise Unhealthy(f"cannot resolve {host!r}: {err.args[-1]}") from None
    failures = []
    for family, kind, proto, _, address in addresses:
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline, "no connection", timeout))
            sock.connect(address)
            return sock
        except TimeoutError:
            sock.close()
            raise Unhealthy(f"no connection within {timeout:g}s") from None
        except OSError as err:
            sock.close()
            if isinstance(err, _socket.timeout):  # Python 3.9: not yet TimeoutError
                raise Unhealthy(f"no connection within {timeout:g}s") from None
            failures.append(err.strerror or str(err))
        except BaseException:
            sock.close()
            raise
    raise Unhealthy(", ".join(dict.fromkeys(failures)).lower() or f"no address for {host!r}")


def _show(data: bytes, limit: int = 120) -> str:
    """Bytes from the network, printable on one line."""
    text = data[:limit].decode("ascii", "backslashreplace")
    text = "".join(c if " " <= c < "\x7f" else f"\\x{ord(c):02x}" for c in text)
    return text + ("..." if len(data) > limit else "")


def probe_tcp(host: str, port: int, timeout: float) -> str:
    """The healthy line; Unhealthy otherwise."""
    started = time.monotonic()
    sock = _connect(host, port, started + timeout, timeout)
    sock.close()
    return f"connection accepted in {time.monotonic() - started:.3f}s"


def probe_http(url: str, timeout: float) -> str:
    """The healthy line; Unhealthy otherwise."""
    started = time.monotonic()
    deadline = started + timeout
    scheme, host, port, path = _split_url(url)
    sock = _connect(host, port, deadline, timeout)
    try:
        if scheme == "https":
            sock = _tls(sock, host, deadline, timeout)
        authority = f"[{host}]" if ":" in host else host
        if port != (443 if scheme == "https" else 80):
            authority += f":{port}"
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: tinyinit-probe\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        sock.settimeout(_remaining(deadline, "request not sent", timeout))
        sock.sendall(request)
        head = _read_head(sock, deadline, timeout)
    except TimeoutError:
        raise Unhealthy(f"no answer within {timeout:g}s") from None
    except OSError as err:
        if type(err).__name__ == "timeout":  # Python 3.9's socket.timeout
            raise Unhealthy(f"no answer within {timeout:g}s") from None
        reason = (err.strerror or str(err)).lower()
        raise Unhealthy(f"{reason} while waiting for the answer") from None
    finally:
        sock.close()
    status_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise Unhealthy(f"not an HTTP answer: {_show(status_line)!r}")
    code = int(parts[1])
    answer = f"answered {_show(status_line[len(parts[0]) + 1 :])}"
    elapsed = f"in {time.monotonic() - started:.3f}s"
    if 200 <= code < 400:
        return f"{answer} {elapsed}"
    raise Unhealthy(f"{answer} {elapsed}")


def _read_head(sock, deadline: float, timeout: float) -> bytes:  # type: ignore[no-untyped-def]
    """The status line and headers; Unhealthy when they are not complete by the deadline."""
    head = b""
    while True:
        end = head.find(b"\r\n\r\n")
        if end < 0:
            end = head.find(b"\n\n")
        if end >= 0:
            return head[:end]
        if len(head) > MAX_HEAD:
            raise Unhealthy(f"answer head longer than {MAX_HEAD} bytes")
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(16384)
        except OSError as err:
            if isinstance(err, TimeoutError) or type(err).__name__ == "timeout":
                break
            raise
        if not chunk:
            if b"\n" in head:  # closed after the status line: judge by it
                return head
            what = f"after {_show(head)!r}" if head else "without an answer"
            raise Unhealthy(f"connection closed {what}")
        head += chunk
    if not head:
        raise Unhealthy(f"no answer within {timeout:g}s")
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    raise Unhealthy(f"answer not complete within {timeout:g}s (began {_show(first)!r})")


def _tls(sock, host: str, deadline: float, timeout: float):  # type: ignore[no-untyped-def]
    try:
        import socket as socket_module
        import ssl
    except ImportError:
        raise Unhealthy("https needs Python's ssl module, which is missing") from None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    plain = socket_module.socket(fileno=sock.detach())
    plain.settimeout(_remaining(deadline, "no TLS handshake", timeout))
    try:
        return context.wrap_socket(plain, server_hostname=host if ":" not in host else None)
    except ssl.SSLError as err:
        plain.close()
        raise Unhealthy(f"TLS handshake failed: {err.reason or err}") from None


# ---------------------------------------------------------------------------------------------
# command line


def _parse_args(args: list[str]) -> tuple[str, str, float]:
    """(kind, target, timeout) from the command line; ValueError for a usage error."""
    timeout = DEFAULT_TIMEOUT
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--timeout" or arg.startswith("--timeout="):
            if "=" in arg:
                value = arg.partition("=")[2]
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                raise ValueError("--timeout needs a value")
            timeout = parse_timeout(value)
        elif arg.startswith("-") and len(arg) > 1:
            raise ValueError(f"unknown option {arg!r}")
        else:
            words.append(arg)
        i += 1
    if len(words) == 2 and words[0] in ("http", "tcp"):
        kind, target = words
    elif len(words) == 1:
        target = words[0]
        kind = "http" if "://" in target else "tcp"
    else:
        raise ValueError("expected one target")
    try:
        if kind == "http":
            parse_http_target(target)
        else:
            parse_tcp_target(target)
    except ValueError as err:
        raise ValueError(f"{target!r}: {err}") from None
    return kind, target, timeout


def _say(fd: int, text: str) -> None:
    line = text.replace("\n", " ").replace("\r", " ") + "\n"
    try:
        os.write(fd, line.encode("utf-8", "backslashreplace"))
    except OSError:
        pass


def _arm_hard_deadline(seconds: float) -> None:
    """SIGALRM with its default action (death) once SECONDS have passed, whatever the probe
    inherited (blocked, ignored): the backstop for a C call that does not return."""
    import _signal

    _signal.signal(_signal.SIGALRM, _signal.SIG_DFL)
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, {_signal.SIGALRM})
    _signal.setitimer(_signal.ITIMER_REAL, seconds)


def main(args: list[str] | None = None) -> int:
    argv = sys.argv[1:] if args is None else args
    if argv and argv[0] in ("-h", "--help"):
        _say(1, USAGE)
        return EXIT_HEALTHY
    try:
        kind, target, timeout = _parse_args(argv)
    except ValueError as err:
        _say(2, f"tinyinit.probe: {err}; {USAGE}")
        return EXIT_USAGE
    _arm_hard_deadline(timeout + HARD_MARGIN)
    label = f"{kind} {target}"
    try:
        if kind == "http":
            why = probe_http(target, timeout)
        else:
            why = probe_tcp(*parse_tcp_target(target), timeout)
    except Unhealthy as err:
        _say(2, f"unhealthy: {label}: {err}")
        return EXIT_UNHEALTHY
    except OSError as err:
        _say(2, f"unhealthy: {label}: {(err.strerror or str(err)).lower()}")
        return EXIT_UNHEALTHY
    _say(1, f"healthy: {label}: {why}")
    return EXIT_HEALTHY


if __name__ == "__main__":
    raise SystemExit(main())
