"""Perspective-compatible scoring: keys and their quota, analyze and suggestscore.

The web process never scores: ``analyze`` hands the texts to a worker through Redis
(``service.perspective.tasks``) and waits for the scores, or answers 503.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.audit import record
from service.accounts.services import secret_digest
from service.db import utcnow
from service.perspective import tasks
from service.perspective.models import (
    DEFAULT_SITE,
    PerspectiveAnalysis,
    PerspectiveKey,
    SuggestedScore,
)
from service.perspective.schemas import (
    ATTRIBUTES,
    STATUS_LABELS,
    AnalyzeRequest,
    SuggestScoreRequest,
)
from service.perspective.spans import sentence_spans
from service.queueing import ANALYZE_QUEUE, enqueue, forget_job, wait_for_answer
from service.sites.services import site_by_slug

KEY_PREFIX = "psk_"
LAST_USED_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key, not on every request."""
SUPPORTED_LANGUAGES = ("en",)


class PerspectiveError(Exception):
    """An error answered in Google's shape: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def invalid(message: str) -> PerspectiveError:
    return PerspectiveError(400, "INVALID_ARGUMENT", message)


def unavailable(message: str = "The scoring workers did not answer in time; try again.",
                ) -> PerspectiveError:
    return PerspectiveError(503, "UNAVAILABLE", message)


# Keys -------------------------------------------------------------------------------------


def create_key(session: Session, name: str, *, site: str = DEFAULT_SITE, quota: int,
               by: str) -> tuple[PerspectiveKey, str]:
    """Add a key for the site ``site`` (a slug) to the session; return it and its secret
    (shown once, then only hashed).

    Raises:
        ValueError: for a bad name or quota, or a site that does not exist.
    """
    if not name.strip() or len(name) > 80:
        raise ValueError("a key's name has 1 to 80 characters")
    if quota < 1:
        raise ValueError("the quota is at least 1 request per second")
    site_row = site_by_slug(session, site or DEFAULT_SITE)
    if site_row is None:
        raise ValueError(f"no site {site!r}; add it with `moderation sites add`")
    secret = KEY_PREFIX + secrets.token_urlsafe(30)
    key = PerspectiveKey(name=name, site_row=site_row, key_hash=secret_digest(secret),
                         hint=secret[:10], quota_per_second=quota, created_at=utcnow())
    session.add(key)
    session.flush()
    record(session, actor=by, action="perspective_key.created", subject=f"key {key.id}",
           details={"name": name, "site": key.site, "quota_per_second": quota})
    return key, secret


def revoke_key(session: Session, key: PerspectiveKey, *, by: str) -> bool:
    """Revoke ``key`` at once; False when it was revoked already."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    record(session, actor=by, action="perspective_key.revoked", subject=f"key {key.id}",
           details={"name": key.name, "site": key.site})
    return True


def authenticate(session: Session, secret: str | None) -> PerspectiveKey:
    """The active key whose secret is ``secret``; notes when it was last used.

    Raises:
        PerspectiveError: 403 ``PERMISSION_DENIED`` for no key, an unknown or a revoked one.
    """
    if not secret:
        raise PerspectiveError(403, "PERMISSION_DENIED",
                               "The request is missing a valid API key.")
    key = session.scalar(select(PerspectiveKey).where(
        PerspectiveKey.key_hash == secret_digest(secret.strip())))
    if key is None or not key.active:
        raise PerspectiveError(403, "PERMISSION_DENIED",
                               "API key not valid. Please pass a valid API key.")
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        key.last_used_at = now
        session.commit()
    return key


def quota_limiter(connection: Redis) -> MovingWindowRateLimiter:
    """The keys' quota counter: a moving window (``limits``, Flask-Limiter's library) kept
    in ``connection``'s Redis, so that no second's boundary lets twice the quota through."""
    return MovingWindowRateLimiter(RedisStorage("redis://", key_prefix="perspective-quota",
                                                connection_pool=connection.connection_pool))


def check_quota(limiter: MovingWindowRateLimiter, key: PerspectiveKey) -> None:
    """Count a request of ``key`` in the second that ends now.

    Raises:
        PerspectiveError: 429 ``RESOURCE_EXHAUSTED`` beyond the key's requests per second.
    """
    if not limiter.hit(RateLimitItemPerSecond(key.quota_per_second), str(key.id)):
        raise PerspectiveError(
            429, "RESOURCE_EXHAUSTED",
            f"Quota exceeded: this key may make {key.quota_per_second} requests per second.")


# Analyze ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """What a worker answered: the model, the whole text's scores, each span's."""

    model: str
    summary: dict[str, float]
    spans: list[tuple[int, int, dict[str, float]]]


def analyze(session: Session, connection: Redis, key: PerspectiveKey, request: AnalyzeRequest,
            timeout: float) -> dict[str, Any]:
    """Score ``request`` in a worker and answer in Perspective's shape.

    Raises:
        PerspectiveError: 400 for an attribute, score type or language not supported,
            503 when no worker answered within ``timeout`` seconds.
    """
    labels = _requested_labels(request)
    languages = _languages(request.languages)
    scores = score_text(connection, request.comment.text, timeout,
                        per_sentence=request.spanAnnotations)
    missing = [name for name, label in labels.items() if label not in scores.summary]
    if missing:
        raise invalid(f"Attribute {missing[0]} is not supported by the model {scores.model}.")
    attribute_scores: dict[str, Any] = {}
    for name, label in labels.items():
        threshold = request.requestedAttributes[name].scoreThreshold
        if threshold is not None and scores.summary[label] < threshold:
            continue
        attribute_scores[name] = {
            "spanScores": [{"begin": begin, "end": end, "score": _probability(span[label])}
                           for begin, end, span in scores.spans],
            "summaryScore": _probability(scores.summary[label]),
        }
    if not request.doNotStore:
        session.add(PerspectiveAnalysis(
            key_id=key.id, site=key.site, text=request.comment.text,
            scores={label: round(value, 6) for label, value in scores.summary.items()},
            model=scores.model, client_token=request.clientToken,
            community_id=request.communityId, created_at=utcnow()))
        session.commit()
    answer: dict[str, Any] = {"attributeScores": attribute_scores, "languages": languages,
                              "detectedLanguages": ["en"]}
    if request.clientToken is not None:
        answer["clientToken"] = request.clientToken
    return answer


def score_text(connection: Redis, text: str, timeout: float, *,
               per_sentence: bool = True) -> Scores:
    """The scores of ``text`` and (``per_sentence``) of each of its sentences, from a worker.

    Without ``per_sentence`` the one span is the whole text, as in Perspective without
    ``spanAnnotations``; it costs no more scoring.

    The text waits in Redis only until a worker takes it, and the scores only until
    this request reads them; nothing of either is logged.

    Raises:
        PerspectiveError: 503 when no worker answered within ``timeout`` seconds.
    """
    spans = sentence_spans(text) if per_sentence else [(0, len(text))]
    texts = [text]  # one sentence is the whole text, scored once; else each one too
    if len(spans) > 1:
        texts += [text[begin:end].strip() for begin, end in spans]
    request_id = uuid.uuid4().hex
    payload = json.dumps({"id": request_id, "texts": texts, "deadline": time.time() + timeout})
    pipeline = connection.pipeline()
    pipeline.rpush(tasks.PENDING_KEY, payload)
    pipeline.expire(tasks.PENDING_KEY, max(60, round(timeout * 4)))
    pipeline.execute()
    job = tasks.analyze_job(request_id, timeout)
    try:
        enqueue([job], connection=connection)
        raw = wait_for_answer(connection, tasks.result_key(request_id),
                              time.monotonic() + timeout)
    finally:
        connection.lrem(tasks.PENDING_KEY, 1, payload)  # taken already, unless it timed out
        forget_job(connection, ANALYZE_QUEUE, job.job_id)
    if raw is None:
        raise unavailable()
    answer = json.loads(raw)
    if "error" in answer:
        raise unavailable(f"The scoring worker could not score the text ({answer['error']}).")
    rows: list[dict[str, float]] = answer["scores"]
    span_rows = rows[1:] if len(rows) > 1 else rows
    return Scores(model=answer["model"], summary=rows[0],
                  spans=[(begin, end, row)
                         for (begin, end), row in zip(spans, span_rows, strict=True)])


def _requested_labels(request: AnalyzeRequest) -> dict[str, str]:
    labels = {}
    for name, wanted in request.requestedAttributes.items():
        if name not in ATTRIBUTES:
            raise invalid(f"Unknown requested attribute: {name}")
        if wanted.scoreType != "PROBABILITY":
            raise invalid(f"Unsupported score type for {name}: {wanted.scoreType} "
                          "(only PROBABILITY).")
        labels[name] = ATTRIBUTES[name]
    return labels


def _languages(languages: list[str]) -> list[str]:
    unsupported = [language for language in languages
                   if language.lower().split("-")[0] not in SUPPORTED_LANGUAGES]
    if unsupported:
        raise invalid(f"Attribute does not support request languages: {', '.join(unsupported)} "
                      f"(supported: {', '.join(SUPPORTED_LANGUAGES)}).")
    return ["en"]


def _probability(value: float) -> dict[str, Any]:
    return {"value": round(value, 6), "type": "PROBABILITY"}


# Suggest score ----------------------------------------------------------------------------


def suggest_score(session: Session, key: PerspectiveKey,
                  request: SuggestScoreRequest) -> dict[str, str]:
    """Store each suggested score as a label of the text; answer ``{"clientToken"}``.
    With ``doNotStore``, nothing is kept (a label is of no use without its text).

    Raises:
        PerspectiveError: 400 for an attribute that is neither Perspective's nor Coral's
            decision (``APPROVED``, ``DELETED``).
    """
    rows = []
    for name, suggested in request.attributeScores.items():
        if name in STATUS_LABELS:
            label, value = "toxicity", STATUS_LABELS[name]
        elif name in ATTRIBUTES:
            label, value = ATTRIBUTES[name], suggested.summaryScore.value
        else:
            raise invalid(f"Unknown attribute: {name}")
        rows.append(SuggestedScore(
            key_id=key.id, site=key.site, attribute=name, label=label, value=value,
            text=request.comment.text, client_token=request.clientToken,
            community_id=request.communityId,
            context=request.context.model_dump() if request.context else None,
            created_at=utcnow()))
    if not request.doNotStore:
        session.add_all(rows)
        session.commit()
    return {} if request.clientToken is None else {"clientToken": request.clientToken}
