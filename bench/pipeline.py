"""The whole pipeline: pending comments in the database, their jobs on Redis, drained by
the running workers (queue, score, decide, store, emit events)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

from redis import Redis
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from service.comments.models import Comment, Status
from service.comments.tasks import scoring_job
from service.db import make_engine, utcnow
from service.queueing import enqueue

THREAD = "bench-pipeline"


def drain(database_url: str, redis_url: str, bodies: Sequence[str],
          timeout: float = 3600.0) -> float:
    """Store ``bodies`` as pending comments, queue them, and time until all are decided.

    The clock starts before the first job is queued and stops when the database has
    no pending comment of this thread left.

    Returns:
        The seconds the workers took.
    """
    engine = make_engine(database_url)
    ids = store(database_url, bodies, engine)
    started = time.perf_counter()
    enqueue((scoring_job(id_) for id_ in ids), connection=Redis.from_url(redis_url))
    while _pending(engine):
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"the workers did not drain {len(bodies)} comments in {timeout} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def store(database_url: str, bodies: Sequence[str],
          engine: Engine | None = None) -> list[uuid.UUID]:
    """Store ``bodies`` as pending comments of the bench's thread; return their ids."""
    ids = [uuid.uuid4() for _ in bodies]
    now = utcnow()
    with (engine or make_engine(database_url)).begin() as connection:
        connection.execute(insert(Comment), [
            {"id": id_, "thread_id": THREAD, "author": "Reader", "body": body,
             "status": Status.PENDING, "created_at": now}
            for id_, body in zip(ids, bodies, strict=True)
        ])
    return ids


def _pending(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Comment).where(
            Comment.thread_id == THREAD, Comment.status == Status.PENDING))
