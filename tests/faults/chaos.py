"""A background killer: SIGKILLs scoring workers in the middle of a batch, and respawns them."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from service.comments.models import Comment, Status
from service.db import utcnow
from tests.support.processes import Command


def busy_worker(client: Redis, workers: list[Command],
                ready: set[int]) -> tuple[Command, str] | None:
    """A scoring worker with its model loaded that RQ reports busy, and its job's id."""
    keys = list(client.smembers("rq:workers:scoring"))
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hmget(key, "pid", "state", "current_job")
        busy = {int(pid): (job or b"").decode() for pid, state, job in pipe.execute()
                if pid and state == b"busy"}
    return next(((w, busy[w.pid]) for w in workers
                 if w.alive() and w.pid in busy and w.pid in ready), None)


def leased(engine: Engine, comment_id: str) -> bool:
    """Whether the comment is pending under a lease: a batch holds it right now."""
    with engine.connect() as connection:
        return bool(connection.scalar(
            select(Comment.id).where(Comment.id == uuid.UUID(comment_id),
                                     Comment.status == Status.PENDING,
                                     Comment.claimed_until > utcnow())))


def leases(engine: Engine) -> set[str]:
    """Claim tokens of pending comments whose lease has not run out."""
    with engine.connect() as connection:
        return set(connection.scalars(
            select(Comment.claim_token).distinct()
            .where(Comment.status == Status.PENDING, Comment.claim_token.is_not(None),
                   Comment.claimed_until > utcnow())).all())


class Killer(threading.Thread):
    """Kills a busy scoring worker once its batch is claimed, and acts as the process manager.

    A lease that outlives the kill by a second belonged to the killed worker's batch
    (a live worker decides a batch of the tiny model in milliseconds): such kills are
    counted as ``mid_batch``.
    """

    def __init__(self, stack, engine: Engine) -> None:
        super().__init__(name="killer", daemon=True)
        self.stack, self.engine = stack, engine
        self.client = stack.redis.client()
        self.kills = self.mid_batch = 0
        self.killing = threading.Event()
        self._stop_event = threading.Event()
        self._checks: list[tuple[float, set[str]]] = []

    def run(self) -> None:
        ready, looked = set(), 0.0
        while not self._stop_event.is_set():
            now = time.monotonic()
            try:
                if now - looked > 0.2:
                    self.stack.supervise()
                    ready, looked = self.stack.ready_pids(), now
                    self._check_leases(now)
                found = (busy_worker(self.client, self.stack.workers, ready)
                         if self.killing.is_set() else None)
            except (RedisError, SQLAlchemyError):
                found = None
            if found is None:
                time.sleep(0.003)
                continue
            victim, job_id = found
            self._wait_for_claim(job_id.removeprefix("score-"))
            victim.kill()
            self.kills += 1
            ready.discard(victim.pid)
            with contextlib.suppress(SQLAlchemyError):
                self._checks.append((time.monotonic() + 1.0, leases(self.engine)))

    def _wait_for_claim(self, comment_id: str, timeout: float = 0.2) -> None:
        """Return once the job's comment is claimed (or soon: a kill mid-job is fine too)."""
        deadline = time.monotonic() + timeout
        try:
            while not leased(self.engine, comment_id) and time.monotonic() < deadline:
                time.sleep(0.002)
        except (SQLAlchemyError, ValueError):
            pass

    def _check_leases(self, now: float) -> None:
        for check in [check for check in self._checks if check[0] <= now]:
            self._checks.remove(check)
            self.mid_batch += bool(check[1] & leases(self.engine))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=15)
        assert not self.is_alive(), "the killer did not stop"
