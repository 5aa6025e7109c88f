"""The RQ worker that runs the service's jobs.

It runs each job in its own process (RQ's ``SimpleWorker``), inside the Flask app,
so that the model loaded at start serves every job: nothing is loaded per job, and
no torch thread pool is inherited across a fork. A supervisor (``moderation up``,
the Procfile's process manager, Kubernetes) restarts a worker that dies; its jobs'
comments are found again by the sweeper.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Sequence

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job

from service.health import SCORER_KEY, SCORER_TTL_SECONDS
from service.queueing import ANALYZE_QUEUE, SCORING_QUEUE
from workers.scoring.scorer import ModelUnavailable, load_scorer

log = logging.getLogger(__name__)


class ModerationWorker(SimpleWorker):
    """A ``SimpleWorker`` that runs jobs in a fresh app context and reports its model."""

    def __init__(self, queues: Sequence[Queue], *, app: Flask, connection: Redis,
                 **kwargs) -> None:
        kwargs.setdefault("worker_ttl", SCORER_TTL_SECONDS - 30)
        super().__init__(queues, connection=connection, **kwargs)
        self.app = app
        self.model_state: dict | None = None

    def load_model(self) -> bool:
        """Load the scorer now, when this worker serves the scoring or the analyze queue.

        Returns:
            Whether the model loaded; when not, the reason is logged and reported to
            ``/readyz``, and the worker should not take scoring jobs.
        """
        if not {SCORING_QUEUE, ANALYZE_QUEUE} & set(self.queue_names()):
            return True
        state = {"worker": self.name, "host": socket.gethostname(), "pid": os.getpid()}
        try:
            scorer = load_scorer(self.app.config)
            scorer.score(["Warming up."])
        except ModelUnavailable as error:
            log.error("%s", error)
            self.model_state = state | {"status": "error", "error": str(error)}
            self._report_model()
            return False
        self.model_state = state | {"status": "ready", "model": scorer.model_id}
        self._report_model()
        log.info("model %s loaded", scorer.model_id)
        return True

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        super().heartbeat(timeout, pipeline)
        self._report_model()

    def register_death(self) -> None:
        """Say so in Redis; a ready model state goes with the worker (a failure stays)."""
        super().register_death()
        if self.model_state is not None and self.model_state["status"] == "ready":
            self.connection.delete(SCORER_KEY.format(worker=self.name))

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue)

    def _report_model(self) -> None:
        # A failure stays visible for a day, long after the worker that saw it has exited.
        if self.model_state is not None:
            ttl = SCORER_TTL_SECONDS if self.model_state["status"] == "ready" else 24 * 3600
            self.connection.set(SCORER_KEY.format(worker=self.name), json.dumps(self.model_state),
                                ex=ttl)
