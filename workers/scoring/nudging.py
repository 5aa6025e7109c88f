"""The nudge job: decide every nudge request waiting, in one pass, as the scoring job would.

A writer's first submit asks whether the site would hold or reject the text for its
content (``service.comments.nudge``). The requests wait in a Redis list
(``service.comments.tasks``); the first job to run takes every request then waiting,
scores them in one forward pass and decides each with its site's deciders (its policy,
target and promoted candidate), with no pre-moderation: the nudge is about the text
alone. The texts are never logged, and neither the job's arguments nor its result hold
them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any, cast

from flask import current_app
from sqlalchemy import select

from service import db
from service.comments.tasks import (
    MAX_NUDGES_PER_JOB,
    NUDGE_PENDING_KEY,
    NUDGE_RESULT_TTL_SECONDS,
    nudge_result_key,
)
from service.moderation.learning.scoring import Deciders, deciders
from service.policy import Outcome, Verdict
from service.queueing import redis
from service.sites.models import Site
from service.sites.services import policy_of
from workers.scoring.scorer import load_scorer

log = logging.getLogger(__name__)


def nudge_waiting() -> dict[str, int]:
    """Decide the nudge requests waiting, push each its verdict, and say how many.

    Requests whose writer has stopped waiting are dropped unscored. When scoring fails,
    every request taken is told so at once (it posts the comment: the nudge fails
    open), and the error's class (not its message, which might quote a text) is raised
    for RQ to record.

    Returns:
        ``{"requests": n}``: the requests answered.
    """
    connection = redis()
    raw = cast("list[bytes] | None", connection.lpop(NUDGE_PENDING_KEY, MAX_NUDGES_PER_JOB))
    now = time.time()
    requests = [request for request in map(json.loads, raw or []) if request["deadline"] > now]
    if not requests:
        return {"requests": 0}
    pipeline = connection.pipeline()
    try:
        scores = load_scorer(current_app.config).score([request["text"] for request in requests])
        answers = [_answer(verdict) for verdict in _verdicts(requests, scores)]
    except Exception as error:
        answers = [{"error": error.__class__.__name__}] * len(requests)
        _push(pipeline, requests, answers)
        # Not the error itself: its message might quote a text.
        raise RuntimeError(f"nudge failed: {error.__class__.__name__}") from None
    _push(pipeline, requests, answers)
    log.info("decided %d nudge requests in one pass", len(requests))
    return {"requests": len(requests)}


def _verdicts(requests: list[dict[str, Any]],
              scores: list[Mapping[str, float]]) -> list[Verdict]:
    """Each request's verdict under its site's deciders, without pre-moderation."""
    session = db.session()
    try:
        sites = session.scalars(select(Site).where(
            Site.id.in_({request["site_id"] for request in requests}))).all()
        by_site: dict[int, Deciders] = {
            site.id: deciders(session, policy_of(site, current_app.config), site.slug)
            for site in sites}
        return [by_site[request["site_id"]].decide(row, request["text"])
                if request["site_id"] in by_site else Verdict(Outcome.APPROVED, "no such site")
                for request, row in zip(requests, scores, strict=True)]
    finally:
        session.rollback()


def _answer(verdict: Verdict) -> dict[str, Any]:
    """What the web request needs of a verdict: its outcome, the labels that caused it, and
    whether the site's words did (never which)."""
    return {"outcome": verdict.outcome.value, "labels": list(verdict.labels),
            "words": bool(verdict.words)}


def _push(pipeline: Any, requests: list[dict[str, Any]], answers: list[dict[str, Any]]) -> None:
    for request, answer in zip(requests, answers, strict=True):
        key = nudge_result_key(request["id"])
        pipeline.rpush(key, json.dumps(answer))
        pipeline.expire(key, NUDGE_RESULT_TTL_SECONDS)
    pipeline.execute()
