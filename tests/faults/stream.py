"""A steady stream of comments over HTTP, and the ledger that checks what became of them."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from service.comments.models import Comment, Decision, Event, Status
from service.policy import MODEL_ACTOR
from tests.support.processes import http_json


@dataclass(frozen=True)
class Sent:
    """One POST and its answer: a status, or the error when no answer came."""

    body: str
    status: int | None
    comment_id: str | None = None
    error: str | None = None


@dataclass(eq=False)
class Stream(threading.Thread):
    """Posts one comment every ``1 / rate`` seconds to one thread until stopped."""

    base_url: str
    thread_id: str = field(default_factory=lambda: f"faults-{uuid.uuid4().hex[:8]}")
    rate: float = 20.0
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(name=f"stream-{self.thread_id}", daemon=True)
        self._stop_event = threading.Event()

    def run(self) -> None:
        url = f"{self.base_url}/api/v1/threads/{self.thread_id}/comments"
        started, number = time.monotonic(), 0
        while not self._stop_event.is_set():
            body = f"Comment {number} of {self.thread_id}: peace needs guarantees."
            try:
                status, answer = http_json("POST", url, {"body": body, "author": "Streamer"},
                                           timeout=10)
                self.sent.append(Sent(body, status, answer.get("id")))
            except OSError as error:
                self.sent.append(Sent(body, None, error=error.__class__.__name__))
            number += 1
            self._stop_event.wait(max(0.0, started + number / self.rate - time.monotonic()))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=15)
        assert not self.is_alive(), "the stream did not stop"

    def count(self, status: int | None) -> int:
        return sum(1 for sent in self.sent if sent.status == status)

    def accepted(self) -> set[str]:
        return {sent.comment_id for sent in self.sent if sent.status == 202}


@dataclass
class Ledger:
    """What the database holds for a stream's thread, compared with what the client got."""

    stream: Stream
    engine: Engine

    def pending(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(
                select(func.count()).select_from(Comment)
                .where(Comment.thread_id == self.stream.thread_id,
                       Comment.status == Status.PENDING))

    def wait_drained(self, timeout: float) -> float:
        """Seconds until no comment of the thread is pending (``inf`` if not in time)."""
        started = time.monotonic()
        while self.pending():
            if time.monotonic() - started > timeout:
                return float("inf")
            time.sleep(0.25)
        return time.monotonic() - started

    def figures(self) -> dict[str, int]:
        """Sent, accepted, refused, decided, duplicates, lost and what must stay zero."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Comment.id, Comment.body, Comment.status)
                .where(Comment.thread_id == self.stream.thread_id)).all()
            ids = [row.id for row in rows]
            model_decisions = Counter(connection.scalars(
                select(Decision.comment_id)
                .where(Decision.comment_id.in_(ids), Decision.actor == MODEL_ACTOR)).all())
            events = Counter(connection.execute(
                select(Event.comment_id, Event.type).where(Event.comment_id.in_(ids))).all())
        stored = {str(row.id): row for row in rows}
        accepted = self.stream.accepted()
        refused_bodies = {sent.body for sent in self.stream.sent
                          if sent.status is not None and sent.status != 202}
        unanswered_bodies = {sent.body for sent in self.stream.sent if sent.status is None}
        statuses = Counter(sent.status for sent in self.stream.sent)
        return {
            "sent": len(self.stream.sent),
            "accepted": len(accepted),
            "refused_503": statuses[503],
            "refused_other": sum(count for status, count in statuses.items()
                                 if status not in (202, 503, None)),
            "no_answer": statuses[None],
            "decided": sum(1 for key in accepted
                           if key in stored and model_decisions[stored[key].id] == 1),
            "duplicates": sum(1 for count in model_decisions.values() if count > 1),
            "lost": len(accepted - stored.keys()),
            "undecided": sum(1 for key in accepted
                             if key in stored and stored[key].status == Status.PENDING),
            "stored_after_refusal": sum(1 for row in rows if row.body in refused_bodies),
            "stored_unaccounted": sum(1 for key, row in stored.items()
                                      if key not in accepted and row.body not in unanswered_bodies),
            "events_missing": sum(
                1 for row in rows if row.status != Status.PENDING and (
                    events[(row.id, "comment.created")] != 1
                    or events[(row.id, f"comment.{row.status}")] != 1)),
        }
