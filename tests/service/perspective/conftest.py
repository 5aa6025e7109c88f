"""Fixtures: a Perspective API key, and a real worker serving the analyze queue in a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from rq.timeouts import TimerDeathPenalty

from service import db
from service.perspective.services import create_key
from service.queueing import ANALYZE_QUEUE, queue
from workers.worker import ModerationWorker


class ThreadWorker(ModerationWorker):
    """The service's worker, able to run outside the main thread (no signals there)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


class BackgroundWorker:
    """A real worker on the analyze queue, in a thread, while a test sends requests."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _worker(self) -> ThreadWorker:
        connection = self.app.extensions["redis"]
        return ThreadWorker([queue(ANALYZE_QUEUE, connection)], app=self.app,
                            connection=connection)

    def start(self) -> BackgroundWorker:
        assert self._worker().load_model()
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            self._worker().work(max_idle_time=1)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


@pytest.fixture
def analyze_worker(app: Flask) -> Iterator[BackgroundWorker]:
    worker = BackgroundWorker(app).start()
    yield worker
    worker.stop()


def new_key(app: Flask, name: str = "coral", quota: int = 100, site: str = "default") -> str:
    """A new key's secret."""
    with app.app_context(), db.transaction() as session:
        _, secret = create_key(session, name, site=site, quota=quota, by="test")
    return secret


@pytest.fixture
def key(app: Flask) -> str:
    return new_key(app)
