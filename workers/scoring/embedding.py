"""Sentence vectors of what learning needs and the current model has not given yet: the
comments moderators decided (after the model changed) and the labels Perspective clients
sent with ``comments:suggestscore``.

A label is a training decision of its key's site: ``rejected`` when the client's verdict
is ``DELETED``/``REJECTED`` or a toxicity of 0.5 or more, approved when ``APPROVED``/
``HIGHLIGHTED`` or below 0.5; the latest label of a text counts. Only labels whose text
was kept (``service.perspective``: nothing is kept when the client asked not to store it)
can be learned from; the vector row keeps nothing of the text.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import insert, select

from service import db
from service.moderation.learning.labels import decided_comments, learning_site
from service.moderation.learning.models import SentenceVector
from service.moderation.learning.vectors import comment_vectors, quantise, store_comment_vectors
from workers.scoring.scorer import load_scorer
from workers.scoring.verdicts import latest_verdicts, prune_label_vectors

log = logging.getLogger(__name__)

def embed_missing(site: str | None) -> int:
    """Write the current model's vectors of the site's decided comments and Perspective
    labels that have none; return how many were written."""
    config = current_app.config
    scorer = load_scorer(config)
    space, batch, session = scorer.vector_space, config["SCORING_BATCH_SIZE"], db.session()
    slug = learning_site(session, site).slug
    decided = [row for row in decided_comments(session, slug) if row.body]
    have = comment_vectors(session, [row.comment_id for row in decided], space)
    missing = [(row.comment_id, row.body) for row in decided if row.comment_id not in have]
    labels = _unembedded_labels(slug, space)
    session.rollback()
    written = 0
    for start in range(0, len(missing), batch):
        part = missing[start:start + batch]
        scores, vectors = scorer.score_and_embed([body for _, body in part])
        with db.transaction():
            written += store_comment_vectors(session, space, [
                (comment_id, row, vector) for (comment_id, _), row, vector
                in zip(part, scores, vectors, strict=True)], db.utcnow(), only_missing=True)
    for start in range(0, len(labels), batch):
        texts = labels[start:start + batch]
        scores, vectors = scorer.score_and_embed([text for _, _, text in texts])
        with db.transaction():
            rows = []
            for (label_id, rejected, _), row, vector in zip(texts, scores, vectors, strict=True):
                data, scale = quantise(vector)
                rows.append({"label_id": label_id, "site": slug, "rejected": rejected,
                             "space": space, "scale": scale, "data": data,
                             "scores": {k: round(float(v), 6) for k, v in row.items()},
                             "created_at": db.utcnow()})
            session.execute(insert(SentenceVector), rows)
            written += len(rows)
    if labels:  # a new verdict replaces the text's earlier one: learn from it alone
        with db.transaction():
            prune_label_vectors(session)
    if written:
        log.info("wrote %d sentence vectors of %s for site %s", written, space, slug)
    return written


def _unembedded_labels(slug: str, space: str) -> list[tuple[int, bool, str]]:
    """``(label id, rejected, text)`` of the site's latest verdict on each kept text that
    has no vector of ``space``."""
    session = db.session()
    latest = latest_verdicts(session, slug)
    done = set(session.scalars(select(SentenceVector.label_id).where(
        SentenceVector.site == slug, SentenceVector.space == space,
        SentenceVector.label_id.is_not(None))))
    return [(label.id, label.value >= 0.5, text) for text, label in latest.items()
            if label.id not in done and text.strip()]

