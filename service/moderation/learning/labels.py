"""Moderators' decisions as labels: the comments the model scored and a moderator decided."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import READERS_ACTOR, Comment, Decision, Status
from service.comments.spam import SPAM_ACTOR_MODEL
from service.moderation.learning.models import DEFAULT_SITE
from service.policy import MODEL_ACTOR, RESCORING_ACTOR, Policy
from service.sites.models import Site
from service.sites.services import policy_of, site_named

AUTOMATED = (MODEL_ACTOR, RESCORING_ACTOR, READERS_ACTOR)


@dataclass(frozen=True)
class Labelled:
    """A comment the model scored and a moderator then decided."""

    comment_id: uuid.UUID
    body: str
    created_at: datetime
    scores: dict[str, float]
    """The label scores of the last model decision before the moderator's."""
    live_outcome: str
    """That model decision's outcome."""
    rejected: bool
    """Whether the moderator's last decision rejected it (else approved it)."""
    decided_at: datetime
    vector: Any = None
    """Its sentence vector (float32), from the forward pass that gave ``scores``; None: none
    of the space asked for."""
    source: str = "comment"
    """``comment``, or ``perspective``: a label sent by a Perspective client."""


def learning_site(session: Session, site: str | None) -> Site:
    """The site that the slug ``site`` names (None: the site ``default``).

    Raises:
        UnknownSite: when there is no such site.
    """
    return site_named(session, site or DEFAULT_SITE)


def site_policy(session: Session, config: Mapping[str, Any], site: str | None) -> Policy:
    """The live policy of the site ``site`` (None: ``default``), that candidates build on.

    Raises:
        UnknownSite: when there is no such site.
    """
    return policy_of(learning_site(session, site), config)


def decided_comments(session: Session, site: str | None = None) -> list[Labelled]:
    """Every comment of ``site`` that the model scored and a moderator decided, oldest first.

    The one place that picks a site's comments for learning (None: the site ``default``).

    Raises:
        UnknownSite: when there is no such site.
    """
    by_people = (select(Decision.comment_id).join(Comment, Comment.id == Decision.comment_id)
                 .where(Decision.actor.not_in(AUTOMATED),
                        Comment.site_id == learning_site(session, site).id).distinct())
    history: dict[uuid.UUID, list[Decision]] = defaultdict(list)
    for decision in session.scalars(select(Decision).where(Decision.comment_id.in_(by_people))
                                    .order_by(Decision.created_at, Decision.id)):
        history[decision.comment_id].append(decision)
    comments = {comment.id: comment for comment in session.scalars(
        select(Comment).where(Comment.id.in_(list(history))))} if history else {}
    labelled = []
    for comment_id, decisions in history.items():
        first_human = next(k for k, d in enumerate(decisions) if d.actor not in AUTOMATED)
        model = next((d for d in reversed(decisions[:first_human])
                      if d.actor in (MODEL_ACTOR, RESCORING_ACTOR) and d.scores
                      and d.model != SPAM_ACTOR_MODEL), None)
        final = next(d for d in reversed(decisions) if d.actor not in AUTOMATED)
        if model is None or final.outcome not in (Status.APPROVED, Status.REJECTED):
            continue
        comment = comments[comment_id]
        labelled.append(Labelled(comment_id, comment.body, comment.created_at,
                                 dict(model.scores or {}), model.outcome,
                                 final.outcome == Status.REJECTED, final.created_at))
    return sorted(labelled, key=lambda row: (row.created_at, str(row.comment_id)))


def held_back(rows: Sequence[Labelled], share: float, seed: int) -> list[bool]:
    """Per row, whether it is held back from the fit: a seeded hash of its id, so that the
    same comment stays on the same side for a seed."""
    def draw(row: Labelled) -> float:
        digest = hashlib.sha256(f"{seed}:{row.comment_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    return [draw(row) < share for row in rows]


def training_rows(session: Session, site: str | None, space: str, policy: Policy
                  ) -> tuple[list[Labelled], int]:
    """The site's labelled texts with their vectors in ``space``: decided comments (their
    scores replaced by those of the pass that gave the vector) and the labels Perspective
    clients sent for the site (``comments:suggestscore``), oldest first; and how many
    decided comments have no vector in ``space`` yet (rescoring writes them).

    Raises:
        UnknownSite: when there is no such site.
    """
    from service.moderation.learning.models import SentenceVector
    from service.moderation.learning.vectors import comment_vectors, dequantise
    from service.policy import decide

    slug = learning_site(session, site).slug
    comments = [row for row in decided_comments(session, slug) if row.body]
    found = comment_vectors(session, [row.comment_id for row in comments], space)
    rows = [replace(row, scores=dict(found[row.comment_id].scores),
                    vector=dequantise(found[row.comment_id].data, found[row.comment_id].scale))
            for row in comments if row.comment_id in found]
    for label in session.scalars(select(SentenceVector).where(
            SentenceVector.label_id.is_not(None), SentenceVector.site == slug,
            SentenceVector.space == space).order_by(SentenceVector.created_at)):
        scores = dict(label.scores)
        rows.append(Labelled(
            uuid.uuid5(uuid.NAMESPACE_OID, f"perspective-label:{label.label_id}"), "",
            label.created_at, scores, decide(scores, policy).outcome.value,
            bool(label.rejected), label.created_at, dequantise(label.data, label.scale),
            "perspective"))
    rows.sort(key=lambda row: (row.created_at, str(row.comment_id)))
    return rows, len(comments) - len(found)
