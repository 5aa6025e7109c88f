"""How the scoring jobs decide with candidates: the promoted one acts, those in shadow only
record what they would have decided. No extra forward pass: a head reads the scores and the
sentence vector the same pass gave; a candidate of another model's vectors is not loaded."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service.moderation.learning.candidates import scoring_candidates
from service.moderation.learning.head import AnyHead, decide_with, load_head
from service.moderation.learning.models import DEFAULT_SITE, ShadowDecision
from service.policy import Policy, Verdict, decide


@dataclass(frozen=True)
class Deciders:
    """A site's live decider (the promoted candidate, else the policy) and its shadows."""

    policy: Policy
    site: str = DEFAULT_SITE
    promoted: tuple[str, AnyHead] | None = None
    shadows: list[tuple[int, str, AnyHead]] = field(default_factory=list)

    def decide(self, scores: Mapping[str, float], text: str, hold: str | None = None,
               unscored: str | None = None, vector: Any = None) -> Verdict:
        """The verdict on one comment; ``hold``: why its thread or commenter is pre-moderated;
        ``unscored``: its language, when the model does not read it; ``vector``: its
        sentence vector, from the pass that gave ``scores``."""
        if self.promoted is None or (unscored and self.policy.unscored_languages != "score"):
            return decide(scores, self.policy, text, hold=hold, unscored=unscored)
        name, head = self.promoted
        return decide_with(head, name, scores, self.policy, text, hold, vector)[0]

    def thresholds(self) -> dict[str, Any]:
        """What each decision records as its thresholds: the site's policy (and its
        candidate's, if one is promoted)."""
        recorded = self.policy.as_dict() | {"site": self.site}
        if self.promoted is not None:
            name, head = self.promoted
            recorded["candidate"] = {"name": name, "hold": head.hold, "reject": head.reject}
        return recorded

    def model(self, model_id: str) -> str:
        """The model recorded with each decision: the scorer's, and the promoted head's."""
        return model_id if self.promoted is None else f"{model_id}/head:{self.promoted[0]}"[:200]

    def record_shadows(self, session: Session, decided: Sequence[tuple[uuid.UUID, Mapping[
            str, float], str, str, Any]], now: datetime) -> int:
        """Insert what each shadow would have decided on ``(comment id, scores, text, live
        outcome, vector)``; return how many rows were written."""
        rows = []
        for candidate_id, name, head in self.shadows:
            for comment_id, scores, text, live, vector in decided:
                verdict, probability = decide_with(head, name, scores, self.policy, text,
                                                   vector=vector)
                rows.append({"candidate_id": candidate_id, "comment_id": comment_id,
                             "outcome": verdict.outcome.value, "live_outcome": live,
                             "probability": round(probability, 6), "created_at": now})
        if rows:
            session.execute(insert(ShadowDecision), rows)
        return len(rows)


def deciders(session: Session, policy: Policy, site: str = DEFAULT_SITE,
             space: str | None = None) -> Deciders:
    """The site's deciders for the next comments scored by a model whose vectors are of
    ``space`` (candidates of another space are stale: left out)."""
    promoted, shadows = scoring_candidates(session, site, space)
    return Deciders(
        policy, site,
        (promoted.name, load_head(promoted.params)) if promoted else None,
        [(shadow.id, shadow.name, load_head(shadow.params)) for shadow in shadows])
