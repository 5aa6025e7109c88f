"""Fixtures of the moderation tests: every comment is held unless a test says otherwise."""

from __future__ import annotations

import pytest

from tests.service.moderation.helpers import HOLD_ALL, add, log_in, scored, token_for


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=HOLD_ALL, RATELIMIT_ENABLED=False)
    return settings


@pytest.fixture
def accounts(app) -> dict[str, str]:
    """A moderator "mia" and an admin "ada"; their API tokens."""
    add(app, "mia")
    add(app, "ada", role="admin")
    return {"mia": token_for(app, "mia"), "ada": token_for(app, "ada")}


@pytest.fixture
def moderator_client(app, accounts):
    client = app.test_client()
    assert log_in(client, "mia").status_code == 302
    return client


@pytest.fixture
def admin_client(app, accounts):
    client = app.test_client()
    assert log_in(client, "ada").status_code == 302
    return client


@pytest.fixture
def held(app, client) -> list[str]:
    """Three comments that the model held, oldest first."""
    return scored(app, client, "The bus lanes helped my commute.",
                  "Nobody asked for the new parking fees.",
                  "Will the library stay open on Sundays?")
