from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.accounts import add, bearer, log_in, token_for
from tests.support.receiver import Receiver
from tests.support.webhooks import FAST


@pytest.fixture
def settings(settings: dict) -> dict:
    return settings | FAST | {"RATELIMIT_ENABLED": False}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def admin(app) -> dict[str, str]:
    """The headers of an admin's API token (admin "ada"; moderator "mia" exists too)."""
    add(app, "ada", role="admin")
    add(app, "mia")
    return bearer(token_for(app, "ada"))


@pytest.fixture
def moderator(app, admin) -> dict[str, str]:
    return bearer(token_for(app, "mia"))


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert log_in(client, "ada").status_code == 302
    return client
