"""A celery app (broker: $FWD_BROKER, a redis URL) with one task, `fwd.work`, which touches
DIR/started-ID, works SECONDS, then writes DIR/done-ID."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import Celery

app = Celery("fwd", broker=os.environ.get("FWD_BROKER", "redis://127.0.0.1:6379/0"))
app.conf.update(
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    worker_hijack_root_logger=False,
)


@app.task(name="fwd.work")
def work(folder: str, ident: int, seconds: float) -> int:
    Path(folder, f"started-{ident}").write_text(str(os.getpid()))
    time.sleep(seconds)
    Path(folder, f"done-{ident}").write_text(str(os.getpid()))
    return ident
