"""Running the real worker in the test process: until its queues are empty, or in a
thread beside a test (for the requests that wait on a worker's answer)."""

from __future__ import annotations

import threading

from flask import Flask
from rq.timeouts import TimerDeathPenalty

from service.queueing import ANALYZE_QUEUE, QUEUES, queue
from workers.worker import ModerationWorker


def drain(app: Flask, queues: tuple[str, ...] = QUEUES) -> ModerationWorker:
    """Run a worker in burst mode until ``queues`` are empty."""
    connection = app.extensions["redis"]
    worker = ModerationWorker([queue(name, connection) for name in queues], app=app,
                              connection=connection)
    assert worker.load_model()
    worker.work(burst=True)
    return worker


class ThreadWorker(ModerationWorker):
    """The service's worker, able to run outside the main thread (no signals there)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


class BackgroundWorker:
    """A real worker on the analyze queue (or ``queues``), in a thread, while a test sends
    requests."""

    def __init__(self, app: Flask, queues: tuple[str, ...] = (ANALYZE_QUEUE,)) -> None:
        self.app, self.queues = app, queues
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _worker(self) -> ThreadWorker:
        connection = self.app.extensions["redis"]
        return ThreadWorker([queue(name, connection) for name in self.queues], app=self.app,
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
