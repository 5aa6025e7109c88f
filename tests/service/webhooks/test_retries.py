"""The retry schedule: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from service.webhooks.retries import JITTER, SCHEDULE_SECONDS, next_delay, parse_retry_after


def test_ten_attempts_over_about_three_days():
    assert len(SCHEDULE_SECONDS) == 10 and SCHEDULE_SECONDS[0] == 0
    assert list(SCHEDULE_SECONDS) == sorted(SCHEDULE_SECONDS)
    assert SCHEDULE_SECONDS[1:3] == (5, 300) and SCHEDULE_SECONDS[-1] == 24 * 3600
    assert 3 * 86400 < sum(SCHEDULE_SECONDS) < 4 * 86400


@pytest.mark.parametrize("made", range(1, 10))
def test_each_delay_is_the_schedules_within_the_jitter(made):
    delays = [next_delay(made) for _ in range(200)]
    expected = SCHEDULE_SECONDS[made]
    assert all(expected * (1 - JITTER) <= delay <= expected * (1 + JITTER) for delay in delays)
    assert len(set(delays)) > 100, "jittered, so retries spread out"


def test_the_schedule_scales_and_ends():
    assert next_delay(2, scale=0.001) == pytest.approx(0.3, rel=JITTER)
    assert next_delay(10) is None


def test_retry_after_is_a_floor_up_to_a_day():
    assert next_delay(1, retry_after=120) == 120
    assert 300 * (1 - JITTER) <= next_delay(2, retry_after=10) <= 300 * (1 + JITTER)
    assert next_delay(1, retry_after=10 * 86400) == 86400
    assert next_delay(10, retry_after=5) is None


def test_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(minutes=2), usegmt=True),
                             now) == 120
    assert parse_retry_after(format_datetime(now - timedelta(minutes=2), usegmt=True),
                             now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
