"""A nudge before posting: the writer may revise a text that would be held or rejected.

A POST with ``"nudge": true`` first asks a scoring worker how the site's deciders (its
policy, target and promoted candidate) would decide the text, leaving pre-moderation
out: the nudge is about the text alone. When they would hold or reject it for what it
says (a label's score, or one of the site's words), the writer gets a nudge and nothing
of the comment is stored: the web process scores nothing, and waits on a job of the
high-priority ``analyze`` queue (``service.comments.tasks``) for at most the site's
``nudge_timeout_ms``; without an answer the comment is posted as usual (fail open).

Each nudge shown is one ``nudges`` row, with no text. Its outcome is learnt from the
writer's next POST, which echoes its id (``nudge_id``): the same text posted is
*posted anyway*, another text (posted, or nudged again) is *revised*. To tell them
apart, a keyed hash of the nudged text waits in Redis for ``WINDOW``; nudges with no
next POST by then are *abandoned* (``abandon_stale_nudges``, run by the sweeper).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import update
from sqlalchemy.orm import Session

from service import db, metrics
from service.comments.models import Nudge, NudgeOutcome
from service.comments.nudge_words import nudge_text
from service.comments.readers import reader_settings
from service.comments.schemas import NewComment, NudgeShown
from service.comments.tasks import NUDGE_PENDING_KEY, nudge_job, nudge_result_key
from service.policy import Outcome
from service.queueing import ANALYZE_QUEUE, enqueue, forget_job, redis, wait_for_answer
from service.sites.models import Site

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=30)
"""How long after a nudge the writer's next POST still counts as its outcome."""


def nudge_first(session: Session, site: Site, new: NewComment,
                config: Mapping[str, Any]) -> NudgeShown | None:
    """The nudge for ``new``, or None when it is to be posted (no nudge asked, nudges off
    on the site, nothing in the text to hold, or no answer in time).

    Call it once the POST's gate has passed (who posts, and to which thread: 401, 403
    come first): it rolls back the request's session, so that nothing the request began
    is stored and no transaction waits with the worker; the caller passes the gate again
    to post.
    """
    settings = reader_settings(session, site.id)
    site_id, locale = site.id, site.locale
    session.rollback()
    if not new.nudge or not settings.nudges:
        return None
    connection = redis()
    digest = _digest(new.body, config)
    try:
        earlier = connection.get(_digest_key(new.nudge_id)) if new.nudge_id else None
        verdict = _ask(connection, site_id, new.body, settings.nudge_timeout_ms / 1000)
    except RedisError as error:
        log.warning("nudge skipped: Redis unavailable (%s)", error.__class__.__name__)
        verdict = None
    if verdict is None or "error" in verdict:
        metrics.NUDGES_UNANSWERED.inc()
        return None
    if verdict["outcome"] == Outcome.APPROVED or not (verdict["labels"] or verdict["words"]):
        return None
    message, reasons = nudge_text(locale, verdict["labels"], verdict["words"])
    if new.nudge_id is not None and earlier == digest:
        # The same text submitted again: the same nudge, counted once.
        return NudgeShown(id=new.nudge_id, message=message, reasons=reasons)
    nudge = Nudge(id=uuid.uuid4(), site_id=site_id, created_at=db.utcnow())
    with db.transaction() as writing:
        writing.add(nudge)
        revised = earlier is not None and new.nudge_id is not None and _settle(
            writing, site_id, new.nudge_id, NudgeOutcome.REVISED)
    metrics.NUDGES_SHOWN.inc()
    if revised:
        metrics.NUDGE_OUTCOMES.labels(NudgeOutcome.REVISED.value).inc()
    with contextlib.suppress(RedisError):  # else its outcome will read as abandoned
        pipeline = connection.pipeline()
        if revised and new.nudge_id is not None:
            pipeline.delete(_digest_key(new.nudge_id))
        pipeline.set(_digest_key(nudge.id), digest, ex=WINDOW)
        pipeline.execute()
    return NudgeShown(id=nudge.id, message=message, reasons=reasons)


def after_posting(site_id: int, new: NewComment, config: Mapping[str, Any]) -> None:
    """Record what the writer did after the nudge ``new.nudge_id``, now that ``new`` is
    stored: posted it anyway (the same text), or revised it."""
    if new.nudge_id is None:
        return
    key = _digest_key(new.nudge_id)
    try:
        earlier = redis().get(key)
    except RedisError:
        return
    if earlier is None:  # not a nudge of ours, or one settled or expired already
        return
    outcome = (NudgeOutcome.POSTED_ANYWAY if earlier == _digest(new.body, config)
               else NudgeOutcome.REVISED)
    with db.transaction() as session:
        settled = _settle(session, site_id, new.nudge_id, outcome)
    if settled:
        metrics.NUDGE_OUTCOMES.labels(outcome.value).inc()
    with contextlib.suppress(RedisError):
        redis().delete(key)


def abandon_stale_nudges(session: Session) -> int:
    """Call abandoned the nudges that no POST followed within ``WINDOW``; return how many
    (the caller commits)."""
    now = db.utcnow()
    result = session.execute(
        update(Nudge)
        .where(Nudge.outcome.is_(None), Nudge.created_at < now - WINDOW)
        .values(outcome=NudgeOutcome.ABANDONED.value, settled_at=now)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def _settle(session: Session, site_id: int, nudge_id: uuid.UUID, outcome: NudgeOutcome) -> bool:
    """Give the site's unsettled nudge ``nudge_id`` its outcome; whether it had none yet."""
    result = session.execute(
        update(Nudge)
        .where(Nudge.id == nudge_id, Nudge.site_id == site_id, Nudge.outcome.is_(None))
        .values(outcome=outcome.value, settled_at=db.utcnow())
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _ask(connection: Redis, site_id: int, text: str, timeout: float) -> dict[str, Any] | None:
    """A worker's verdict on ``text`` under the site's deciders, or None after ``timeout``
    seconds. The text waits in Redis only until a worker takes it."""
    request_id = uuid.uuid4().hex
    payload = json.dumps({"id": request_id, "site_id": site_id, "text": text,
                          "deadline": time.time() + timeout})
    pipeline = connection.pipeline()
    pipeline.rpush(NUDGE_PENDING_KEY, payload)
    pipeline.expire(NUDGE_PENDING_KEY, max(60, round(timeout * 4)))
    pipeline.execute()
    job = nudge_job(request_id, timeout)
    try:
        enqueue([job], connection=connection)
        raw = wait_for_answer(connection, nudge_result_key(request_id),
                              time.monotonic() + timeout)
    finally:
        connection.lrem(NUDGE_PENDING_KEY, 1, payload)  # taken already, unless it timed out
        forget_job(connection, ANALYZE_QUEUE, job.job_id)
    answer: dict[str, Any] | None = None if raw is None else json.loads(raw)
    return answer


def _digest(text: str, config: Mapping[str, Any]) -> bytes:
    """A keyed hash of ``text``: enough to tell whether the writer changed it, never it."""
    return hmac.new(str(config["SECRET_KEY"]).encode(), text.encode(), hashlib.sha256).digest()


def _digest_key(nudge_id: uuid.UUID) -> str:
    return f"comments:nudge:digest:{nudge_id}"
