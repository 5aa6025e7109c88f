"""Building a candidate from a site's moderator decisions: the guard on how many there are,
the fit on all but a seeded held-back part (``learning.fitting``), and the check on that
part. Run by ``moderation model adapt`` and by a worker's adapt job (the schedule, the
dashboard's button); it imports scikit-learn, which the scoring path never does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import audit
from service.db import utcnow
from service.moderation.learning.candidates import CandidateError, evaluate
from service.moderation.learning.labels import held_back, learning_site, training_rows
from service.moderation.learning.models import Candidate
from service.moderation.learning.targets import site_target
from service.moderation.learning.vectors import current_space
from service.policy import Policy

MIN_EACH = 50
"""Fewest rejections, and fewest approvals, a candidate is built from
(``LEARNING_MIN_DECISIONS``)."""
HOLD_BACK = 0.3


def build_candidate(session: Session, policy: Policy, *, site: str | None = None, by: str,
                    seed: int = 0, hold_back: float = HOLD_BACK, minimum: int = MIN_EACH,
                    space: str | None = None) -> Candidate:
    """Fit a candidate on a site's labelled texts in the vector ``space`` (default: the one
    the workers' model gives now), evaluate it on the part held back; the caller commits.
    The live ``policy`` keeps its rejections and safety-net holds.

    Raises:
        CandidateError: with fewer than ``minimum`` rejections or approvals, or no vectors.
    """
    slug = learning_site(session, site).slug
    space = space or current_space(session)
    if space is None:
        raise CandidateError("no sentence vectors yet: a worker writes them as it scores "
                             "comments")
    rows, waiting = training_rows(session, slug, space, policy)
    rejections = sum(row.rejected for row in rows)
    approvals = len(rows) - rejections
    if min(rejections, approvals) < minimum:
        more = (f"; {waiting} decided comments have no vector of this model yet (`moderation "
                "rescore` writes them)") if waiting else ""
        raise CandidateError(f"{rejections} rejections and {approvals} approvals by "
                             f"moderators; a candidate needs {minimum} of each{more}")
    back = held_back(rows, hold_back, seed)
    train = [row for row, out in zip(rows, back, strict=True) if not out]
    test = [row for row, out in zip(rows, back, strict=True) if out]
    if not test or len({row.rejected for row in test}) < 2:
        raise CandidateError("the held-back part needs both approved and rejected comments; "
                             "try another --seed or a larger --hold-back")
    from service.moderation.learning.fitting import fit_vector_head

    try:
        head, _ = fit_vector_head(train, policy, site_target(policy), space, seed)
    except ValueError as error:
        raise CandidateError(str(error)) from error
    name = f"{slug}-{utcnow():%Y%m%d-%H%M%S}-{len(rows)}"
    if session.scalar(select(Candidate.id).where(Candidate.name == name)):
        name = f"{name}-{seed}"
    report = {"seed": seed, "hold_back": hold_back, "trained_on": len(train),
              "space": space, "target": vars(site_target(policy)), "C": head.C,
              "from_perspective": sum(row.source == "perspective" for row in rows),
              "held_back": [str(row.comment_id) for row in test],
              "train": evaluate(head, name, train, policy, seed),
              "evaluation": evaluate(head, name, test, policy, seed)}
    candidate = Candidate(name=name, site=slug, params=head.as_params(), report=report,
                          created_by=by, created_at=utcnow(), space=space)
    session.add(candidate)
    session.flush()
    audit.record(session, actor=by, action="candidate.built", subject=name,
                 details={"site": slug, "trained_on": len(train), "held_back": len(test),
                          "space": space})
    return candidate
