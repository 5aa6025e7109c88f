"""Candidates: built from a site's moderator decisions, put in shadow, reported on, promoted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import audit
from service.db import utcnow
from service.moderation.learning.head import Head, decide_with, fit_bands, forced
from service.moderation.learning.labels import (
    Labelled,
    decided_comments,
    held_back,
    learning_site,
)
from service.moderation.learning.models import DEFAULT_SITE, Candidate, CandidateStatus
from service.policy import DEFAULT_TARGET, Outcome, Policy, target_named

MIN_DECISIONS = 50
"""Fewest moderator decisions a candidate is built from (training and held-back together)."""
HOLD_BACK = 0.3


class CandidateError(ValueError):
    """A candidate that cannot be built, found or moved as asked; the message says why."""


def agrees(outcome: str, rejected: bool) -> bool:
    """Whether a decision matches a moderator's: published when they approved it, held or
    rejected when they rejected it (a hold they then approved is a disagreement)."""
    return (outcome == Outcome.APPROVED) != rejected


def evaluate(head: Head, name: str, rows: Sequence[Labelled], policy: Policy) -> dict[str, Any]:
    """The live decisions and the candidate's against the moderators' on ``rows``."""
    candidate = [decide_with(head, name, row.scores, policy, row.body)[0].outcome for row in rows]
    live = [row.live_outcome for row in rows]
    rejected = [row.rejected for row in rows]

    def figures(outcomes: Sequence[str]) -> dict[str, Any]:
        return {
            "agreement": _share(sum(agrees(o, r) for o, r in zip(outcomes, rejected,
                                                                   strict=True)), len(rows)),
            "published_rejected": sum(o == Outcome.APPROVED and r
                                      for o, r in zip(outcomes, rejected, strict=True)),
            "not_published_approved": sum(o != Outcome.APPROVED and not r
                                          for o, r in zip(outcomes, rejected, strict=True)),
            "outcomes": {o.value: outcomes.count(o) for o in Outcome},
        }

    return {"compared": len(rows), "moderators_rejected": sum(rejected),
            "live": figures(live), "candidate": figures(candidate),
            "would_change": sum(a != b for a, b in zip(live, candidate, strict=True))}


def miss_share(policy: Policy) -> float:
    """The share of moderators' rejections a candidate may publish: the site's target's
    share of toxic comments published (the default target's for thresholds set by hand)."""
    return target_named(policy.target or DEFAULT_TARGET).toxic_published


def fit_candidate(train: Sequence[Labelled], policy: Policy,
                  missed: float | None = None) -> Head:
    """The head fitted on ``train``, with its bands (``head.fit_bands``) under ``policy``,
    publishing at most ``missed`` (default: ``miss_share(policy)``) of the rejected.

    Raises:
        CandidateError: when the rows cannot make a head.
    """
    try:
        head = Head.fit([row.scores for row in train], [row.rejected for row in train])
    except ValueError as error:
        raise CandidateError(str(error)) from error
    return head.with_bands(*fit_bands(
        [head.probability(row.scores) for row in train], [row.rejected for row in train],
        [row.live_outcome == Outcome.APPROVED for row in train],
        [forced(row.scores, policy, row.body) is not None for row in train],
        miss_share(policy) if missed is None else missed))


def build_candidate(session: Session, policy: Policy, *, site: str | None = None, by: str,
                    seed: int = 0, hold_back: float = HOLD_BACK) -> Candidate:
    """Fit a head on a site's decided comments, evaluate it on the part held back; the
    caller commits. The live ``policy`` keeps its rejections and safety-net holds.

    Raises:
        CandidateError: with too few decisions, or decisions of one kind only.
    """
    slug = learning_site(session, site).slug
    rows = decided_comments(session, slug)
    if len(rows) < MIN_DECISIONS:
        raise CandidateError(f"{len(rows)} moderator decisions on scored comments; a "
                             f"candidate needs {MIN_DECISIONS}")
    back = held_back(rows, hold_back, seed)
    train = [row for row, out in zip(rows, back, strict=True) if not out]
    test = [row for row, out in zip(rows, back, strict=True) if out]
    if not test or len({row.rejected for row in train}) < 2:
        raise CandidateError("moderators must have both approved and rejected comments, "
                             "with some held back")
    head = fit_candidate(train, policy)
    name = f"{slug}-{utcnow():%Y%m%d-%H%M%S}-{len(rows)}"
    if session.scalar(select(Candidate.id).where(Candidate.name == name)):
        name = f"{name}-{seed}"
    report = {"seed": seed, "hold_back": hold_back, "trained_on": len(train),
              "held_back": [str(row.comment_id) for row in test],
              "train": evaluate(head, name, train, policy),
              "evaluation": evaluate(head, name, test, policy)}
    candidate = Candidate(name=name, site=slug, params=head.as_params(), report=report,
                          created_by=by, created_at=utcnow())
    session.add(candidate)
    session.flush()
    audit.record(session, actor=by, action="candidate.built", subject=name,
                 details={"site": slug, "trained_on": len(train), "held_back": len(test)})
    return candidate


def find_candidate(session: Session, name: str) -> Candidate:
    candidate = session.scalar(select(Candidate).where(Candidate.name == name))
    if candidate is None:
        raise CandidateError(f"no candidate named {name!r}")
    return candidate


def start_shadow(session: Session, name: str, by: str) -> Candidate:
    """Let the candidate score new comments beside the live policy, without acting."""
    candidate = find_candidate(session, name)
    if candidate.status != CandidateStatus.CANDIDATE:
        raise CandidateError(f"{name} is {candidate.status}; only a new candidate can "
                             "start shadow scoring")
    candidate.status, candidate.shadow_since = CandidateStatus.SHADOW, utcnow()
    audit.record(session, actor=by, action="candidate.shadow", subject=name,
                 details={"site": candidate.site})
    return candidate


def promote(session: Session, name: str, by: str, report: Mapping[str, Any]) -> Candidate:
    """Make the candidate decide its site's new comments; the one promoted before retires.
    Audited with ``report``, the figures the promotion was based on."""
    candidate = find_candidate(session, name)
    if candidate.status not in (CandidateStatus.CANDIDATE, CandidateStatus.SHADOW):
        raise CandidateError(f"{name} is {candidate.status}; it cannot be promoted")
    for previous in session.scalars(select(Candidate).where(
            Candidate.site == candidate.site, Candidate.status == CandidateStatus.PROMOTED)):
        previous.status = CandidateStatus.RETIRED
    candidate.status, candidate.promoted_at, candidate.promoted_by = (
        CandidateStatus.PROMOTED, utcnow(), by)
    candidate.promoted_report = dict(report)
    audit.record(session, actor=by, action="candidate.promoted", subject=name,
                 details={"site": candidate.site, "report": dict(report)})
    return candidate


def scoring_candidates(session: Session, site: str | None = None
                       ) -> tuple[Candidate | None, list[Candidate]]:
    """The site's promoted candidate (None: the live policy decides) and those in shadow."""
    rows = list(session.scalars(select(Candidate).where(
        Candidate.site == (site or DEFAULT_SITE),
        Candidate.status.in_([CandidateStatus.PROMOTED, CandidateStatus.SHADOW]))
        .order_by(Candidate.id)))
    promoted = next((c for c in rows if c.status == CandidateStatus.PROMOTED), None)
    return promoted, [c for c in rows if c.status == CandidateStatus.SHADOW]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
