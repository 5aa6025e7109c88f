"""What a candidate would change, in numbers, before it acts: the shadow report."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.moderation.learning.candidates import evaluate, promotion_refusal, stale
from service.moderation.learning.head import load_head
from service.moderation.learning.labels import decided_comments, training_rows
from service.moderation.learning.models import Candidate, ShadowDecision
from service.moderation.learning.targets import site_target
from service.moderation.learning.vectors import current_space
from service.policy import Outcome, Policy

OUTCOMES = tuple(outcome.value for outcome in Outcome)


def candidate_report(session: Session, candidate: Candidate, policy: Policy) -> dict[str, Any]:
    """The candidate's report: agreement with moderators on the decisions it did not learn
    from (the part held back when it was built, and comments written since), and what it
    would change, per day, on the comments it scored in shadow.

    ``would_change`` counts the comments, among those compared and those scored in shadow,
    whose decision the candidate would change.
    """
    head = load_head(candidate.params)
    held_back = set(candidate.report.get("held_back", []))
    rows = (training_rows(session, candidate.site, candidate.space, policy)[0]
            if candidate.space else decided_comments(session, candidate.site))
    unseen = [row for row in rows
              if str(row.comment_id) in held_back or row.created_at > candidate.created_at]
    evaluation = evaluate(head, candidate.name, unseen, policy)
    space = current_space(session)
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
    figures: dict[str, Any] = {
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
        "rates": {side: evaluation[side]["rates"] for side in ("live", "candidate")},
        "intervals": {side: evaluation[side]["intervals"] for side in ("live", "candidate")},
        "auc": evaluation["auc"], "target": vars(site_target(policy)),
        "space": candidate.space, "current_space": space, "stale": stale(candidate, space),
    }
    figures["refusal"] = promotion_refusal(figures, policy)
    return figures


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
        *_interval_lines(report),
        f"would change {report['would_change']} of {report['considered']} decisions; "
        f"{report['shadow_scored']} new comments scored in shadow",
    ]
    for day in report["per_day"]:
        change = ", ".join(f"{o} {day['would_change'][o]:+d}" for o in OUTCOMES)
        lines.append(f"  {day['day']}: {day['n']} comments, {day['changed']} would change "
                     f"({change})")
    return lines


def _interval_lines(report: dict[str, Any]) -> list[str]:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}%"

    lines = []
    names = {"agreement": "agreement", "published_rejected": "rejected ones published",
             "held_approved": "approved ones held"}
    for key, words in names.items():
        parts = []
        for side in ("live", "candidate"):
            low_high = report["intervals"][side].get(key)
            band = f" ({pct(low_high[0])}-{pct(low_high[1])})" if low_high else ""
            parts.append(f"{side} {pct(report['rates'][side].get(key))}{band}")
        lines.append(f"  {words}, with 95% intervals: {', '.join(parts)}")
    if report["auc"]["candidate"] is not None:
        lines.append(f"  ROC AUC for moderators' rejections: live toxicity "
                     f"{report['auc']['live']}, candidate {report['auc']['candidate']}")
    if report["stale"]:
        lines.append(f"  STALE: fitted on {report['space']}, the model now gives "
                     f"{report['current_space']}; it is not applied")
    if report["refusal"]:
        lines.append(f"  promotion would be refused: {report['refusal']}")
    return lines
