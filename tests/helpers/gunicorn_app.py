"""A WSGI app for gunicorn with a slow endpoint.

GET /slow?id=ID&s=SECONDS: touches $FWD_DIR/started-ID, works SECONDS, answers `done ID`.
GET /ping: answers `pong` at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("PATH_INFO") == "/slow":
        ident = query["id"][0]
        (Path(os.environ["FWD_DIR"]) / f"started-{ident}").write_text(str(os.getpid()))
        time.sleep(float(query.get("s", ["1"])[0]))
        body = f"done {ident}".encode()
    else:
        body = b"pong"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
