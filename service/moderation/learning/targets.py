"""The site's target as a candidate's thresholds read it: a safety target (publish at most
a share of what moderators reject) or a queue budget (hold at most a share of what they
approve), and the bands that meet it on out-of-fold probabilities.

``site_target`` is the one place that reads the policy's target (``service.policy.TARGETS``:
``queue`` or ``safety``, and its ``level``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.moderation.learning.head import NEVER, fit_bands, reject_band
from service.policy import DEFAULT_TARGET, Policy, target_named

SAFETY = "toxic_published"
"""Publish at most ``share`` of the comments moderators reject."""
QUEUE = "civil_held"
"""Hold (or reject) at most ``share`` of the comments moderators approve."""


@dataclass(frozen=True)
class SiteTarget:
    kind: str
    share: float

    def describe(self) -> str:
        if self.kind == QUEUE:
            return f"hold at most {100 * self.share:g}% of civil comments"
        return f"publish at most {100 * self.share:g}% of toxic comments"


def site_target(policy: Policy) -> SiteTarget:
    """The target a candidate of this site meets: the policy's (the default target's for
    thresholds set by hand)."""
    try:
        target = target_named(policy.target or DEFAULT_TARGET)
    except KeyError:
        target = target_named(DEFAULT_TARGET)
    return SiteTarget(QUEUE if target.kind == "queue" else SAFETY, float(target.level))


def bands(target: SiteTarget, probabilities: Sequence[float], rejected: Sequence[bool],
          live_published: Sequence[bool], forced_out: Sequence[bool]) -> tuple[float, float]:
    """The hold and reject thresholds that meet ``target`` on these (out-of-fold)
    probabilities; rows ``forced_out`` are held or rejected by the live policy whatever
    the head says (and count against a queue budget).

    A safety target: ``head.fit_bands`` (the most agreement with moderators that publishes
    at most the share of their rejections, or what the live policy published of them).
    A queue budget: the lowest threshold that holds at most the share of their approvals.
    """
    if target.kind != QUEUE:
        return fit_bands(probabilities, rejected, live_published, forced_out, target.share)
    approved = [not r for r in rejected]
    budget = int(target.share * sum(approved)) - sum(
        1 for a, f in zip(approved, forced_out, strict=True) if a and f)
    free = sorted(((q, r) for q, r, f in zip(probabilities, rejected, forced_out, strict=True)
                   if not f), reverse=True)
    civil = [q for q, r in free if not r]
    if budget <= 0:
        hold = civil[0] + 1e-6 if civil else 0.0
    elif budget >= len(civil):
        hold = 0.0
    else:
        hold = (civil[budget] + civil[budget - 1]) / 2
    hold = min(hold, NEVER)
    return hold, reject_band(free, hold)
