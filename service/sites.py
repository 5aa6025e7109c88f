"""Which policy is in force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from service.policy import Policy


def current_policy(session: Session, config: Mapping[str, Any]) -> Policy:
    """The policy for the next comment scored: the configured thresholds over the defaults."""
    del session  # the admins' settings, kept in the database, come with the dashboard
    return Policy.from_overrides(config["MODERATION_THRESHOLDS"])
