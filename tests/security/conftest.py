"""Security tests run on SQLite: what they check does not depend on the database.

The one exception, the schemathesis run, picks PostgreSQL where it can (its module
says why).
"""

from __future__ import annotations

import pytest

from service.migrate import upgrade


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('security-db') / 'security.db'}"
    upgrade(url)
    return url
