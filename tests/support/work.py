"""Running the real worker in the test process."""

from __future__ import annotations

from flask import Flask

from service.queueing import QUEUES, queue
from workers.worker import ModerationWorker


def drain(app: Flask, queues: tuple[str, ...] = QUEUES) -> ModerationWorker:
    """Run a worker in burst mode until ``queues`` are empty."""
    connection = app.extensions["redis"]
    worker = ModerationWorker([queue(name, connection) for name in queues], app=app,
                              connection=connection)
    assert worker.load_model()
    worker.work(burst=True)
    return worker
