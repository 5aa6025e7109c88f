"""Sentence vectors at rest: int8 with one scale per vector, written beside each model
decision, read back for learning, and dropped when no longer needed.

A vector of ``d`` floats is stored as ``d`` bytes (``round(v / scale)``, ``scale =
max |v| / 127``) plus its scale: 384 bytes for MiniLM's 384 dimensions; with the row's
label scores, space name and keys about 600 bytes a comment in the database (docs/model.md).
The rounding moves each value by at most half a step (``scale / 2``), far less than what
separates comments.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy
from sqlalchemy import and_, delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from service.comments.models import READERS_ACTOR, Comment, Decision
from service.moderation.learning.models import SentenceVector
from service.policy import MODEL_ACTOR, RESCORING_ACTOR

NOT_MODERATORS = (MODEL_ACTOR, RESCORING_ACTOR, READERS_ACTOR)


def quantise(vector: Any) -> tuple[bytes, float]:
    """``vector`` as int8 bytes and the scale that restores it."""
    values = numpy.asarray(vector, dtype=numpy.float32)
    top = float(numpy.abs(values).max()) if values.size else 0.0
    scale = top / 127 if top > 0 else 1.0
    return numpy.clip(numpy.rint(values / scale), -127, 127).astype(numpy.int8).tobytes(), scale


def dequantise(data: bytes, scale: float) -> Any:
    """The float32 vector that ``quantise`` stored."""
    return numpy.frombuffer(data, dtype=numpy.int8).astype(numpy.float32) * numpy.float32(scale)


def store_comment_vectors(session: Session, space: str,
                          rows: Sequence[tuple[uuid.UUID, Mapping[str, float], Any]],
                          now: datetime, only_missing: bool = False) -> int:
    """One INSERT of ``(comment id, scores, vector)`` rows in ``space``; the caller commits
    (with the decisions they belong to). ``only_missing``: leave out the comments that have
    a vector of ``space`` already (rescoring; the scoring job decides a comment once)."""
    if only_missing and rows:
        have = set(comment_vectors(session, [row[0] for row in rows], space))
        rows = [row for row in rows if row[0] not in have]
    values = []
    for comment_id, scores, vector in rows:
        data, scale = quantise(vector)
        values.append({"comment_id": comment_id, "space": space, "scale": scale, "data": data,
                       "scores": {k: round(float(v), 6) for k, v in scores.items()},
                       "created_at": now})
    if values:
        session.execute(insert(SentenceVector), values)
    return len(values)


def current_space(session: Session) -> str | None:
    """The space of the newest vector the workers wrote: the model they run now (None: no
    vector yet)."""
    return session.scalar(select(SentenceVector.space)
                          .order_by(SentenceVector.created_at.desc(), SentenceVector.id.desc())
                          .limit(1))


def comment_vectors(session: Session, ids: Sequence[uuid.UUID], space: str
                    ) -> dict[uuid.UUID, SentenceVector]:
    """The vectors of these comments in ``space``, by comment id."""
    found: dict[uuid.UUID, SentenceVector] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(SentenceVector).where(
                SentenceVector.comment_id.in_(list(ids[start:start + 500])),
                SentenceVector.space == space)):
            if row.comment_id is not None:
                found[row.comment_id] = row
    return found


def prune(session: Session, keep_days: int, now: datetime) -> int:
    """Delete the vectors learning no longer needs; the caller commits. Return how many.

    Those of comments no moderator decided, written more than ``keep_days`` ago (0: kept),
    and at once those of erased comments (``commenters.services.erase`` empties the body;
    the vector came from it).
    """
    decided = exists().where(Decision.comment_id == SentenceVector.comment_id,
                             Decision.actor.not_in(NOT_MODERATORS))
    erased = exists().where(Comment.id == SentenceVector.comment_id, Comment.body == "")
    conditions: list[Any] = [erased]
    if keep_days > 0:
        conditions.append(and_(SentenceVector.created_at < now - timedelta(days=keep_days),
                               ~decided))
    done = session.execute(delete(SentenceVector).where(
        SentenceVector.comment_id.is_not(None), or_(*conditions))
        .execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0) or 0)
