"""When a failed delivery is tried again: the retry schedule, in one place."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

SCHEDULE_SECONDS = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600,
                    20 * 3600, 24 * 3600)
"""Delay before each attempt: the first at once, the tenth about three days later."""

JITTER = 0.2
"""Each retry delay is moved by up to this fraction either way, to spread retries out."""

DISABLE_AFTER = timedelta(days=5)
"""An endpoint whose deliveries have failed for this long, with no success, is disabled."""

MAX_RETRY_AFTER_SECONDS = 24 * 3600
"""The longest wait a receiver's ``Retry-After`` may ask for."""


def next_delay(attempts_made: int, *, scale: float = 1.0,
               retry_after: float | None = None) -> float | None:
    """Seconds to wait before the next attempt, or None once the schedule is spent.

    Args:
        attempts_made: attempts since the delivery was made or last re-sent.
        scale: multiplies the schedule (``WEBHOOK_RETRY_SCALE``).
        retry_after: seconds that the receiver asked us to wait; never retried sooner.
    """
    if attempts_made >= len(SCHEDULE_SECONDS):
        return None
    delay = SCHEDULE_SECONDS[attempts_made] * scale * random.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return delay


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
