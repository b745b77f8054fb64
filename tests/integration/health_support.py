"""A running tests/helpers/health_server.py, for the probe and health-check tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .support import Lines, helper


class HealthServer:
    """The server, listening on HOST; `set_mode()` changes its answer while it runs, and
    `requests()` lists the requests it got (`MODE REQUEST-LINE`)."""

    def __init__(
        self, directory: Path, mode: str = "ok", host: str = "127.0.0.1", tls: Path | None = None
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.log = directory / "requests.log"
        self.mode_file = directory / "mode"
        self.mode_file.write_text(mode)
        self.proc = subprocess.Popen(
            helper(
                "health_server",
                *("--mode", mode, "--mode-file", str(self.mode_file)),
                *("--host", host, "--log", str(self.log)),
                *(("--tls", str(tls)) if tls else ()),
            ),
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        line = Lines(self.proc.stdout.fileno()).expect("ready ", timeout=10)
        self.port = int(line.split()[1])
        self.host = host
        self.scheme = "https" if tls else "http"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}/health"

    def set_mode(self, mode: str) -> None:
        temp = self.mode_file.with_suffix(".new")
        temp.write_text(mode)
        temp.rename(self.mode_file)

    def requests(self) -> list[str]:
        try:
            return self.log.read_text().splitlines()
        except FileNotFoundError:
            return []

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def self_signed(directory: Path) -> Path:
    """A PEM file with a new self-signed certificate for 127.0.0.1 and its key (openssl)."""
    pem = directory / "server.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run(
        [
            *request,
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(pem),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with open(pem, "a") as f:
        f.write((directory / "cert.pem").read_text())
    return pem
