"""Fixtures of the moderation tests: every comment is held unless a test says otherwise."""

from __future__ import annotations

import pytest

from tests.support.accounts import HOLD_ALL


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=HOLD_ALL, RATELIMIT_ENABLED=False)
    return settings
