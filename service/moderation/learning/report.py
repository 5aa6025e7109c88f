"""What a candidate would change, in numbers, before it acts: the shadow report."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.moderation.learning.candidates import evaluate
from service.moderation.learning.head import Head
from service.moderation.learning.labels import decided_comments
from service.moderation.learning.models import Candidate, ShadowDecision
from service.policy import Outcome, Policy

OUTCOMES = tuple(outcome.value for outcome in Outcome)


def candidate_report(session: Session, candidate: Candidate, policy: Policy) -> dict[str, Any]:
    """The candidate's report: agreement with moderators on the decisions it did not learn
    from (the part held back when it was built, and comments written since), and what it
    would change, per day, on the comments it scored in shadow.

    ``would_change`` counts the comments, among those compared and those scored in shadow,
    whose decision the candidate would change.
    """
    head = Head.from_params(candidate.params)
    held_back = set(candidate.report.get("held_back", []))
    unseen = [row for row in decided_comments(session, candidate.site)
              if str(row.comment_id) in held_back or row.created_at > candidate.created_at]
    evaluation = evaluate(head, candidate.name, unseen, policy)
    shadows = list(session.scalars(select(ShadowDecision).where(
        ShadowDecision.candidate_id == candidate.id).order_by(ShadowDecision.created_at)))
    days: dict[str, dict[str, Counter[str]]] = defaultdict(
        lambda: {"live": Counter(), "candidate": Counter(), "changed": Counter()})
    for shadow in shadows:
        day = days[shadow.created_at.date().isoformat()]
        day["live"][shadow.live_outcome] += 1
        day["candidate"][shadow.outcome] += 1
        day["changed"]["n"] += shadow.outcome != shadow.live_outcome
    per_day = [{
        "day": day, "n": sum(counts["live"].values()), "changed": counts["changed"]["n"],
        "live": {o: counts["live"][o] for o in OUTCOMES},
        "candidate": {o: counts["candidate"][o] for o in OUTCOMES},
        "would_change": {o: counts["candidate"][o] - counts["live"][o] for o in OUTCOMES},
    } for day, counts in sorted(days.items())]
    unseen_ids = {row.comment_id for row in unseen}
    shadow_changed = sum(s.outcome != s.live_outcome for s in shadows
                         if s.comment_id not in unseen_ids)
    considered = len(unseen) + sum(s.comment_id not in unseen_ids for s in shadows)
    return {
        "candidate": candidate.name, "site": candidate.site, "status": candidate.status,
        "compared": evaluation["compared"],
        "moderators_rejected": evaluation["moderators_rejected"],
        "agreement_live": evaluation["live"]["agreement"],
        "agreement_candidate": evaluation["candidate"]["agreement"],
        "published_rejected": {"live": evaluation["live"]["published_rejected"],
                               "candidate": evaluation["candidate"]["published_rejected"]},
        "not_published_approved": {"live": evaluation["live"]["not_published_approved"],
                                   "candidate": evaluation["candidate"]["not_published_approved"]},
        "would_change": evaluation["would_change"] + shadow_changed,
        "considered": considered,
        "shadow_scored": len(shadows),
        "per_day": per_day,
        "trained_on": candidate.report.get("trained_on"),
        "hold": candidate.params.get("hold"), "reject": candidate.params.get("reject"),
    }


def report_lines(report: dict[str, Any]) -> list[str]:
    """The report in words, for the command line (the JSON line follows them)."""
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}%"

    lines = [
        f"candidate {report['candidate']} (site {report['site']}, {report['status']}), "
        f"trained on {report['trained_on']} moderator decisions",
        f"compared on {report['compared']} decisions it did not learn from "
        f"({report['moderators_rejected']} rejected by moderators):",
        f"  agreement with moderators: live {pct(report['agreement_live'])}, "
        f"candidate {pct(report['agreement_candidate'])}",
        f"  published although moderators rejected: live {report['published_rejected']['live']}"
        f", candidate {report['published_rejected']['candidate']}",
        f"  held or rejected although moderators approved: live "
        f"{report['not_published_approved']['live']}, candidate "
        f"{report['not_published_approved']['candidate']}",
        f"would change {report['would_change']} of {report['considered']} decisions; "
        f"{report['shadow_scored']} new comments scored in shadow",
    ]
    for day in report["per_day"]:
        change = ", ".join(f"{o} {day['would_change'][o]:+d}" for o in OUTCOMES)
        lines.append(f"  {day['day']}: {day['n']} comments, {day['changed']} would change "
                     f"({change})")
    return lines
