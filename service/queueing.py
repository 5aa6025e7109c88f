"""Putting work on the Redis queues.

The web process enqueues jobs by their function path, so that it never imports the
workers (nor torch). Redis carries work, not data: every job can be made again from
the database, which is what the sweeper does when an enqueue was lost.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

log = logging.getLogger(__name__)

SCORING_QUEUE = "scoring"
WEBHOOKS_QUEUE = "webhooks"
QUEUES = (SCORING_QUEUE, WEBHOOKS_QUEUE)

SCORE_JOB = "workers.scoring.jobs.score_comment"


def init_app(app: Flask) -> None:
    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5,
        health_check_interval=30,
    )


def redis() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str, connection: Redis | None = None) -> Queue:
    return Queue(name, connection=connection or redis())


def scoring_job_id(comment_id: uuid.UUID | str) -> str:
    return f"score-{comment_id}"


def enqueue_scoring(comment_ids: Iterable[uuid.UUID | str], *, requeue: bool = False,
                    connection: Redis | None = None) -> int:
    """Queue the scoring job of each comment; return how many were queued.

    Job ids are stable (``score-<comment id>``), and the job is idempotent, so a
    comment queued twice is still decided once.

    Args:
        requeue: the sweeper's case: leave a job that still waits in the queue, and
            replace one that ended or whose worker died (its lease on the comment
            ran out, which the caller has checked).

    Raises:
        RedisError: when Redis cannot be reached.
    """
    scoring = queue(SCORING_QUEUE, connection)
    queued = 0
    for comment_id in comment_ids:
        job_id = scoring_job_id(comment_id)
        if requeue and not _replace_stale(job_id, scoring):
            continue
        scoring.enqueue(
            SCORE_JOB, str(comment_id), job_id=job_id, retry=Retry(max=3, interval=[10, 60, 300]),
            job_timeout=600, result_ttl=600, failure_ttl=7 * 24 * 3600,
        )
        queued += 1
    return queued


def try_enqueue_scoring(comment_ids: Iterable[uuid.UUID | str]) -> bool:
    """Queue scoring jobs after a commit; when Redis is down, leave it to the sweeper."""
    try:
        enqueue_scoring(comment_ids)
    except RedisError as error:
        log.warning("scoring not queued (%s); the sweeper will queue it", error.__class__.__name__)
        return False
    return True


def _replace_stale(job_id: str, scoring: Queue) -> bool:
    """Delete the job unless it really waits to run; say whether it may be queued anew.

    A job's status alone is not proof: after a partial loss of Redis data a job may
    say ``queued`` without being in the queue, so its place is checked too.
    """
    try:
        job = Job.fetch(job_id, connection=scoring.connection)
    except NoSuchJobError:
        return True
    waiting = {
        JobStatus.QUEUED: lambda: scoring.connection.lpos(scoring.key, job_id) is not None,
        JobStatus.SCHEDULED: lambda: job_id in scoring.scheduled_job_registry,
        JobStatus.DEFERRED: lambda: job_id in scoring.deferred_job_registry,
    }.get(job.get_status())
    if waiting and waiting():
        return False
    job.delete()
    return True
