"""The explain queue's job: which words drove the model's holds, found after the decision.

The scoring job decides a batch and asks, after its commit, for one job that explains
the comments the model held (``service.comments.tasks.explain_job``), so that the
occlusion's extra forward passes (``workers.scoring.explain``) never slow a decision.
A worker serves the explain queue only when no comment waits to be scored. An
explanation stays NULL until it is written (an empty list: no word weighed enough);
the sweeper queues again the ones still missing (``workers.sweeper.sweep_explanations``).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, cast

from flask import current_app
from sqlalchemy import Select, Table, bindparam, exists, select, update

from service import db
from service.comments.models import Comment, Decision, Status
from service.policy import MODEL_ACTOR
from workers.scoring.explain import explain_all
from workers.scoring.scorer import load_scorer

log = logging.getLogger(__name__)

LABEL = "toxicity"
"""The score an explanation accounts for."""


def unexplained(*columns: Any) -> Select[Any]:
    """``columns`` of the model's decisions still to explain: a hold, scored, with no
    explanation yet, of a comment still held (the job and the sweeper select alike)."""
    return (select(*columns).join_from(Decision, Comment, Decision.comment_id == Comment.id)
            .where(Decision.actor == MODEL_ACTOR, Decision.outcome == Status.HELD,
                   Decision.scores.is_not(None), Decision.explanation.is_(None),
                   Comment.status == Status.HELD))


def explain_held(*comment_ids: str) -> int:
    """Explain the model's holds of ``comment_ids`` that are still to explain, in one
    transaction; return how many it explained.

    Idempotent: a decision already explained, or whose comment is no longer held (a
    moderator or readers got there first), is left alone, so running the job again
    changes nothing. A decision without a toxicity score gets an empty explanation.

    Args:
        comment_ids: the comments, as the scoring job or the sweeper grouped them.
    """
    session = db.session()
    rows = session.execute(unexplained(Decision.id, Comment.body, Decision.scores).where(
        Decision.comment_id.in_([uuid.UUID(comment_id) for comment_id in comment_ids]))
        .order_by(Decision.id)).all()
    session.rollback()  # no transaction stays open while the model runs
    if not rows:
        return 0
    scorable = [row for row in rows if LABEL in row.scores]
    spans = dict(zip((row.id for row in scorable),
                     explain_all(load_scorer(current_app.config), [row.body for row in scorable],
                                 LABEL), strict=True))
    table = cast(Table, Decision.__table__)
    with db.transaction():
        session.execute(
            update(table)
            .where(table.c.id == bindparam("decision_id"), table.c.explanation.is_(None),
                   exists().where(Comment.id == table.c.comment_id,
                                  Comment.status == Status.HELD))
            .values(explanation=bindparam("spans", type_=table.c.explanation.type)),
            [{"decision_id": row.id, "spans": spans.get(row.id, [])} for row in rows])
    log.info("explained %d held comments", len(rows))
    return len(rows)
