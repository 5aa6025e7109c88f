"""Scale-out: several worker processes on one Redis and one PostgreSQL decide each comment once.

The workers are separate processes with nothing in common but Redis and the database,
as they would be on separate machines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, func, insert, select

from service.comments.models import Comment, Decision, Event, Status
from service.comments.tasks import scoring_job
from service.db import utcnow
from service.health import SCORER_KEY
from service.policy import MODEL_ACTOR
from service.queueing import SCORING_QUEUE, enqueue
from tests.support import databases

WORKERS = 3
COMMENTS = 300

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with databases.migrated_postgres() as url:
        yield url


@pytest.fixture
def queue_url(redis_url: str) -> str:
    """A Redis database of this test's own on the tests' server."""
    url = redis_url.rsplit("/", 1)[0] + "/5"
    Redis.from_url(url).flushdb()
    return url


def test_three_workers_on_one_redis_and_postgresql_decide_each_comment_once(
        postgres_url, queue_url, tiny_model, tmp_path):
    env = os.environ | tiny_model | {
        "DATABASE_URL": postgres_url, "REDIS_URL": queue_url, "TORCH_THREADS": "1",
        "SCORING_BATCH_SIZE": "8", "MODERATION_INSTANCE_DIR": str(tmp_path / "instance"),
        "LOG_LEVEL": "WARNING",
    }
    workers = [_start_worker(env, tmp_path / f"worker-{number}.log") for number in range(WORKERS)]
    try:
        connection = Redis.from_url(queue_url)
        _wait_until_ready(connection, workers)
        ids = _store_pending(postgres_url, COMMENTS)

        enqueue((scoring_job(id_) for id_ in ids), connection=connection)
        _wait_until_drained(postgres_url, connection)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)

    engine = create_engine(postgres_url)
    with engine.connect() as db:
        per_comment = dict(db.execute(
            select(Decision.comment_id, func.count()).where(Decision.actor == MODEL_ACTOR)
            .group_by(Decision.comment_id)).all())
        decided_events = db.scalar(select(func.count()).select_from(Event)
                                   .where(Event.type != "comment.created"))
        statuses = set(db.scalars(select(Comment.status).distinct()))
    engine.dispose()
    assert set(per_comment) == set(ids)
    assert set(per_comment.values()) == {1}
    assert decided_events == COMMENTS
    assert Status.PENDING not in statuses
    deciders = _workers_that_decided(connection)
    assert len(deciders) >= 2, f"only {deciders} decided anything: the work was not shared"


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen([sys.executable, "-m", "cli", "worker", "--queue",
                                 SCORING_QUEUE], env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_until_ready(connection: Redis, workers: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 120
    while True:
        keys = list(connection.scan_iter(SCORER_KEY.format(worker="*")))
        states = [json.loads(raw) for raw in connection.mget(keys) if raw] if keys else []
        if sum(state["status"] == "ready" for state in states) == len(workers):
            return
        assert all(worker.poll() is None for worker in workers), "a worker exited"
        assert time.monotonic() < deadline, f"workers not ready: {states}"
        time.sleep(0.2)


def _store_pending(database_url: str, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    engine = create_engine(database_url)
    with engine.begin() as db:
        db.execute(insert(Comment), [
            {"id": id_, "thread_id": "scale-out", "author": "Reader", "status": Status.PENDING,
             "body": f"Comment number {number} on the council's housing plan.",
             "created_at": utcnow()}
            for number, id_ in enumerate(ids)
        ])
    engine.dispose()
    return ids


def _wait_until_drained(database_url: str, connection: Redis) -> None:
    engine = create_engine(database_url)
    scoring = Queue(SCORING_QUEUE, connection=connection)
    deadline = time.monotonic() + 180
    try:
        while True:
            with engine.connect() as db:
                pending = db.scalar(select(func.count()).select_from(Comment)
                                    .where(Comment.status == Status.PENDING))
            if not pending and not scoring.count and not scoring.started_job_registry.count:
                return
            assert time.monotonic() < deadline, f"{pending} comments still pending"
            time.sleep(0.2)
    finally:
        engine.dispose()


def _workers_that_decided(connection: Redis) -> set[str]:
    scoring = Queue(SCORING_QUEUE, connection=connection)
    jobs = scoring.finished_job_registry.get_job_ids()
    deciders = set()
    for job in scoring.job_class.fetch_many(jobs, connection=connection):
        if job is not None and (job.return_value() or {}).get("decided"):
            deciders.add(job.worker_name)
    return deciders
