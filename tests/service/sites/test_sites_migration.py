"""Migration 0008 moves the single ``site_settings`` row, and everything else, into the
site ``default``, on SQLite and PostgreSQL, and back again on the way down."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import JSON, MetaData, Table, Uuid, create_engine, insert, inspect, text

from service.migrate import alembic_config, upgrade
from tests.support import databases

POLICY = {"target": None, "hold": {"toxicity": 0.3}, "reject": {"toxicity": 0.9},
          "hold_everything": True, "banned_words": ["spam word"], "suspect_words": []}
ORIGINS = ["https://news.example.com"]
SPAM = {"max_links": 7}
READERS = {"reports_to_hold": 5, "appeal_days": 30}


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to 0007 (the schema before sites)."""
    with databases.migrated_to(request.param, tmp_path, "0007") as url:
        yield url


def test_the_settings_and_the_data_move_into_the_site_default(url_at_0007):
    engine = create_engine(url_at_0007)
    comment_id, endpoint_id = uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 12, 1, 12, 0)
    with engine.begin() as connection:
        _insert(connection, "site_settings", id=1, policy=POLICY, allowed_origins=ORIGINS,
                spam=SPAM, readers=READERS, updated_at=now, updated_by="ada")
        _insert(connection, "comments", id=comment_id, thread_id="t1", author="Ann",
                body="Hello", status="approved", created_at=now)
        _insert(connection, "webhook_endpoints", id=endpoint_id, url="https://hooks.example",
                description="", events=["comment.held"], enabled=True, secret="s",
                created_at=now, updated_at=now)
        for name, role in (("mia", "moderator"), ("ada", "admin")):
            _insert(connection, "moderators", name=name, password_hash="x", role=role,
                    created_at=now)
        for name, site in (("main", "default"), ("partner", "partner-site")):
            _insert(connection, "perspective_keys", name=name, site=site,
                    key_hash=name * 8, hint=name, quota_per_second=10, created_at=now)

    upgrade(url_at_0007, "0008")

    with engine.connect() as connection:
        sites = {row.slug: row for row in connection.execute(text("SELECT * FROM sites"))}
        assert set(sites) == {"default", "partner-site"}
        default = sites["default"]
        assert default.id == 1
        assert _json(default.policy) == POLICY
        assert _json(default.origins) == ORIGINS
        assert _json(default.spam) == SPAM and _json(default.readers) == READERS
        assert default.updated_by == "ada" and len(default.sso_secret) >= 32
        assert sites["partner-site"].sso_secret != default.sso_secret
        assert connection.execute(text("SELECT site_id FROM comments")).scalar_one() == 1
        assert connection.execute(
            text("SELECT site_id FROM webhook_endpoints")).scalar_one() is None
        keys = dict(connection.execute(
            text("SELECT name, site_id FROM perspective_keys")).tuples().all())
        assert keys == {"main": 1, "partner": sites["partner-site"].id}
        assert "site_settings" not in inspect(connection).get_table_names()
        # The moderators keep deciding what they decided: the site default's comments.
        reach = connection.execute(text(
            "SELECT moderators.name, moderator_sites.site_id FROM moderator_sites"
            " JOIN moderators ON moderators.id = moderator_sites.moderator_id")).all()
        assert [tuple(row) for row in reach] == [("mia", 1)]
        # A new site takes the next id (PostgreSQL's sequence follows the explicit id 1).
        connection.execute(text(
            "INSERT INTO sites (slug, name, locale, anonymous_allowed, policy, sso_secret,"
            " created_at, updated_at, updated_by) VALUES ('third', 'Third', 'en', true, '{}',"
            " 'x', :now, :now, '')"), {"now": now})
        connection.commit()

    command.downgrade(alembic_config(url_at_0007), "0007")

    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM site_settings")).one()
        assert _json(row.policy) == POLICY and _json(row.allowed_origins) == ORIGINS
        assert _json(row.readers) == READERS
        keys = dict(connection.execute(
            text("SELECT name, site FROM perspective_keys")).tuples().all())
        assert keys == {"main": "default", "partner": "partner-site"}
        assert connection.execute(text("SELECT count(*) FROM comments")).scalar_one() == 1
    engine.dispose()


def _insert(connection, table: str, **values) -> None:
    """Insert a row as that revision's schema has it (reflected, not today's models)."""
    reflected = Table(table, MetaData(), autoload_with=connection)
    for column in reflected.columns:
        if isinstance(values.get(column.name), dict | list):
            column.type = JSON()
        elif isinstance(values.get(column.name), uuid.UUID):
            column.type = Uuid()
    connection.execute(insert(reflected).values(**values))


def _json(value):
    return json.loads(value) if isinstance(value, str) else value
