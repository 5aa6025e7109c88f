"""Perspective clients' verdicts as training decisions (the workers bridge the perspective
and moderation domains): which labels count, and pruning the vectors of those that no
longer do.

A verdict is a ``comments:suggestscore`` label of ``toxicity``; the latest verdict of a
site on a text counts, as a moderator's latest decision on a comment counts. Its vector
is kept like a decided comment's (it is a training decision), but only while it counts.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session, aliased

from service.moderation.learning.models import SentenceVector
from service.perspective.models import SuggestedScore

VERDICT_LABEL = "toxicity"
"""The label of the suggested scores that are verdicts (Coral's statuses map to it)."""


def latest_verdicts(session: Session, slug: str) -> dict[str, SuggestedScore]:
    """Text -> the site's latest verdict on it, for the texts that were kept."""
    latest: dict[str, SuggestedScore] = {}
    for label in session.scalars(select(SuggestedScore).where(
            SuggestedScore.site == slug, SuggestedScore.label == VERDICT_LABEL,
            SuggestedScore.text != "").order_by(SuggestedScore.created_at, SuggestedScore.id)):
        latest[label.text] = label
    return latest


def prune_label_vectors(session: Session) -> int:
    """Delete the vectors of labels that no longer count; the caller commits. Return how
    many: those of a label a newer verdict on the same text replaced (it is not trained on
    twice), and those of a label whose text is gone (emptied: the vector came from it).
    So a site keeps at most one label vector per kept text and model."""
    label, newer = SuggestedScore, aliased(SuggestedScore)
    replaced = exists().where(
        newer.site == label.site, newer.label == label.label, newer.text == label.text,
        or_(newer.created_at > label.created_at,
            and_(newer.created_at == label.created_at, newer.id > label.id)))
    gone = select(label.id).where(or_(label.text == "", replaced))
    done = session.execute(delete(SentenceVector).where(SentenceVector.label_id.in_(gone))
                           .execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0) or 0)
