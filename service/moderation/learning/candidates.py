"""Candidates: evaluated against moderators, put in shadow, promoted (with its guard), and
shown stale when the model changes. ``learning.building`` builds them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts import audit
from service.db import utcnow
from service.moderation.learning.evaluation import auc, intervals, rates
from service.moderation.learning.head import AnyHead, Head, decide_with, fit_bands, forced
from service.moderation.learning.labels import Labelled
from service.moderation.learning.models import DEFAULT_SITE, Candidate, CandidateStatus
from service.moderation.learning.targets import SAFETY, bands, site_target
from service.policy import Outcome, Policy


class CandidateError(ValueError):
    """A candidate that cannot be built, found or moved as asked; the message says why."""


def agrees(outcome: str, rejected: bool) -> bool:
    """Whether a decision matches a moderator's: published when they approved it, held or
    rejected when they rejected it (a hold they then approved is a disagreement)."""
    return (outcome == Outcome.APPROVED) != rejected


def evaluate(head: AnyHead, name: str, rows: Sequence[Labelled], policy: Policy,
             seed: int = 0) -> dict[str, Any]:
    """The live decisions and the candidate's against the moderators' on ``rows``: counts,
    each side's rates with bootstrap intervals (``evaluation``), and the ROC AUC of the
    head's probability against the live model's toxicity score."""
    decided = [decide_with(head, name, row.scores, policy, row.body, vector=row.vector)
               for row in rows]
    candidate = [verdict.outcome for verdict, _ in decided]
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
            "rates": rates(outcomes, rejected),
            "intervals": intervals(outcomes, rejected, seed),
        }

    return {"compared": len(rows), "moderators_rejected": sum(rejected),
            "live": figures(live), "candidate": figures(candidate),
            "auc": {"live": auc([row.scores.get("toxicity", 0.0) for row in rows], rejected),
                    "candidate": auc([probability for _, probability in decided], rejected)},
            "would_change": sum(a != b for a, b in zip(live, candidate, strict=True))}


def promotion_refusal(report: Mapping[str, Any], policy: Policy) -> str | None:
    """Why promoting a candidate with this ``report`` (``report.candidate_report``) is
    refused, or None: when the upper end of the interval of the share of moderators'
    rejections it publishes is above what the site allows (a safety target's share; under
    a queue budget, the live policy's share on the same decisions)."""
    target = site_target(policy)
    interval = (report.get("intervals") or {}).get("candidate", {}).get("published_rejected")
    if not interval:
        return ("no held-back rejection to measure what it would publish; build it again "
                "once moderators have rejected more comments")
    if target.kind == SAFETY:
        allowed, what = target.share, f"the site's target ({target.describe()})"
    else:
        live = (report.get("rates") or {}).get("live", {}).get("published_rejected") or 0.0
        allowed, what = live, f"the live policy's {100 * live:.1f}% on the same decisions"
    if interval[1] > allowed:
        return (f"it may publish up to {100 * interval[1]:.1f}% of the comments moderators "
                f"rejected (95% interval {100 * interval[0]:.1f}-{100 * interval[1]:.1f}%, "
                f"{report.get('moderators_rejected', 0)} held-back rejections), more than "
                f"{what}")
    return None


def fit_candidate(train: Sequence[Labelled], policy: Policy,
                  missed: float | None = None) -> Head:
    """The head over the scores alone (the first kind of candidate, kept to compare with),
    with bands fitted on ``train`` itself for the site's target, or publishing at most
    ``missed`` of the rejected.

    Raises:
        CandidateError: when the rows cannot make a head.
    """
    try:
        head = Head.fit([row.scores for row in train], [row.rejected for row in train])
    except ValueError as error:
        raise CandidateError(str(error)) from error
    probabilities = [head.probability(row.scores) for row in train]
    rejected = [row.rejected for row in train]
    published = [row.live_outcome == Outcome.APPROVED for row in train]
    forced_out = [forced(row.scores, policy, row.body) is not None for row in train]
    if missed is not None:
        return head.with_bands(*fit_bands(probabilities, rejected, published, forced_out,
                                          missed))
    return head.with_bands(*bands(site_target(policy), probabilities, rejected, published,
                                  forced_out))


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


def promote(session: Session, name: str, by: str, report: Mapping[str, Any],
            policy: Policy | None = None, *, force: bool = False) -> Candidate:
    """Make the candidate decide its site's new comments; the one promoted before retires.
    Audited with ``report``, the figures the promotion was based on.

    With ``policy`` (the site's live one), refused when ``promotion_refusal`` says so,
    unless ``force``: then audited as forced, with the reason it overrode.

    Raises:
        CandidateError: for a candidate that cannot move, or a refused promotion.
    """
    candidate = find_candidate(session, name)
    if candidate.status not in (CandidateStatus.CANDIDATE, CandidateStatus.SHADOW):
        raise CandidateError(f"{name} is {candidate.status}; it cannot be promoted")
    if report.get("stale"):
        raise CandidateError(f"{name} reads the vectors of {candidate.space}, but the model "
                             f"now gives {report.get('current_space')}: build a new candidate")
    refusal = promotion_refusal(report, policy) if policy is not None else None
    if refusal and not force:
        raise CandidateError(f"promotion refused: {refusal} (force it to promote anyway; "
                             "it is audited)")
    for previous in session.scalars(select(Candidate).where(
            Candidate.site == candidate.site, Candidate.status == CandidateStatus.PROMOTED)):
        previous.status = CandidateStatus.RETIRED
    candidate.status, candidate.promoted_at, candidate.promoted_by = (
        CandidateStatus.PROMOTED, utcnow(), by)
    candidate.promoted_report = dict(report)
    details: dict[str, Any] = {"site": candidate.site, "report": dict(report)}
    if refusal:
        details |= {"forced": True, "overrode": refusal}
    audit.record(session, actor=by, action="candidate.promoted", subject=name, details=details)
    return candidate


def stale(candidate: Candidate, space: str | None) -> bool:
    """Whether the candidate reads vectors of another space than the workers' model gives
    now (``space``; None: unknown yet, so nothing is stale)."""
    return candidate.space is not None and space is not None and candidate.space != space


def scoring_candidates(session: Session, site: str | None = None, space: str | None = None
                       ) -> tuple[Candidate | None, list[Candidate]]:
    """The site's promoted candidate (None: the live policy decides) and those in shadow,
    leaving out those that read vectors of another space than ``space`` (stale)."""
    rows = [c for c in session.scalars(select(Candidate).where(
        Candidate.site == (site or DEFAULT_SITE),
        Candidate.status.in_([CandidateStatus.PROMOTED, CandidateStatus.SHADOW]))
        .order_by(Candidate.id)) if not stale(c, space)]
    promoted = next((c for c in rows if c.status == CandidateStatus.PROMOTED), None)
    return promoted, [c for c in rows if c.status == CandidateStatus.SHADOW]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
