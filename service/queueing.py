"""Putting work on the Redis queues: one mechanism for every kind of job.

Jobs are named by function path, so that the web process never imports the workers
(nor torch), and carry stable ids. Code that changes the database asks for its jobs
with ``enqueue_after_commit`` inside the transaction; once the transaction commits,
one session hook queues them, and a rollback forgets them. Redis carries work, not
data: when Redis is down at commit, the sweepers make the same jobs again from the
database, through ``enqueue``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.worker import BaseWorker, Worker
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

ANALYZE_QUEUE = "analyze"
"""Requests that a web request waits on (Perspective-compatible scoring, the nudge before
posting): served first."""
SCORING_QUEUE = "scoring"
WEBHOOKS_QUEUE = "webhooks"
EXPLAIN_QUEUE = "explain"
"""The explanations of held comments, for the moderators' queue: served last, when no
comment waits to be decided."""
QUEUES = (ANALYZE_QUEUE, SCORING_QUEUE, WEBHOOKS_QUEUE, EXPLAIN_QUEUE)
"""Every queue, in the order a worker serves them (RQ takes the first non-empty one)."""

_AFTER_COMMIT = "jobs_after_commit"


@dataclass(frozen=True)
class JobRequest:
    """A job to queue: where, what (a function path and its arguments), under which id.

    Attributes:
        at: run no earlier than this naive UTC time (RQ's scheduler), else now.
        options: ``Queue.enqueue`` keyword arguments (timeouts, TTLs, retries).
        fresh: the id names rows created by the transaction that asks for the job, so
            no job can have it yet: it is queued without looking for an old one.
    """

    queue: str
    function: str
    args: tuple[Any, ...]
    job_id: str
    at: datetime | None = None
    options: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False


def init_app(app: Flask) -> None:
    """Connect the app to Redis, and queue each transaction's jobs once it commits."""
    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5,
        health_check_interval=30,
    )
    sessions = app.extensions["db"]

    def queue_committed(session: Session) -> None:
        requests = session.info.pop(_AFTER_COMMIT, None)
        if requests:
            try:
                enqueue(requests, connection=app.extensions["redis"])
            except RedisError as error:
                log.warning("%d jobs not queued (%s); the sweepers will queue them",
                            len(requests), error.__class__.__name__)

    event.listen(sessions, "after_commit", queue_committed)
    event.listen(sessions, "after_rollback", lambda session: session.info.pop(_AFTER_COMMIT, None))


def redis() -> Redis:
    connection: Redis = current_app.extensions["redis"]
    return connection


def queue(name: str, connection: Redis | None = None) -> Queue:
    return Queue(name, connection=connection or redis())


def enqueue_after_commit(session: Session, *requests: JobRequest) -> None:
    """Queue ``requests`` when the session's transaction commits; forget them on rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).extend(requests)


def enqueue(requests: Iterable[JobRequest], *, connection: Redis | None = None) -> int:
    """Queue each job unless one with its id really waits or runs; return how many were queued.

    Every job is idempotent, so one queued twice still does its work once. The jobs go
    to Redis in one pipeline (one round trip), after one more that asks which of the
    jobs not marked ``fresh`` exist already; only an existing job costs more (the
    stale-job check).

    Raises:
        RedisError: when Redis cannot be reached.
    """
    connection = connection or redis()
    unique = list({request.job_id: request for request in requests}.values())
    if not unique:
        return 0
    queues: dict[str, Queue] = {}

    def target(name: str) -> Queue:
        if name not in queues:
            queues[name] = queue(name, connection)
        return queues[name]

    known = [request for request in unique if not request.fresh]
    if known:
        lookup = connection.pipeline(transaction=False)
        for request in known:
            lookup.exists(Job.key_for(request.job_id))
        existing = {request.job_id for request, found in zip(known, lookup.execute(), strict=True)
                    if found}
        unique = [request for request in unique if request.job_id not in existing
                  or _replace_stale(request.job_id, target(request.queue))]
    pipeline = connection.pipeline()
    now = datetime.now(UTC).replace(tzinfo=None)
    for request in unique:
        if request.at is not None and request.at > now:
            # RQ schedules in whole seconds, rounded down: round up, so as never to run early.
            at = request.at.replace(microsecond=0) + timedelta(seconds=bool(request.at.microsecond))
            target(request.queue).enqueue_at(at.replace(tzinfo=UTC), request.function,
                                             *request.args, job_id=request.job_id,
                                             pipeline=pipeline, **request.options)
        else:
            target(request.queue).enqueue(request.function, *request.args,
                                          job_id=request.job_id, pipeline=pipeline,
                                          **request.options)
    pipeline.execute()
    return len(unique)


_DROP_WAITING = """
local dropped = 0
for index, job_id in ipairs(ARGV) do
  if redis.call('LREM', KEYS[1], 1, job_id) > 0 then
    redis.call('DEL', KEYS[index + 1])
    dropped = dropped + 1
  end
end
return dropped
"""


def drop_waiting(queue_name: str, job_ids: Iterable[str], *,
                 connection: Redis | None = None) -> int:
    """Take the jobs ``job_ids`` off ``queue_name`` where they still wait, and delete them.

    For jobs whose work another job has done (a scoring batch decides the comments of
    other comments' jobs): nobody need run them. A job that a worker has taken already
    is left alone (every job is idempotent, it finds nothing to do). One round trip,
    atomic: a job is deleted only if it was still in its queue.

    Returns:
        How many jobs were dropped.

    Raises:
        RedisError: when Redis cannot be reached.
    """
    ids = list(job_ids)
    if not ids:
        return 0
    connection = connection or redis()
    keys = [queue(queue_name, connection).key, *(Job.key_for(job_id) for job_id in ids)]
    return cast(int, connection.eval(_DROP_WAITING, len(keys), *keys, *ids))


def _replace_stale(job_id: str, target: Queue) -> bool:
    """Delete the job unless it really waits or runs; say whether it may be queued anew.

    A job's status alone is not proof: after a partial loss of Redis data a job may
    say ``queued`` without being in its queue, and one whose worker was killed still
    says ``started``. So the queue, the registry or the worker is checked too.
    """
    connection = target.connection
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return True
    status = job.get_status(refresh=False)
    alive = {
        JobStatus.QUEUED: lambda: connection.lpos(target.key, job_id) is not None,
        JobStatus.SCHEDULED: lambda: job_id in target.scheduled_job_registry,
        JobStatus.DEFERRED: lambda: job_id in target.deferred_job_registry,
        JobStatus.STARTED: lambda: _worker_runs(job, connection),
    }.get(status)
    if alive is not None and alive():
        return False
    job.delete()
    return True


def live_worker(connection: Redis, name: str | None,
                within_seconds: float = 90) -> BaseWorker | None:
    """The RQ worker ``name``, if it is registered, has not died, and beat in the last
    ``within_seconds``; else None."""
    if not name:
        return None
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name,
                                connection=connection)
    if worker is None or worker.last_heartbeat is None or worker.death_date is not None:
        return None
    age = (datetime.now(UTC) - worker.last_heartbeat).total_seconds()
    return worker if age <= within_seconds else None


def _worker_runs(job: Job, connection: Redis) -> bool:
    """Whether a live worker says it runs ``job``."""
    worker = live_worker(connection, job.worker_name)
    return worker is not None and worker.get_current_job_id() == job.id


def wait_for_answer(connection: Redis, key: str, deadline: float) -> bytes | None:
    """The first value pushed on the list ``key``, or None once ``deadline`` (of
    ``time.monotonic()``) passes: how a web request waits for a worker's answer.

    It blocks in steps of at most a second, so that no wait outlasts the connection's
    socket timeout.
    """
    while (remaining := deadline - time.monotonic()) > 0:
        popped = cast("tuple[bytes, bytes] | None",
                      connection.blpop([key], timeout=min(remaining, 1.0)))
        if popped is not None:
            return popped[1]
    return None


def forget_job(connection: Redis, queue_name: str, job_id: str) -> None:
    """Delete the job ``job_id`` if it still waits in its queue (another job did its work,
    or its caller stopped waiting)."""
    if connection.lrem(Queue(queue_name, connection=connection).key, 0, job_id):
        Job(job_id, connection=connection).delete(remove_from_queue=False)
