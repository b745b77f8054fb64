"""A tiny HTTP server for health-probe tests: prints `ready PORT` once it listens.

Modes (--mode, or the first word of --mode-file's content, read at every request, so a test
can change the answer while the server runs):
  ok            200 OK
  redirect      302 Found to /elsewhere (a probe must not follow it)
  error         500 Internal Server Error
  hang          accepts, reads the request, never answers
  slow-headers  sends a 200 status line, then one header byte every 0.1s, forever
  close         accepts and closes without answering

Options:
  --host ADDR     address to listen on (default 127.0.0.1; ::1 for IPv6)
  --log PATH      append one line per connection: `MODE REQUEST-LINE`
  --tls PEM       serve https with the certificate and key in PEM
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time

MODES = ("ok", "redirect", "error", "hang", "slow-headers", "close")


def current_mode(args: argparse.Namespace) -> str:
    if args.mode_file:
        try:
            with open(args.mode_file) as f:
                word = f.read().strip()
            if word in MODES:
                return word
        except FileNotFoundError:
            pass
    return args.mode


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def answer(conn: socket.socket, status: str, extra: str = "") -> None:
    body = status.encode() + b"\n"
    conn.sendall(
        f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}"
        "Connection: close\r\n\r\n".encode()
        + body
    )


def serve(conn: socket.socket, args: argparse.Namespace) -> None:
    with conn:
        mode = current_mode(args)
        request = b"" if mode == "close" else read_request(conn)
        if args.log:
            line = request.split(b"\r\n", 1)[0].decode(errors="replace")
            with open(args.log, "a") as log:
                log.write(f"{mode} {line}\n")
        try:
            if mode == "ok":
                answer(conn, "200 OK")
            elif mode == "redirect":
                answer(conn, "302 Found", "Location: /elsewhere\r\n")
            elif mode == "error":
                answer(conn, "500 Internal Server Error")
            elif mode == "hang":
                while conn.recv(4096):  # until the client gives up
                    pass
            elif mode == "slow-headers":
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while True:
                    time.sleep(0.1)
                    conn.sendall(b"x")
        except OSError:
            pass  # the client went away


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--mode-file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--log")
    parser.add_argument("--tls")
    args = parser.parse_args()
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, 0))
    listener.listen(64)
    os.write(1, f"ready {listener.getsockname()[1]}\n".encode())
    context = None
    if args.tls:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn, args, context), daemon=True).start()


def handle(conn: socket.socket, args: argparse.Namespace, context: object) -> None:
    if context is not None:
        try:
            conn = context.wrap_socket(conn, server_side=True)  # type: ignore[attr-defined]
        except OSError:
            conn.close()
            return
    serve(conn, args)


if __name__ == "__main__":
    raise SystemExit(main())
